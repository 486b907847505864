// Hostile input and faults against the CLI and the folder job (issue #20): sources are never written, errors
// are messages (never stack traces), nothing blocks, and no PHI reaches names, reports or manifests.
import { strict as assert } from 'node:assert';
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, runCli } from '../helpers/cli';
import { runFolderJob } from '../../server/src/jobs/folderJob';
import { indexDictionariesFromJson, loadDictionaries } from '../../server/src/node/dictionaries';
import { keyFingerprint } from '../../server/src/node/hash';
import { parseKeyText } from '../../server/src/keyFormat';
import { distinctNames } from '../../server/src/engine';

let dir: string;
let n = 0;
const fresh = () => {
	const d = join(dir, `case${++n}`);
	mkdirSync(d, { recursive: true });
	return d;
};
const files = (root: string): string[] => {
	const out: string[] = [];
	const walk = (d: string) => {
		for (const e of readdirSync(d, { withFileTypes: true })) {
			const p = join(d, e.name);
			if (e.isDirectory()) walk(p);
			else out.push(relative(root, p));
		}
	};
	walk(root);
	return out.sort();
};
/** No stack trace and no internal error: the user gets a message. */
const clean = (stderr: string) => {
	assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+|internal error|TypeError|RangeError|ReferenceError/, stderr);
};

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'deid-hostile-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('sources are never written', () => {
	it('refuses an output that contains the input, equals it, or lies in it through a link or ..', () => {
		const d = fresh();
		mkdirSync(join(d, 't', 'notes', 'notes'), { recursive: true });
		writeFileSync(join(d, 't', 'notes', 'a.txt'), 'A\n');
		writeFileSync(join(d, 't', 'notes', 'notes', 'a.txt'), 'B\n');
		symlinkSync(join(d, 't', 'notes'), join(d, 'link'));
		for (const [input, output] of [
			['t/notes', 't'],
			['t/notes', 't/notes'],
			['t/notes', 't/notes/out'],
			['link', 't/notes/out2'],
			['t/notes', 'link/out3'],
			['t/notes', 't/x/../notes/out4'],
			['t/notes', 't/notes/notes/..'],
		]) {
			const r = runCli(['deidentify', input, output], { cwd: d });
			assert.equal(r.code, 2, `${input} → ${output}: ${r.stderr}`);
			assert.match(r.stderr, /may not be the input folder, lie inside it, or contain it/);
		}
		assert.equal(readFileSync(join(d, 't', 'notes', 'a.txt'), 'utf8'), 'A\n');
		assert.deepEqual(files(join(d, 't')), ['notes/a.txt', 'notes/notes/a.txt']);
	});
	it('a single file writes no manifest beside its output, sweeps temporaries of a killed run, and never overwrites without --force', () => {
		const d = fresh();
		writeFileSync(join(d, 'n.txt'), 'Seen by Dr. John Jones.\n');
		// what a killed run leaves: a temporary of a process that no longer runs (new and old naming)
		const dead = 2 ** 22 + 12345;
		writeFileSync(join(d, `.deid-tmp-${dead}-abc123`), 'Seen by Dr. John Jones.');
		writeFileSync(join(d, `o.txt.deid-tmp-${dead}-abc123`), 'Seen by Dr. John Jones.');
		let r = runCli(['deidentify', 'n.txt', 'o.txt'], { cwd: d });
		assert.equal(r.code, 0, r.stderr);
		assert.deepEqual(readdirSync(d).sort(), ['n.txt', 'o.txt']);
		assert.doesNotMatch(readFileSync(join(d, 'o.txt'), 'utf8'), /Jones/);
		r = runCli(['deidentify', 'n.txt', 'o.txt'], { cwd: d });
		assert.equal(r.code, 2);
		assert.match(r.stderr, /already exists.*--force/);
		r = runCli(['deidentify', 'n.txt', 'n.txt', '--force'], { cwd: d });
		assert.equal(r.code, 2);
		assert.match(r.stderr, /may not be the input file/);
		r = runCli(['deidentify', 'n.txt', 'o.txt', '--force', '--operation', 'tag'], { cwd: d });
		assert.equal(r.code, 0, r.stderr);
		assert.equal(readFileSync(join(d, 'n.txt'), 'utf8'), 'Seen by Dr. John Jones.\n');
	});
	it('an output folder holding files no run of ours wrote is refused without --force; our own earlier run is resumed', () => {
		const d = fresh();
		mkdirSync(join(d, 'in'));
		mkdirSync(join(d, 'out'));
		writeFileSync(join(d, 'in', 'a.txt'), 'Mr. John Jones called.\n');
		writeFileSync(join(d, 'out', 'a.txt'), 'keep me\n');
		writeFileSync(join(d, 'out', 'deid-report.md'), 'an old report\n');
		let r = runCli(['deidentify', 'in', 'out'], { cwd: d });
		assert.equal(r.code, 2);
		assert.match(r.stderr, /already holds files.*--force/);
		assert.equal(readFileSync(join(d, 'out', 'a.txt'), 'utf8'), 'keep me\n');
		r = runCli(['deidentify', 'in', 'out', '--force'], { cwd: d });
		assert.equal(r.code, 0, r.stderr);
		r = runCli(['deidentify', 'in', 'out'], { cwd: d });
		assert.equal(r.code, 0, r.stderr);
		r = runCli(['deidentify', 'in', 'out', '--operation', 'tag'], { cwd: d });
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stderr, /note: The output folder held the results of a run with other settings/);
	});
});

