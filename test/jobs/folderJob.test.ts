import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, root, runCli } from '../helpers/cli';
import { runFolderJob } from '../../server/src/jobs/folderJob';
import { loadDictionaries } from '../../server/src/node/dictionaries';

const KEY = join(root, 'test', 'fixtures', 'test.key');
let dir: string;

function tree(base: string): Map<string, string> {
	const out = new Map<string, string>();
	const visit = (d: string) => {
		for (const name of readdirSync(d).sort()) {
			const p = join(d, name);
			if (statSync(p).isDirectory()) visit(p);
			else if (!/^deid-(report|manifest)/.test(name)) out.set(relative(base, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
		}
	};
	visit(base);
	return out;
}

const FIRST = ['Margaret', 'Harold', 'Lucia', 'Eleanor', 'Rajiv', 'Tomasz', 'Chiamaka', 'Wendell'];
const LAST = ['Okafor', 'Pemberton', 'Whitfield', 'Menon', 'Nowak', 'Achterberg', 'Ortega', 'Salcedo'];
function note(i: number): string {
	const f = FIRST[i % FIRST.length];
	const l = LAST[(i * 3) % LAST.length];
	return `Nursing note ${i}: Mrs. ${l} (MRN: ${4000000 + i}) seen by Dr. ${LAST[(i + 1) % LAST.length]} on ${1 + (i % 12)}/${1 + (i % 28)}/2031.\n` +
		`Daughter ${f} called from 617-555-${String(1000 + (i % 9000)).padStart(4, '0')}. Foley in place, Lasix given.\n\n`;
}

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'deid-folder-'));
	// ~24 MB over 48 files in 6 patient folders, plus NDJSON: enough for worker threads and a mid-run kill
	for (let p = 0; p < 6; p++) {
		mkdirSync(join(dir, 'in', `patient-${p}`), { recursive: true });
		for (let f = 0; f < 8; f++) {
			let text = '';
			const n = 1200 + ((p * 8 + f) % 5) * 300;
			for (let i = 0; i < n; i++) text += note(p * 1000 + f * 100 + i);
			writeFileSync(join(dir, 'in', `patient-${p}`, `note-${f}.txt`), text);
		}
		const lines = [];
		for (let i = 0; i < 200; i++) lines.push(JSON.stringify({ resourceType: 'Observation', id: `o${i}`, note: [{ text: note(p * 7 + i) }] }));
		writeFileSync(join(dir, 'in', `patient-${p}`, 'obs.ndjson'), lines.join('\n') + '\n');
	}
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('folder job', () => {
	it('the same value gets the same surrogate in every file; dates shift by one offset per patient', () => {
		const input = join(dir, 'small');
		mkdirSync(join(input, 'a'), { recursive: true });
		mkdirSync(join(input, 'b'), { recursive: true });
		writeFileSync(join(input, 'a', '1.txt'), 'Dr. Whitfield saw Mrs. Okafor on 3/1/2031 and 3/11/2031.\n');
		writeFileSync(join(input, 'a', '2.txt'), 'Mrs. Okafor called Dr. Whitfield.\n');
		writeFileSync(join(input, 'b', '1.txt'), 'Dr. Whitfield reviewed 3/1/2031.\n');
		const out = join(dir, 'small-out');
		const r = runCli(['deidentify', input, out, '--operation', 'surrogate', '--key-file', KEY]);
		assert.equal(r.code, 0, r.stderr);
		const a1 = readFileSync(join(out, 'a', '1.txt'), 'utf8');
		const a2 = readFileSync(join(out, 'a', '2.txt'), 'utf8');
		const b1 = readFileSync(join(out, 'b', '1.txt'), 'utf8');
		const docA = /^Dr\. (\S+) saw Mrs\. (\S+) on (\S+) and (\S+)\.$/m.exec(a1)!;
		assert.ok(docA, a1);
		assert.notEqual(docA[1], 'Whitfield');
		assert.ok(a2.includes(`Mrs. ${docA[2]} called Dr. ${docA[1]}`), a2);
		assert.ok(b1.startsWith(`Dr. ${docA[1]} reviewed`), b1);
		const d = (s: string) => new Date(s).getTime() / 86400000;
		assert.equal(d(docA[4]) - d(docA[3]), 10, 'interval kept within a patient');
		const bDate = /reviewed (\S+)\./.exec(b1)![1];
		assert.notEqual(bDate, docA[3], 'another patient gets another offset');
	});

	it('date shifts: per run, per path pattern, within a range, keeping the weekday', () => {
		const input = join(dir, 'shift');
		for (const d of ['p1', 'p2']) {
			mkdirSync(join(input, d), { recursive: true });
			writeFileSync(join(input, d, 'n.txt'), 'Seen on 3/2/2031 and again on 3/9/2031.\n');
		}
		const dates = (out: string, d: string) => /on (\S+) and again on (\S+)\./.exec(readFileSync(join(out, d, 'n.txt'), 'utf8'))!.slice(1);
		const run = (name: string, ...extra: string[]) => {
			const out = join(dir, name);
			const r = runCli(['deidentify', input, out, '--operation', 'surrogate', '--key-file', KEY, ...extra]);
			assert.equal(r.code, 0, r.stderr);
			return out;
		};
		const perRun = run('shift-run', '--date-shift-by', 'run');
		assert.deepEqual(dates(perRun, 'p1'), dates(perRun, 'p2'), 'one offset for the whole run');
		const perFolder = run('shift-folder');
		assert.notDeepEqual(dates(perFolder, 'p1'), dates(perFolder, 'p2'), 'one offset per patient folder');
		const byRegex = run('shift-regex', '--date-shift-by', 'regex:^p\\d');
		assert.notDeepEqual(dates(byRegex, 'p1'), dates(byRegex, 'p2'));
		const week = run('shift-week', '--keep-weekday', '--date-shift-range', '30');
		for (const d of ['p1', 'p2']) {
			const [a, b] = dates(week, d).map((x) => new Date(x));
			assert.equal(a.getDay(), new Date('3/2/2031').getDay(), 'weekday kept');
			assert.ok(Math.abs(a.getTime() - new Date('3/2/2031').getTime()) <= 31 * 86400000, 'within the range');
			assert.equal((b.getTime() - a.getTime()) / 86400000, 7, 'interval kept');
		}
		assert.equal(runCli(['deidentify', input, join(dir, 'x'), '--date-shift-by', 'regex:(']).code, 2);
	});

	// (--no-verify: the verify pass at a job's end has its own tests in verify.test.ts; here it would only add time)
	it('a run killed part-way resumes and ends byte-identical to an uninterrupted run; sources untouched', async () => {
		const input = join(dir, 'in');
		const before = tree(input);
		const full = join(dir, 'out-full');
		let r = runCli(['deidentify', input, full, '--operation', 'surrogate', '--key-file', KEY, '--no-verify']);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		const killed = join(dir, 'out-killed');
		await new Promise<void>((resolve) => {
			const p = spawn(process.execPath, [CLI, 'deidentify', input, killed, '--operation', 'surrogate', '--key-file', KEY, '--no-verify'], { stdio: 'ignore' });
			const poll = setInterval(() => {
				// kill as soon as some outputs exist but the run is not finished
				const some = existsSync(join(killed, 'patient-0')) || existsSync(join(killed, 'patient-5'));
				if (some && !existsSync(join(killed, 'deid-report.json'))) {
					clearInterval(poll);
					p.kill('SIGKILL');
				}
			}, 20);
			p.on('exit', () => {
				clearInterval(poll);
				resolve();
			});
		});
		assert.ok(!existsSync(join(killed, 'deid-report.json')), 'the first run was killed before it finished');
		r = runCli(['deidentify', input, killed, '--operation', 'surrogate', '--key-file', KEY, '--no-verify']);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.deepEqual(tree(killed), tree(full));
		assert.deepEqual(tree(input), before, 'sources are never modified');
		const leftovers = [...tree(killed).keys()].filter((k) => k.includes('deid-tmp'));
		assert.deepEqual(leftovers, []);
		const report = JSON.parse(readFileSync(join(killed, 'deid-report.json'), 'utf8'));
		assert.equal(report.totals.done, 54);
		const text = readFileSync(join(killed, 'deid-report.json'), 'utf8') + readFileSync(join(killed, 'deid-report.md'), 'utf8');
		for (const phi of [...FIRST, ...LAST, '617-555']) assert.ok(!text.includes(phi), `report leaks ${phi}`);
	});

	it('a rerun skips finished files (the manifest records input and output hashes)', () => {
		const out = join(dir, 'out-full');
		const manifest = JSON.parse(readFileSync(join(out, 'deid-manifest.json'), 'utf8'));
		assert.equal(manifest.files.length, 54);
		assert.ok(manifest.files.every((f: { inputHash?: string; outputHash?: string }) => /^[0-9a-f]{64}$/.test(f.inputHash!) && /^[0-9a-f]{64}$/.test(f.outputHash!)));
		const before = statSync(join(out, 'patient-0', 'note-0.txt')).mtimeMs;
		const r = runCli(['deidentify', join(dir, 'in'), out, '--operation', 'surrogate', '--key-file', KEY, '--no-verify']);
		assert.equal(r.code, 0);
		assert.equal(statSync(join(out, 'patient-0', 'note-0.txt')).mtimeMs, before, 'finished file not rewritten');
	});

	it('large files stream in pieces and NDJSON stays line for line', () => {
		const input = join(dir, 'big');
		mkdirSync(input, { recursive: true });
		let text = '';
		for (let i = 0; i < 40000; i++) text += note(i);
		writeFileSync(join(input, 'big.txt'), text);
		assert.ok(text.length > 4 * (1 << 20), `${text.length}`);
		const lines: string[] = [];
		for (let i = 0; i < 20000; i++) lines.push(JSON.stringify({ id: i, text: note(i) }));
		writeFileSync(join(input, 'big.ndjson'), lines.join('\n'));
		const out = join(dir, 'big-out');
		const r = runCli(['deidentify', input, out, '--operation', 'redact']);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		const red = readFileSync(join(out, 'big.txt'), 'utf8');
		for (const n of [...LAST, '617-555']) assert.ok(!red.includes(n), n);
		assert.equal(red.split('\n\n').length, text.split('\n\n').length);
		const outLines = readFileSync(join(out, 'big.ndjson'), 'utf8').split('\n');
		assert.equal(outLines.length, 20000);
		for (const l of outLines) JSON.parse(l);
	});
	it('a worker thread that dies (here: out of memory) fails its file with a reason; the run goes on and ends', async () => {
		const input = join(dir, 'oom-in');
		mkdirSync(input, { recursive: true });
		for (let i = 0; i < 3; i++) writeFileSync(join(input, `n${i}.txt`), note(i));
		// 4 MB of heap cannot even hold the dictionaries: every worker dies and is replaced.
		const report = await runFolderJob({ input, output: join(dir, 'oom-out'), operation: 'redact', detect: {}, dicts: loadDictionaries, key: Buffer.alloc(32, 1), workers: 1, workerHeapMb: 4, largeFileHeapMb: 4 });
		assert.equal(report.totals.failed, 3);
		for (const f of report.files) assert.match(f.reason ?? '', /memory|worker/);
		assert.deepEqual(readdirSync(join(dir, 'oom-out')).filter((f) => f.endsWith('.txt')), [], 'no partial outputs');
	});
	it('a file a pool worker cannot hold is retried alone in a worker with a larger heap', async () => {
		const input = join(dir, 'oom-retry-in');
		mkdirSync(input, { recursive: true });
		for (let i = 0; i < 3; i++) writeFileSync(join(input, `n${i}.txt`), note(i));
		const report = await runFolderJob({ input, output: join(dir, 'oom-retry-out'), operation: 'redact', detect: {}, dicts: loadDictionaries, key: Buffer.alloc(32, 1), workers: 1, workerHeapMb: 4 });
		assert.equal(report.totals.done, 3, JSON.stringify(report.files.map((f) => f.reason)));
	});
	it('NDJSON with --date-shift-by reference: each record shifts by its own patient reference', () => {
		const input = join(dir, 'ref-in');
		mkdirSync(input, { recursive: true });
		const rec = (pid: string, i: number) => JSON.stringify({ resourceType: 'Observation', id: `o${i}`, subject: { reference: `Patient/${pid}` }, note: `Seen on 2021-03-14, again on 2021-03-21.` });
		writeFileSync(join(input, 'obs.ndjson'), [rec('alpha', 1), rec('beta', 2), rec('alpha', 3), rec('beta', 4), '{"note":"no patient: 2021-03-14"}'].join('\n') + '\n');
		const out = join(dir, 'ref-out');
		const r = runCli(['deidentify', input, out, '--operation', 'surrogate', '--date-shift-by', 'reference', '--key-file', KEY, '--workers', '0']);
		assert.equal(r.code, 0, r.stderr);
		const lines = readFileSync(join(out, 'obs.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l).note as string);
		const dates = lines.map((n) => [...n.matchAll(/\d{4}-\d{2}-\d{2}/g)].map((m) => m[0]));
		assert.deepEqual(dates[0], dates[2], 'one patient, one offset');
		assert.deepEqual(dates[1], dates[3]);
		assert.notDeepEqual(dates[0], dates[1], 'two patients, two offsets');
		for (const [a, b] of dates.slice(0, 4)) assert.equal((Date.parse(b) - Date.parse(a)) / 86400000, 7, 'the interval survives');
		assert.ok(!lines.join(' ').includes('2021-03-14'));
		const bad = runCli(['deidentify', input, join(dir, 'ref-bad'), '--date-shift-by', 'nonsense']);
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /reference/);
	});
});

describe('folder job: run-wide surrogate uniqueness', () => {
	// 6,000 distinct made-up surnames (not in the census list, so they pick from the 20,000-name pool instead of
	// going through the list's permutation) over 12 files: hundreds collide, so the uniqueness pass has work to do.
	let input: string;
	const key = Buffer.alloc(32, 7);
	const lines = (f: number) => readFileSync(join(input, `n${String(f).padStart(2, '0')}.txt`), 'utf8').split('\n');
	before(() => {
		input = join(dir, 'unique-in');
		mkdirSync(input, { recursive: true });
		const listed = new Set(loadDictionaries().raw.last.map((n) => n.toLowerCase()));
		const syl = ['bar', 'ken', 'dro', 'vil', 'mas', 'tor', 'quen', 'zel', 'fad', 'rin', 'gol', 'sep', 'ulm', 'yat', 'pry', 'hox'];
		const names: string[] = [];
		for (let i = 0; names.length < 6000; i++) {
			const w = syl[i % 16] + syl[(i >> 4) % 16] + syl[(i >> 8) % 16] + (i >> 12 ? syl[(i >> 12) % 16] : '');
			if (!listed.has(w)) names.push(w[0].toUpperCase() + w.slice(1));
		}
		for (let f = 0; f < 12; f++) {
			let t = '';
			// overlapping ranges: most names occur in two files
			for (let i = f * 500; i < f * 500 + 700 && i < names.length; i++) t += `Seen today by Dr. ${names[i]} with the family.\n`;
			writeFileSync(join(input, `n${String(f).padStart(2, '0')}.txt`), t);
		}
	});
	const run = (output: string, extra: Partial<Parameters<typeof runFolderJob>[0]> = {}) =>
		runFolderJob({ input, output, operation: 'surrogate', detect: {}, dicts: loadDictionaries, key, workers: 0, ...extra });

	it('two different values never share a surrogate, one value keeps one surrogate, and the order files finish in does not matter', async () => {
		const out = join(dir, 'unique-out');
		const report = await run(out);
		assert.ok(report.surrogates, 'the report has the uniqueness check');
		assert.ok(report.surrogates!.moved > 50, `collisions were found and moved (${report.surrogates!.moved})`);
		assert.equal(report.surrogates!.unresolved, 0);
		const map = new Map<string, string>();
		const back = new Map<string, string>();
		for (let f = 0; f < 12; f++) {
			const src = lines(f);
			const dst = readFileSync(join(out, `n${String(f).padStart(2, '0')}.txt`), 'utf8').split('\n');
			src.forEach((line, i) => {
				if (!line) return;
				const a = /Dr\. (\S+)/.exec(line)![1];
				const b = /Dr\. (\S+)/.exec(dst[i])![1];
				assert.notEqual(b, a);
				if (map.has(a)) assert.equal(map.get(a), b, `one surrogate per value (${f}:${i})`);
				if (back.has(b)) assert.equal(back.get(b), a, `no two values share a surrogate (${f}:${i})`);
				map.set(a, b);
				back.set(b, a);
			});
		}
		assert.equal(map.size, 6000);
		const md = readFileSync(join(out, 'deid-report.md'), 'utf8');
		assert.match(md, /6000 distinct values checked for run-wide uniqueness; \d+ moved after a collision/);
		// the same job on two worker threads (files finish in another order) gives the same bytes
		const par = join(dir, 'unique-out-2');
		await run(par, { workers: 2 });
		assert.deepEqual(tree(par), tree(out));
		// the claims file holds keyed digests only
		const claims = readFileSync(join(out, 'deid-manifest.claims.ndjson'), 'utf8');
		assert.ok(!/Dr|[A-Z][a-z]{3,}/.test(claims.replace(/"path":"[^"]*"|"claims"/g, '')), 'no text in the claims file');
	});

	it('a note-local variant (the surrogate was an original beside it) never shares a surrogate either', async () => {
		// Each made-up surname A comes with, on its line, the census surname its surrogate was in the first test: A's
		// surrogate would reproduce an original of its note, so A takes a note-local variant. Thousands of variants
		// drawn from the pools collide among themselves and with the other surrogates unless they are claimed too.
		const first = join(dir, 'unique-out');
		const avoidIn = join(dir, 'avoid-in');
		mkdirSync(avoidIn, { recursive: true });
		for (let f = 0; f < 12; f++) {
			const name = `n${String(f).padStart(2, '0')}.txt`;
			const dst = readFileSync(join(first, name), 'utf8').split('\n');
			writeFileSync(join(avoidIn, name), lines(f).map((line, i) => (line ? `${line} Mrs. ${/Dr\. (\S+)/.exec(dst[i])![1]} called.` : line)).join('\n'));
		}
		const out = join(dir, 'avoid-out');
		const report = await runFolderJob({ input: avoidIn, output: out, operation: 'surrogate', detect: {}, dicts: loadDictionaries, key, workers: 0 });
		assert.equal(report.surrogates?.unresolved, 0);
		// (a variant is note-local: a value may take its own surrogate in one note and a variant in another, but
		// no surrogate ever stands for two values)
		const back = new Map<string, string>();
		const pair = (a: string, b: string, where: string) => {
			if (back.has(b)) assert.equal(back.get(b), a, `no two values share a surrogate (${where}: ${back.get(b)} and ${a})`);
			back.set(b, a);
		};
		let variants = 0;
		let undetected = 0;
		for (let f = 0; f < 12; f++) {
			const name = `n${String(f).padStart(2, '0')}.txt`;
			const src = readFileSync(join(avoidIn, name), 'utf8').split('\n');
			const dst = readFileSync(join(out, name), 'utf8').split('\n');
			const before = readFileSync(join(first, name), 'utf8').split('\n');
			src.forEach((line, i) => {
				if (!line) return;
				const [, a, b] = /Dr\. (\S+) .* Mrs\. (\S+) called/.exec(line)!;
				const [, a2, b2] = /Dr\. (\S+) .* Mrs\. (\S+) called/.exec(dst[i])!;
				if (b2 === b) return void undetected++; // a census surname that is also a common word ("Mrs. Do")
				assert.notEqual(a2, b, 'a surrogate never reproduces an original beside it');
				if (a2 !== /Dr\. (\S+)/.exec(before[i])![1]) variants++;
				pair(a, a2, `${f}:${i}`);
				pair(b, b2, `${f}:${i}`);
			});
		}
		assert.ok(variants > 3000, `most values took a note-local variant (${variants})`);
		assert.ok(undetected < 100, `${undetected} lines where the second name was not found`);
		assert.ok(report.surrogates!.moved > 50, `variants collided and were moved (${report.surrogates!.moved})`);
	});

	it('a run stopped while it moves collided values resumes to the same bytes', async () => {
		const out = join(dir, 'unique-stop');
		const ac = new AbortController();
		let finished = 0;
		const first = await run(out, { signal: ac.signal, onProgress: () => void (++finished > 14 && ac.abort()) });
		assert.ok(first.cancelled, 'stopped during the second round (more progress events than files)');
		const second = await run(out);
		assert.equal(second.surrogates?.unresolved, 0);
		assert.deepEqual(tree(out), tree(join(dir, 'unique-out')));
	});
});
