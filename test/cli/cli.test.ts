import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { CLI, runCli, root } from '../helpers/cli';
import { ENTITY_TYPES } from '../../server/src/engine';

let dir: string;
const hashOf = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'deid-cli-'));
	const input = join(dir, 'in');
	mkdirSync(join(input, 'p1'), { recursive: true });
	writeFileSync(join(input, 'p1', 'note.txt'), 'Seen by Dr. Whitfield on 3/14/2031. Call 617-555-0123.\n');
	writeFileSync(join(input, 'crlf.txt'), 'Mrs. Okafor\r\nMRN: 4821390\r\n');
	writeFileSync(join(input, 'bom.txt'), '\ufeffDr. Whitfield saw her.');
	writeFileSync(join(input, 'empty.txt'), '');
	writeFileSync(join(input, 'binary.txt'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff]));
	writeFileSync(join(input, 'latin1.txt'), Buffer.from([0x44, 0x72, 0x2e, 0x20, 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]));
	writeFileSync(join(input, 'records.ndjson'), '{"note":"Dr. Whitfield called 617-555-0188"}\n{broken json 617-555-0199\n\n');
	writeFileSync(join(input, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
	writeFileSync(join(input, 'long-line.txt'), 'word '.repeat(200000) + 'Dr. Whitfield');
	symlinkSync(join(input, 'p1', 'note.txt'), join(input, 'link.txt'));
	writeFileSync(join(input, 'unreadable.txt'), 'Dr. Whitfield');
	chmodSync(join(input, 'unreadable.txt'), 0o000);
});
after(() => {
	try {
		chmodSync(join(dir, 'in', 'unreadable.txt'), 0o644);
	} catch {
		// ignore
	}
	rmSync(dir, { recursive: true, force: true });
});

describe('deid scan', () => {
	it('--json prints one line per file with findings and UTF-16 offsets (BOM excluded)', () => {
		const r = runCli(['scan', '--json', join(dir, 'in', 'bom.txt'), join(dir, 'in', 'p1', 'note.txt')]);
		assert.equal(r.code, 0, r.stderr);
		const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
		assert.equal(lines.length, 2);
		const bom = lines[0];
		const f = bom.findings.find((x: { type: string }) => x.type === 'Doctor');
		assert.equal('Dr. Whitfield saw her.'.slice(f.start, f.end), 'Whitfield');
		assert.deepEqual(Object.keys(f).sort(), ['confidence', 'detector', 'end', 'start', 'type']);
	});

	it('a file larger than one piece is scanned in pieces with file offsets and line numbers', () => {
		const big = join(dir, 'big');
		mkdirSync(big, { recursive: true });
		const para = 'Seen by Dr. Whitfield today; daughter called from 617-555-0123.\n' + 'Vital signs stable overnight, tolerating diet, ambulating with assistance. '.repeat(30) + '\n\n';
		const n = Math.ceil((3 << 20) / para.length);
		writeFileSync(join(big, 'big.txt'), para.repeat(n));
		// NDJSON: a malformed line past the first piece is reported with its own line number
		const rec = '{"note":"stable overnight, tolerating diet"}\n';
		const m = Math.ceil((2 << 20) / rec.length);
		writeFileSync(join(big, 'big.ndjson'), rec.repeat(m) + '{broken\n' + rec);
		const r = runCli(['scan', '--json', big]);
		assert.equal(r.code, 0, r.stderr);
		const text = readFileSync(join(big, 'big.txt'), 'utf8');
		const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l)) as { path: string; findings: { start: number; end: number; type: string }[] }[];
		const txt = out.find((o) => o.path.endsWith('big.txt'))!;
		assert.equal(txt.findings.filter((f) => f.type === 'Doctor').length, n);
		assert.equal(txt.findings.filter((f) => f.type === 'Phone').length, n);
		for (const f of txt.findings) assert.ok(['Whitfield', '617-555-0123'].includes(text.slice(f.start, f.end)), text.slice(f.start, f.end));
		assert.match(r.stderr, new RegExp(`big\\.ndjson:${m + 1}: Line ${m + 1} is not valid JSON`));
	});

	it('a readable table without --json, and --fail-on-findings exits 1', () => {
		const r = runCli(['scan', '--fail-on-findings', join(dir, 'in', 'p1')]);
		assert.equal(r.code, 1);
		assert.match(r.stdout, /note\.txt:1:\d+\tDoctor/);
		assert.ok(!r.stdout.includes('Whitfield'), 'the table never prints PHI');
	});

	it('bad arguments and missing input exit 2 with a clear message', () => {
		assert.equal(runCli(['scan']).code, 2);
		assert.equal(runCli(['frobnicate']).code, 2);
		assert.equal(runCli(['scan', '--bogus', 'x']).code, 2);
		const r = runCli(['scan', join(dir, 'nope')]);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /not found or unreadable/);
		assert.equal(runCli(['deidentify', 'a']).code, 2);
		assert.match(runCli(['deidentify', join(dir, 'in'), join(dir, 'x'), '--redaction-format', '{type}{type}']).stderr, /only once/);
	});
	it('output piped into a reader that stops early ends quietly (no EPIPE crash)', () => {
		// enough findings that the output overflows the pipe buffer after the reader has gone
		const big = mkdtempSync(join(tmpdir(), 'deid-epipe-'));
		writeFileSync(join(big, 'many.txt'), 'Dr. Whitfield saw Mrs. Okafor on 3/14/2021, call 617-555-0199.\n'.repeat(20000));
		const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" scan "${big}" | head -c 10 > /dev/null; echo done`], { cwd: root, encoding: 'utf8' });
		rmSync(big, { recursive: true, force: true });
		assert.match(r.stdout, /done/);
		assert.doesNotMatch(r.stderr, /EPIPE|Unhandled/);
	});
	it('waits for a slow reader of its output (nothing lost, nothing queued without bound) and stops cleanly when the reader goes', () => {
		const big = mkdtempSync(join(tmpdir(), 'deid-slow-'));
		try {
			// 30 files whose findings each print far more than a pipe holds
			for (let i = 0; i < 30; i++) writeFileSync(join(big, `n${i}.txt`), 'Dr. Whitfield saw Mrs. Okafor on 3/14/2021, call 617-555-0199.\n'.repeat(3000));
			const slow = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" scan --json "${big}" | (sleep 1; wc -l)`], { cwd: root, encoding: 'utf8' });
			assert.equal(slow.stdout.trim(), '30', slow.stderr);
			const gone = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" scan --json "${big}" | head -c 10 > /dev/null; echo done`], { cwd: root, encoding: 'utf8', timeout: 60_000 });
			assert.match(gone.stdout, /done/);
			assert.doesNotMatch(gone.stderr, /EPIPE|Unhandled/);
		} finally {
			rmSync(big, { recursive: true, force: true });
		}
	});
});