describe('faults give messages, not crashes', () => {
	it('an output that cannot be written fails its file with a reason, writes the report and leaves no temporary (in this thread and in workers)', () => {
		for (const workers of ['0', '1']) {
			const d = fresh();
			mkdirSync(join(d, 'in', 'p1'), { recursive: true });
			writeFileSync(join(d, 'in', 'p1', 'a.txt'), 'Mr. John Jones called.\n');
			writeFileSync(join(d, 'in', 'b.txt'), 'Mr. John Jones called.\n');
			// a file where the output needs a folder
			mkdirSync(join(d, 'out'));
			writeFileSync(join(d, 'out', 'p1'), 'in the way');
			const r = runCli(['deidentify', 'in', 'out', '--force', '--workers', workers], { cwd: d });
			assert.equal(r.code, 1, r.stderr);
			clean(r.stderr + r.stdout);
			assert.match(r.stdout, /failed: p1\/a\.txt: a file stands where an output folder is needed/);
			assert.ok(existsSync(join(d, 'out', 'b.txt')));
			assert.ok(existsSync(join(d, 'out', 'deid-report.json')));
			assert.deepEqual(files(join(d, 'out')).filter((f) => /deid-tmp/.test(f)), []);
		}
	});
	it('a file name of 250 bytes is de-identified (temporaries are short whatever the name)', () => {
		const d = fresh();
		mkdirSync(join(d, 'in'));
		const name = `${'n'.repeat(246)}.txt`;
		writeFileSync(join(d, 'in', name), 'Mr. John Jones called.\n');
		const r = runCli(['deidentify', 'in', 'out', '--workers', '1'], { cwd: d });
		assert.equal(r.code, 0, r.stderr + r.stdout);
		assert.ok(existsSync(join(d, 'out', name)));
	});
	it('broken and looping links, pipes and bad connection strings get a message', () => {
		const d = fresh();
		symlinkSync(join(d, 'nowhere'), join(d, 'broken'));
		symlinkSync(join(d, 'loop'), join(d, 'loop'));
		let r = runCli(['deidentify', 'broken', 'o1'], { cwd: d });
		assert.equal(r.code, 2);
		assert.match(r.stderr, /broken symbolic link/);
		r = runCli(['deidentify', 'loop', 'o2'], { cwd: d });
		assert.equal(r.code, 2);
		assert.match(r.stderr, /symbolic link that loops/);
		for (const args of [['scan', 'broken'], ['scan', 'loop']]) {
			r = runCli(args, { cwd: d });
			assert.equal(r.code, 2);
			clean(r.stderr);
		}
		writeFileSync(join(d, 'cs'), 'not a connection string');
		writeFileSync(join(d, 'token'), 'x'.repeat(40));
		r = runCli(['serve', '--port', '0', '--token-file', 'token', '--storage-connection-string-file', 'cs'], { cwd: d });
		assert.equal(r.code, 2);
		clean(r.stderr);
		assert.match(r.stderr, /connection string is not usable: it needs AccountName and AccountKey/);
		assert.doesNotMatch(r.stderr, /not a connection string/, 'the secret is never echoed');
		const e = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--token-file', 'token'], { cwd: d, encoding: 'utf8', env: { ...process.env, DEID_STORAGE_CONNECTION_STRING: 'AccountName=a;AccountKey=***' } });
		assert.equal(e.status, 2);
		assert.match(e.stderr, /AccountKey is not base64/);
	});
	it('a FIFO named like a note never blocks scan or deidentify', () => {
		const d = fresh();
		mkdirSync(join(d, 'f'));
		execFileSync('mkfifo', [join(d, 'f', 'a.txt')]);
		writeFileSync(join(d, 'f', 'b.txt'), 'Mr. John Jones called.\n');
		for (const args of [['scan', '--json', 'f'], ['scan', 'f/a.txt'], ['deidentify', 'f/a.txt', 'o.txt'], ['deidentify', 'f', 'out']]) {
			const r = spawnSync(process.execPath, [CLI, ...args], { cwd: d, encoding: 'utf8', timeout: 60_000 });
			assert.notEqual(r.signal, 'SIGTERM', `${args.join(' ')} hung`);
			clean(r.stderr);
			if (args[0] === 'scan') {
				assert.equal(r.status, 2, `${args.join(' ')}: skipped input is not a success`);
				assert.match(r.stderr, /not a regular file/);
			}
		}
		const out = JSON.parse(readFileSync(join(d, 'out', 'deid-report.json'), 'utf8')) as { files: { path: string; status: string; reason?: string }[] };
		assert.deepEqual(out.files.map((f) => [f.path, f.status]), [['a.txt', 'skipped'], ['b.txt', 'done']]);
	});
	it('scan exits 2 when a file was skipped (binary), and UTF-16 with a byte-order mark is read, not called binary', () => {
		const d = fresh();
		writeFileSync(join(d, 'bin.txt'), Buffer.from([0x50, 0x4b, 0, 0, 1, 2]));
		let r = runCli(['scan', 'bin.txt'], { cwd: d });
		assert.equal(r.code, 2);
		const text = 'Seen by Dr. John Jones on 3/4/2019.\n';
		const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
		const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
		mkdirSync(join(d, 'in'));
		writeFileSync(join(d, 'in', 'le.txt'), le);
		writeFileSync(join(d, 'in', 'be.txt'), be);
		r = runCli(['scan', '--json', 'in'], { cwd: d });
		assert.equal(r.code, 0, r.stderr);
		const found = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { findings: { type: string }[] });
		for (const f of found) assert.deepEqual(f.findings.map((x) => x.type).sort(), ['Date', 'Doctor']);
		r = runCli(['deidentify', 'in', 'out'], { cwd: d });
		assert.equal(r.code, 0, r.stderr);
		const outLe = readFileSync(join(d, 'out', 'le.txt'));
		const outBe = readFileSync(join(d, 'out', 'be.txt'));
		assert.deepEqual([...outLe.subarray(0, 2)], [0xff, 0xfe]);
		assert.deepEqual([...outBe.subarray(0, 2)], [0xfe, 0xff]);
		const decoded = new TextDecoder('utf-16le').decode(outLe.subarray(2));
		assert.equal(new TextDecoder('utf-16be').decode(outBe.subarray(2)), decoded);
		assert.match(decoded, /^Seen by Dr\. \[DOCTOR\] on \[DATE\]\.\n$/);
	});
	it('one NDJSON line with 150,000 findings is scanned, and a 4 MB line is de-identified within a worker\'s heap', () => {
		const d = fresh();
		writeFileSync(join(d, 'many.ndjson'), JSON.stringify({ note: 'Seen 3/4/2019 '.repeat(150_000) }) + '\n');
		let r = runCli(['scan', '--json', 'many.ndjson'], { cwd: d });
		assert.equal(r.code, 0, r.stderr.slice(0, 500));
		assert.ok((JSON.parse(r.stdout) as { findings: unknown[] }).findings.length >= 150_000);
		mkdirSync(join(d, 'in'));
		const note = 'Patient Margaret Okafor was seen by Dr. John Jones on 3/4/2019 for follow up of hypertension. '.repeat(45_000);
		writeFileSync(join(d, 'in', 'big.ndjson'), JSON.stringify({ resourceType: 'Note', text: note }) + '\n');
		r = runCli(['deidentify', 'in', 'out', '--workers', '1'], { cwd: d });
		assert.equal(r.code, 0, r.stdout + r.stderr);
		const out = readFileSync(join(d, 'out', 'big.ndjson'), 'utf8');
		assert.doesNotMatch(out, /Okafor|Jones/);
		assert.equal(JSON.parse(out).resourceType, 'Note');
	});
});

