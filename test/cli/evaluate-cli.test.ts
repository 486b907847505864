import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, root, runCli } from '../helpers/cli';

let dir: string;
const NOTE = 'Seen by Dr. Whitfield on 3/14/2031. Call 617-555-0123.\n';

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'deid-evaluate-'));
	const good = join(dir, 'good');
	mkdirSync(good);
	const at = (s: string) => [NOTE.indexOf(s), NOTE.indexOf(s) + s.length];
	const [d0, d1] = at('Whitfield'), [t0, t1] = at('3/14/2031'), [p0, p1] = at('617-555-0123');
	writeFileSync(join(good, 'a.txt'), NOTE);
	writeFileSync(join(good, 'a.ann'), `T1\tDOCTOR ${d0} ${d1}\tWhitfield\nT2\tDATE ${t0} ${t1}\t3/14/2031\nT3\tPHONE ${p0} ${p1}\t617-555-0123\n`);
	writeFileSync(join(good, 'b.txt'), NOTE);
	writeFileSync(join(good, 'b.deid.json'), JSON.stringify({ version: 1, annotations: [{ type: 'Doctor', start: d0, end: d1 }, { type: 'Date', start: t0, end: t1 }, { type: 'Phone', start: p0, end: p1 }] }));
	// a byte-order mark: brat offsets count it
	writeFileSync(join(good, 'c.txt'), '\ufeff' + NOTE);
	writeFileSync(join(good, 'c.ann'), `T1\tMYDOC ${d0 + 1} ${d1 + 1}\tWhitfield\nT2\tDATE ${t0 + 1} ${t1 + 1}\t3/14/2031\nT3\tPHONE ${p0 + 1} ${p1 + 1}\t617-555-0123\n`);
	writeFileSync(join(dir, 'labels.json'), JSON.stringify({ MYDOC: 'Doctor' }));
	const bad = join(dir, 'bad');
	mkdirSync(bad);
	writeFileSync(join(bad, 'a.txt'), NOTE);
	writeFileSync(join(bad, 'a.ann'), `T1\tDOCTOR ${d0} ${d1}\tWhitfield\n`);
	writeFileSync(join(bad, 'nopair.txt'), NOTE);
	writeFileSync(join(bad, 'broken.txt'), NOTE);
	writeFileSync(join(bad, 'broken.ann'), 'T1\tDOCTOR 12 x\tWhitfield\n');
	writeFileSync(join(bad, 'binary.txt'), Buffer.from([0x50, 0x4b, 0x00, 0x00]));
	writeFileSync(join(bad, 'binary.ann'), '');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('deid evaluate', () => {
	it('scores brat, JSON and byte-order-marked notes the same when the detector finds the gold', () => {
		const r = runCli(['evaluate', '--json', '--labels', join(dir, 'labels.json'), join(dir, 'good')]);
		assert.equal(r.code, 0, r.stderr);
		const res = JSON.parse(r.stdout);
		assert.equal(res.documents, 3);
		assert.equal(res.strict.gold, 9);
		// the same note three times: each document's figures are the same
		const one = JSON.parse(runCli(['evaluate', '--json', '--format', 'json', join(dir, 'good')]).stdout);
		assert.equal(one.documents, 1);
		for (const k of ['strict', 'chars', 'strictTyped', 'charsTyped']) {
			assert.equal(res[k].precision, one[k].precision, k);
			assert.equal(res[k].recall, one[k].recall, k);
		}
		assert.ok(res.perType.Doctor.strict.gold === 3 && res.perType.Date.strict.gold === 3);
		const table = runCli(['evaluate', '--labels', join(dir, 'labels.json'), join(dir, 'good')]);
		assert.match(table.stdout, /^documents 3\n/);
		assert.match(table.stdout, /\nall \(any type\) +9 /);
	});
	it('reports an unmapped label and counts it as untyped PHI; --format brat skips a note with only JSON', () => {
		const r = runCli(['evaluate', '--json', '--format', 'brat', join(dir, 'good')]);
		assert.equal(r.code, 1, r.stderr);
		assert.match(r.stderr, /b\.txt: no \.ann beside it; skipped/);
		assert.match(r.stderr, /label MYDOC maps to no entity type/);
		assert.equal(JSON.parse(r.stdout).perType.unmapped.strict.gold, 1);
	});
	it('names each bad file, goes on, and exits 2 when a note could not be read', () => {
		const r = runCli(['evaluate', join(dir, 'bad')]);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /nopair\.txt: no \.ann or \.deid\.json beside it; skipped/);
		assert.match(r.stderr, /broken\.ann:1: malformed T line: offsets/);
		assert.match(r.stderr, /binary\.txt: binary file/);
		assert.doesNotMatch(r.stderr + r.stdout, /Whitfield/);
		assert.match(r.stdout, /^documents 1\n/);
	});
	it('exits 1 when notes were skipped but all notes read; 2 on bad usage', () => {
		rmSync(join(dir, 'bad', 'binary.txt'));
		const r = runCli(['evaluate', join(dir, 'bad')]);
		assert.equal(r.code, 1, r.stderr);
		assert.equal(runCli(['evaluate', '--format', 'xml', join(dir, 'good')]).code, 2);
		assert.match(runCli(['evaluate', '--labels', join(dir, 'missing.json'), join(dir, 'good')]).stderr, /--labels .*missing\.json: not readable/);
		assert.equal(runCli(['evaluate', join(dir, 'empty-does-not-exist')]).code, 2);
		assert.equal(runCli(['evaluate', '--bogus', join(dir, 'good')]).code, 2);
		assert.match(runCli(['evaluate', '--help']).stdout, /deid evaluate <dir>/);
	});
});