describe('deid deidentify', () => {
	it('mirrors a folder, never touches sources, reports bad input and keeps going', () => {
		const input = join(dir, 'in');
		const note = join(input, 'p1', 'note.txt');
		const before = hashOf(note);
		const out = join(dir, 'out');
		const r = runCli(['deidentify', input, out, '--operation', 'redact']);
		assert.equal(r.code, 1, r.stdout + r.stderr); // some files failed (binary, latin1, unreadable)
		assert.equal(hashOf(note), before);
		const red = readFileSync(join(out, 'p1', 'note.txt'), 'utf8');
		assert.ok(!red.includes('Whitfield') && !red.includes('617-555-0123'), red);
		assert.match(red, /\[DOCTOR\]/);
		assert.equal(readFileSync(join(out, 'crlf.txt'), 'utf8').includes('\r\n'), true);
		assert.equal(readFileSync(join(out, 'bom.txt'), 'utf8').charCodeAt(0), 0xfeff);
		assert.equal(readFileSync(join(out, 'empty.txt'), 'utf8'), '');
		const nd = readFileSync(join(out, 'records.ndjson'), 'utf8').split('\n');
		JSON.parse(nd[0]);
		assert.ok(!nd[1].includes('617-555-0199'));
		assert.ok(!existsSync(join(out, 'image.png')));
		assert.ok(!existsSync(join(out, 'link.txt')));
		const report = JSON.parse(readFileSync(join(out, 'deid-report.json'), 'utf8'));
		const byPath = Object.fromEntries(report.files.map((f: { path: string }) => [f.path, f]));
		assert.equal(byPath['binary.txt'].status, 'failed');
		assert.match(byPath['binary.txt'].reason, /binary/);
		assert.match(byPath['latin1.txt'].reason, /invalid UTF-8/);
		assert.equal(byPath['link.txt'].status, 'skipped');
		assert.match(byPath['link.txt'].reason, /symbolic link/);
		assert.equal(byPath['image.png'].status, 'skipped');
		assert.match(byPath['records.ndjson'].reason, /malformed NDJSON/);
		if (process.getuid?.() !== 0) assert.equal(byPath['unreadable.txt'].status, 'failed');
		const reportText = readFileSync(join(out, 'deid-report.json'), 'utf8') + readFileSync(join(out, 'deid-report.md'), 'utf8');
		for (const phi of ['Whitfield', 'Okafor', '617-555', '3/14/2031', '4821390']) assert.ok(!reportText.includes(phi), `report leaks ${phi}`);
	});

	it('refuses an output inside the input', () => {
		const r = runCli(['deidentify', join(dir, 'in'), join(dir, 'in', 'out')]);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /may not be the input folder, lie inside it, or contain it/);
	});

	it('a rerun skips finished files and gives identical output', () => {
		const out = join(dir, 'out2');
		runCli(['deidentify', join(dir, 'in', 'p1'), out, '--operation', 'surrogate', '--key-file', join(root, 'test', 'fixtures', 'test.key')]);
		const first = hashOf(join(out, 'note.txt'));
		runCli(['deidentify', join(dir, 'in', 'p1'), out, '--operation', 'surrogate', '--key-file', join(root, 'test', 'fixtures', 'test.key')]);
		assert.equal(hashOf(join(out, 'note.txt')), first);
		const text = readFileSync(join(out, 'note.txt'), 'utf8');
		assert.ok(!text.includes('Whitfield'));
	});

	it('the bundled samples cover every entity type', () => {
		const r = runCli(['scan', '--json', '--ages', 'all', '--min-confidence', '0.4', join(root, 'samples')]);
		assert.equal(r.code, 0, r.stderr);
		const types = new Set(r.stdout.trim().split('\n').flatMap((l) => JSON.parse(l).findings.map((f: { type: string }) => f.type)));
		assert.deepEqual(ENTITY_TYPES.filter((t) => !types.has(t)), []);
	});

	it('the bundled samples de-identify with nothing failed', () => {
		const out = join(dir, 'samples-out');
		const r = runCli(['deidentify', join(root, 'samples'), out]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.match(r.stdout, /De-identified 5 of 5 files/);
	});
});