describe('PHI in file and folder names', () => {
	it('names are de-identified consistently in outputs, report, manifest and claims; no absolute input path is stored', () => {
		const d = fresh();
		const input = join(d, 'Okafor-Margaret-records');
		mkdirSync(join(input, 'Okafor-Margaret'), { recursive: true });
		mkdirSync(join(input, 'Smith-John'), { recursive: true });
		writeFileSync(join(input, 'Margaret Okafor 4829301.txt'), 'Seen on 3/4/2019.\n');
		writeFileSync(join(input, 'Okafor-Margaret', 'visit-2019-03-04.txt'), 'Seen on 3/4/2019.\n');
		writeFileSync(join(input, 'Okafor-Margaret', 'summary.txt'), 'Seen.\n');
		writeFileSync(join(input, 'Okafor-Margaret', 'visit-555-0199.txt'), 'Seen.\n');
		writeFileSync(join(input, 'Smith-John', 'summary.txt'), 'Seen.\n');
		for (const op of ['redact', 'surrogate']) {
			const out = join(d, `out-${op}`);
			const r = runCli(['deidentify', input, out, '--operation', op, '--key-file', join(__dirname, '..', '..', '..', 'test', 'fixtures', 'test.key')]);
			assert.equal(r.code, 0, r.stderr);
			const names = files(out);
			const everything = names.join('\n') + names.map((f) => readFileSync(join(out, f), 'utf8')).join('\n') + r.stdout + r.stderr;
			for (const phi of ['Okafor', 'Margaret', '4829301', 'Smith', '2019-03-04', '555-0199']) assert.ok(!everything.includes(phi), `${op}: "${phi}" is in a name, report, manifest or message`);
			assert.equal(names.filter((f) => f.endsWith('summary.txt')).length, 2, `${op}: two patients' folders keep distinct names: ${names}`);
			// one folder, one output name for all its files
			const folders = new Set(names.filter((f) => f.includes('/')).map((f) => f.split('/')[0]));
			assert.equal(folders.size, 2);
			const manifest = JSON.parse(readFileSync(join(out, 'deid-manifest.json'), 'utf8'));
			assert.equal(manifest.input, undefined);
			assert.ok(!JSON.stringify(manifest).includes(d), 'no absolute path in the manifest');
		}
	});
	it('deid scan reports PHI in the names below the folder it was given', () => {
		const d = fresh();
		mkdirSync(join(d, 'in', 'Okafor-Margaret'), { recursive: true });
		writeFileSync(join(d, 'in', 'Okafor-Margaret', 'note.txt'), 'Seen.\n');
		const r = runCli(['scan', '--json', 'in'], { cwd: d });
		const j = JSON.parse(r.stdout) as { path: string; pathFindings?: { start: number; end: number; type: string }[] };
		assert.equal(j.pathFindings?.length, 1);
		assert.equal(j.path.slice(j.pathFindings![0].start, j.pathFindings![0].end), 'Okafor-Margaret');
	});
	it('clashing replaced names get distinct suffixes in linear time', () => {
		const names = new Map<string, string>([['summary.txt', 'summary.txt']]);
		for (let i = 0; i < 20000; i++) names.set(`p${i}.txt`, '[PATIENT].txt');
		names.set('x', 'summary.txt');
		const t = process.hrtime.bigint();
		const out = distinctNames(names);
		assert.ok(Number(process.hrtime.bigint() - t) / 1e6 < 5000);
		assert.equal(new Set(out.values()).size, names.size);
		assert.equal(out.get('p0.txt'), '[PATIENT].txt');
		assert.equal(out.get('p1.txt'), '[PATIENT]-2.txt');
		assert.equal(out.get('x'), 'summary-2.txt');
	});
});