// The shared brat scorer on the same predictions: `deid scan --json` findings, moved past a byte-order mark where
// the note has one (brat offsets count it; evaluate does the same).
const shared = join(root, '..', 'shared');
const meddocan = join(shared, 'corpora', 'meddocan', 'dev');
describe('deid evaluate on MEDDOCAN dev', () => {
	const skip = existsSync(meddocan) && existsSync(join(shared, 'bench', 'score-brat.mjs')) ? false : `../shared not found (${meddocan}); comparison with the shared scorer skipped`;
	if (skip) console.log(`# ${skip}`);
	it('gives the shared scorer\'s figures', { skip, timeout: 600_000 }, () => {
		const tmp = mkdtempSync(join(tmpdir(), 'deid-evaluate-es-'));
		try {
			const scan = spawnSync(process.execPath, [CLI, 'scan', '--json', '--language', 'es', meddocan], { encoding: 'utf8', maxBuffer: 1 << 28 });
			assert.ok(scan.status === 0 || scan.status === 1, scan.stderr);
			const lines = scan.stdout.trim().split('\n').map((l) => {
				const row = JSON.parse(l) as { path: string; findings: { start: number; end: number }[] };
				const b = readFileSync(row.path);
				const shift = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 1 : 0;
				return JSON.stringify({ ...row, findings: row.findings.map((f) => ({ ...f, start: f.start + shift, end: f.end + shift })) });
			});
			writeFileSync(join(tmp, 'scan.jsonl'), lines.join('\n') + '\n');
			const score = spawnSync(process.execPath, [join(shared, 'bench', 'score-brat.mjs'), meddocan, join(tmp, 'scan.jsonl'), '--json', join(tmp, 'score.json')], { encoding: 'utf8' });
			assert.equal(score.status, 0, score.stderr);
			const want = JSON.parse(readFileSync(join(tmp, 'score.json'), 'utf8'));
			const ev = spawnSync(process.execPath, [CLI, 'evaluate', '--json', '--language', 'es', meddocan], { encoding: 'utf8', maxBuffer: 1 << 28 });
			assert.equal(ev.status, 0, ev.stderr);
			const got = JSON.parse(ev.stdout);
			console.log(`# MEDDOCAN dev: deid evaluate strict F1 ${got.strict.f1.toFixed(3)}, chars F1 ${got.chars.f1.toFixed(3)}; shared scorer ${want.strict.f1.toFixed(3)}, ${want.chars.f1.toFixed(3)}`);
			assert.equal(got.documents, want.docs);
			assert.equal(got.strict.gold, want.goldSpans);
			assert.equal(got.strict.predicted, want.predSpans);
			for (const k of ['precision', 'recall', 'f1']) {
				assert.equal(got.strict[k], want.strict[k], `strict ${k}`);
				assert.equal(got.chars[k], want.chars[k], `chars ${k}`);
			}
			for (const [label, v] of Object.entries(want.perType as Record<string, { gold: number; strictRecall: number }>)) {
				assert.deepEqual([got.perLabel[label].gold, got.perLabel[label].recall], [v.gold, v.strictRecall], label);
			}
		} finally {
			rmSync(tmp, { recursive: true, force: true });
		}
	});
});