describe('secrets', () => {
	it('key files: one format shared with the extension; a passphrase or a cut key is refused', () => {
		const d = fresh();
		writeFileSync(join(d, 'n.txt'), 'x\n');
		const hex32 = '9f2c1e7a4b6d8e0f1a3c5e7f9b2d4f6a';
		const key32 = Buffer.alloc(32, 7);
		const cases: [string, boolean][] = [
			[hex32, true],
			[key32.toString('hex'), true],
			[key32.toString('base64'), true],
			[key32.toString('base64url'), true],
			['correct horse battery staple', false],
			['MySecretPassphrase2024', false],
			[key32.toString('hex').slice(0, 63), false],
			[key32.toString('base64').slice(0, 40), false],
		];
		for (const [text, ok] of cases) {
			writeFileSync(join(d, 'k'), text + '\n');
			const r = runCli(['deidentify', 'n.txt', `o${n++}.txt`, '--key-file', 'k', '--operation', 'surrogate'], { cwd: d });
			assert.equal(r.code, ok ? 0 : 2, `${text}: ${r.stderr}`);
			if (!ok) assert.match(r.stderr, /not a key; a key file holds 64 hex digits/);
			assert.equal(!!parseKeyText(text), ok);
		}
		// a 32-digit hex key is hex in both the CLI and the extension (it was base64 in the CLI)
		assert.equal(keyFingerprint(parseKeyText(hex32)!), keyFingerprint(Buffer.from(hex32, 'hex')));
	});
	it('--help says how to pass storage secrets without the command line; the flags warn', () => {
		const h = runCli(['--help']).stdout;
		assert.match(h, /DEID_STORAGE_CONNECTION_STRING/);
		assert.match(h, /--storage-connection-string-file/);
		assert.match(h, /--storage-sas-file/);
		const r = runCli(['serve', '--port', '0', '--token-file', '/nonexistent', '--storage-connection-string', 'AccountName=a;AccountKey=AAAA']);
		assert.match(r.stderr, /puts a secret on the command line/);
	});
	it('manifest and claims are 0600; --no-resume deletes the claims file and does not resume', async () => {
		const d = fresh();
		mkdirSync(join(d, 'in'));
		for (let i = 0; i < 3; i++) writeFileSync(join(d, 'in', `${i}.txt`), `Mr. John Jones saw Ann Lee ${i}.\n`);
		const key = Buffer.alloc(32, 3);
		const base = { input: join(d, 'in'), output: join(d, 'out'), operation: 'surrogate' as const, detect: {}, dicts: loadDictionaries, key, workers: 0 };
		await runFolderJob(base);
		for (const f of ['deid-manifest.json', 'deid-manifest.claims.ndjson']) assert.equal(statSync(join(d, 'out', f)).mode & 0o777, 0o600, f);
		const again = await runFolderJob({ ...base, fresh: true });
		assert.equal(again.totals.done, 3);
		assert.ok(!existsSync(join(d, 'out', 'deid-manifest.claims.ndjson')));
	});
});

describe('resuming', () => {
	it('a resumed run never lists fewer finished files than the run before it, even when stopped while it checks them', async () => {
		const d = fresh();
		mkdirSync(join(d, 'in'));
		for (let i = 0; i < 40; i++) writeFileSync(join(d, 'in', `${String(i).padStart(2, '0')}.txt`), `Mr. John Jones ${i}.\n`);
		const base = { input: join(d, 'in'), output: join(d, 'out'), operation: 'redact' as const, detect: {}, dicts: loadDictionaries, key: Buffer.alloc(32, 1), workers: 0 };
		await runFolderJob(base);
		const count = () => (JSON.parse(readFileSync(join(d, 'out', 'deid-manifest.json'), 'utf8')) as { files: unknown[] }).files.length;
		assert.equal(count(), 40);
		// every finish saves the manifest (the clock jumps), and the run is stopped half way
		let clock = 0;
		const seen: number[] = [];
		const controller = new AbortController();
		const r = await runFolderJob({
			...base,
			now: () => (clock += 5000),
			signal: controller.signal,
			onProgress: (p) => {
				seen.push(count());
				if (p.done === 20) controller.abort();
			},
		});
		assert.ok(seen.length >= 20);
		assert.ok(Math.min(...seen) >= 40, `the manifest shrank to ${Math.min(...seen)}`);
		assert.equal(count(), 40, `after the stop: ${count()} (cancelled: ${r.cancelled})`);
	});
});

describe('large NDJSON records', () => {
	it('a record with values longer than a piece: every value de-identified, small fields keep their field-name context, the line stays JSON', async () => {
		const { deidentifyNdjson, LARGE_RECORD_CHARS } = await import('../../server/src/engine');
		const dicts = loadDictionaries();
		const note = 'Seen by Dr. John Jones on 3/4/2019 at Mercy Hospital. '.repeat(Math.ceil((LARGE_RECORD_CHARS * 2) / 55));
		const records = [
			{ resourceType: 'Note', subject: { family: 'Okafor', given: ['Margaret'] }, text: note, more: [note.slice(0, 20000), 'Call 617-555-0123'] },
			{ family: 'Okafor' },
		];
		const input = records.map((r) => JSON.stringify(r)).join('\n') + '\n{not json ' + note + '\n';
		const t = { operation: 'redact' as const };
		const r = deidentifyNdjson(input, dicts, {}, t);
		const lines = r.output.split('\n');
		assert.equal(lines.length, 4);
		const first = JSON.parse(lines[0]);
		assert.equal(first.resourceType, 'Note');
		assert.equal(first.subject.family, '[PATIENT]');
		assert.doesNotMatch(r.output, /Jones|Okafor|617-555-0123|3\/4\/2019/);
		assert.equal(JSON.parse(lines[1]).family, '[PATIENT]');
		assert.equal(r.problems.length, 1);
		assert.equal(r.problems[0].line, 2);
		assert.ok((r.counts.Doctor ?? 0) >= 2 * Math.ceil((LARGE_RECORD_CHARS * 2) / 55));
		// short lines alone: exactly deidentifyDocument
		const short = records.slice(1).map((x) => JSON.stringify(x)).join('\n');
		const { deidentifyDocument } = await import('../../server/src/engine');
		assert.equal(deidentifyNdjson(short, dicts, {}, t).output, deidentifyDocument(short, 'ndjson', dicts, {}, t).output);
	});
});

describe('names in file names (generated)', () => {
	const seed = Number(process.env.DEID_TEST_SEED ?? Date.now() % 100000);
	let s = seed;
	const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
	const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
	const cap = (w: string) => w[0].toUpperCase() + w.slice(1);
	it(`a patient's name in the usual file-naming shapes is found (seed ${seed})`, async () => {
		const { detectInName } = await import('../../server/src/engine');
		const dicts = indexDictionariesFromJson();
		// common census names: the top ranks of each list
		const firsts = [...dicts.firstNames].filter(([, v]) => v.rank <= 300).map(([k]) => k);
		const lasts = [...dicts.lastNames].filter(([, v]) => v.rank <= 2000).map(([k]) => k);
		const shapes = [
			(f: string, l: string) => `${cap(l)}-${cap(f)}`,
			(f: string, l: string) => `${cap(f)}_${cap(l)}.txt`,
			(f: string, l: string) => `${cap(f)} ${cap(l)} 4829301.txt`,
			(f: string, l: string) => `${cap(l)}, ${cap(f)} - 2019-03-04.txt`,
			(f: string, l: string) => `${l.toUpperCase()}_${f.toUpperCase()}_MRN.txt`,
			(f: string, l: string) => `${cap(f)}.${cap(l)}.note`,
		];
		const missed: string[] = [];
		for (let i = 0; i < 300; i++) {
			const f = pick(firsts);
			const l = pick(lasts);
			const name = pick(shapes)(f, l);
			const found = detectInName(name, dicts, {});
			const covered = (w: string) => found.some((x) => name.slice(x.start, x.end).toLowerCase().includes(w));
			if (!covered(f) || !covered(l)) missed.push(name);
		}
		assert.ok(missed.length <= 3, `seed ${seed}: ${missed.length} of 300 missed, e.g. ${missed.slice(0, 5).join(' | ')}`);
	});
	it('document-kind file names hold no PHI', async () => {
		const { detectInName } = await import('../../server/src/engine');
		const dicts = loadDictionaries();
		const kinds = ['discharge-summary', 'progress_note', 'lab-results', 'nota-clinica', 'informe-alta', 'radiology report', 'admission-note', 'operative_report', 'ecg', 'medication-list', 'nursing notes', 'pathology-report', 'consult note', 'referral-letter', 'notas-de-evolucion', 'informe-de-alta', 'vital-signs', 'allergies', 'imaging', 'triage'];
		const flagged: string[] = [];
		for (const k of kinds) for (const ext of ['.txt', '.md', '.ndjson']) for (const name of [k + ext, `${k}-2${ext}`, `${k.replace(/[-_ ]/g, '_').toUpperCase()}${ext}`]) if (detectInName(name, dicts, {}).length) flagged.push(name);
		assert.ok(flagged.length <= 2, `flagged: ${flagged.join(', ')}`);
	});
});
