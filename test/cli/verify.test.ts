// deid verify and the verify pass at a folder job's end: planted names and replaced values are found, the report
// names them by type and offset only, and the candidate search is linear on adversarial input.
import { strict as assert } from 'node:assert';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { root, runCli } from '../helpers/cli';
import { writeFiles } from '../helpers/files';
import { runFolderJob, type JobReport } from '../../server/src/jobs/folderJob';
import type { VerifyReport } from '../../server/src/jobs/verify';
import { forEachCandidate, labelSpans, sensitiveOptions } from '../../server/src/engine/verify';
import { loadDictionaries } from '../../server/src/node/dictionaries';
import { parseKeyText } from '../../server/src/keyFormat';

const KEY = join(root, 'test', 'fixtures', 'test.key');
let dir: string;

const NOTES = {
	'p1/a.txt': 'Patient Margaret Okafor was seen at Mercy General Hospital on 03/04/2021.\nShe lives in Springfield. Call 617-555-0199.\n',
	'p2/b.txt': 'Follow-up visit. Labs normal, Lasix continued.\nFoley removed without difficulty.\n',
};

function verifyJson(out: string, ...args: string[]): { code: number; report: VerifyReport; stderr: string } {
	const r = runCli(['verify', out, '--json', ...args]);
	return { code: r.code, report: JSON.parse(r.stdout) as VerifyReport, stderr: r.stderr };
}

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'deid-verify-'));
	writeFiles(join(dir, 'in'), NOTES);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('deid verify', () => {
	it('reports a name planted in a redacted output after the job (detector), by position, never by text', () => {
		const out = join(dir, 'out-redact');
		const job = runCli(['deidentify', join(dir, 'in'), out, '--operation', 'redact', '--key-file', KEY]);
		assert.equal(job.code, 0, job.stderr);
		const before = verifyJson(out);
		assert.equal(before.code, 0, JSON.stringify(before.report));
		assert.equal(before.report.suspects, 0);
		assert.match(before.stderr, /replaced-values check was skipped/);
		appendFileSync(join(out, 'p2', 'b.txt'), 'Seen today by Jonathan Pemberton at home.\n');
		const r = runCli(['verify', out]);
		assert.equal(r.code, 1, r.stdout + r.stderr);
		assert.match(r.stdout, /^p2\/b\.txt:3:15\t(Patient|Doctor)\t[\d.]+\tdetector\t/m);
		assert.doesNotMatch(r.stdout + r.stderr, /Pemberton|Jonathan/);
		const j = verifyJson(out).report;
		const s = j.byFile.find((f) => f.path === 'p2/b.txt')!.suspects;
		const text = readFileSync(join(out, 'p2', 'b.txt'), 'utf8');
		assert.ok(s.some((x) => x.reason === 'detector' && text.slice(x.start, x.end).includes('Pemberton')), JSON.stringify(s));
	});

	it('reports an original the job replaced, planted into another output file (replaced), with the key only', () => {
		const out = join(dir, 'out-surrogate');
		const job = runCli(['deidentify', join(dir, 'in'), out, '--operation', 'surrogate', '--key-file', KEY]);
		assert.equal(job.code, 0, job.stderr);
		assert.ok(!readFileSync(join(out, 'p1', 'a.txt'), 'utf8').includes('Okafor'));
		assert.equal(verifyJson(out, '--key-file', KEY).report.suspects, 0, 'the job\'s own surrogates are no suspects');
		// lower case, in a sentence no detector reads as a name: only the replaced-values check can find it
		appendFileSync(join(out, 'p2', 'b.txt'), 'note copied from okafor file; springfield clinic.\n');
		const { code, report } = verifyJson(out, '--key-file', KEY);
		assert.equal(code, 1);
		assert.equal(report.replacedCheck, 'done');
		const text = readFileSync(join(out, 'p2', 'b.txt'), 'utf8');
		const rep = report.byFile.find((f) => f.path === 'p2/b.txt')!.suspects.filter((s) => s.reason === 'replaced');
		assert.deepEqual(rep.map((s) => text.slice(s.start, s.end)).sort(), ['okafor', 'springfield']);
		assert.ok(rep.every((s) => s.line === 2));
		// without the key the check is skipped and said to be
		const nokey = runCli(['verify', out]);
		assert.match(nokey.stderr, /replaced-values check was skipped: no key/);
		assert.doesNotMatch(nokey.stdout, /\treplaced\t/);
		// another key: skipped too (its digests would match nothing)
		const other = join(dir, 'other.key');
		writeFiles(dir, { 'other.key': 'ab'.repeat(32) });
		assert.match(runCli(['verify', out, '--key-file', other]).stderr, /not the job's key/);
	});

	it('a redact run records what it replaced too: an original planted afterwards is found (replaced)', () => {
		const out = join(dir, 'out-redact-key');
		const job = runCli(['deidentify', join(dir, 'in'), out, '--operation', 'redact', '--key-file', KEY]);
		assert.equal(job.code, 0, job.stderr);
		const clean = verifyJson(out, '--key-file', KEY);
		assert.equal(clean.report.replacedCheck, 'done');
		assert.equal(clean.report.suspects, 0, JSON.stringify(clean.report.byFile));
		// the claims file holds keyed digests only
		const claims = readFileSync(join(out, 'deid-manifest.claims.ndjson'), 'utf8');
		assert.doesNotMatch(claims, /okafor|springfield|margaret|mercy/i);
		appendFileSync(join(out, 'p2', 'b.txt'), 'note copied from okafor file; springfield clinic.\n');
		const { code, report } = verifyJson(out, '--key-file', KEY);
		assert.equal(code, 1);
		const text = readFileSync(join(out, 'p2', 'b.txt'), 'utf8');
		const rep = report.byFile.find((f) => f.path === 'p2/b.txt')!.suspects.filter((x) => x.reason === 'replaced');
		assert.deepEqual(rep.map((x) => text.slice(x.start, x.end)).sort(), ['okafor', 'springfield']);
		// a rerun resumes with the claims it recorded: the check still covers every file
		const again = runCli(['deidentify', join(dir, 'in'), out, '--operation', 'redact', '--key-file', KEY]);
		assert.equal(again.code, 0, again.stderr);
		assert.equal((JSON.parse(readFileSync(join(out, 'deid-report.json'), 'utf8')) as JobReport).verify?.replacedCheck, 'done');
		// NDJSON records too: a value replaced in one record, planted in another afterwards
		const ndIn = join(dir, 'in-nd');
		writeFiles(ndIn, { 'r.ndjson': '{"id":"1","note":"Seen Margaret Okafor at Mercy General Hospital."}\n{"id":"2","note":"Labs normal."}\n' });
		const ndOut = join(dir, 'out-nd');
		assert.equal(runCli(['deidentify', ndIn, ndOut, '--operation', 'redact', '--key-file', KEY]).code, 0);
		appendFileSync(join(ndOut, 'r.ndjson'), '{"id":"3","note":"copied from okafor chart"}\n');
		const nd = verifyJson(ndOut, '--key-file', KEY).report;
		const ndText = readFileSync(join(ndOut, 'r.ndjson'), 'utf8');
		assert.deepEqual(nd.byFile.flatMap((f) => f.suspects).filter((x) => x.reason === 'replaced').map((x) => ndText.slice(x.start, x.end)), ['okafor']);
		// a tag run replaces nothing, and says so
		const tagged = join(dir, 'out-tag');
		assert.equal(runCli(['deidentify', join(dir, 'in'), tagged, '--operation', 'tag', '--key-file', KEY, '--no-verify']).code, 0);
		assert.equal(verifyJson(tagged, '--key-file', KEY).report.replacedSkippedBecause, 'a tag run replaces no values');
	});

	it('refuses a folder that is no folder job output', () => {
		const r = runCli(['verify', join(dir, 'in')]);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /not a folder job's output/);
	});
});

describe('verify at the end of a folder job', () => {
	it('runs by default (a verify section in both reports) and not with --no-verify', () => {
		const out = join(dir, 'out-auto');
		assert.equal(runCli(['deidentify', join(dir, 'in'), out, '--operation', 'surrogate', '--key-file', KEY, '--no-resume']).code, 0);
		const rep = JSON.parse(readFileSync(join(out, 'deid-report.json'), 'utf8')) as JobReport;
		assert.ok(rep.verify, 'a verify section');
		assert.equal(rep.verify.files, 2);
		// --no-resume deletes the claims file, but only after the check used the job's own claims
		assert.equal(rep.verify.replacedCheck, 'done');
		assert.ok(!existsSync(join(out, 'deid-manifest.claims.ndjson')));
		assert.match(readFileSync(join(out, 'deid-report.md'), 'utf8'), /## Verify/);
		const off = join(dir, 'out-noverify');
		assert.equal(runCli(['deidentify', join(dir, 'in'), off, '--operation', 'redact', '--no-verify']).code, 0);
		assert.equal((JSON.parse(readFileSync(join(off, 'deid-report.json'), 'utf8')) as JobReport).verify, undefined);
		assert.doesNotMatch(readFileSync(join(off, 'deid-report.md'), 'utf8'), /## Verify/);
	});

	it('lists residual suspects by type and offset in the report, never the planted values', async () => {
		// a job with a high threshold leaves candidates the verify pass (0.25 lower) reports
		const out = join(dir, 'out-high');
		const inDir = join(dir, 'in-high');
		const planted = ['Okafor', 'Pemberton', 'Whitfield', 'Achterberg', 'Salcedo', 'Wendell'];
		writeFiles(inDir, {
			'n1.txt': `Mrs. Okafor called. Spoke with son Wendell Whitfield.\nSeen by pemberton; Achterberg to follow.\n`,
			'n2.txt': `Daughter Salcedo visited. Dr Whitfield aware.\n`,
		});
		const key = parseKeyText(readFileSync(KEY, 'utf8'))!;
		const report = await runFolderJob({ input: inDir, output: out, operation: 'redact', detect: { minConfidence: 0.95 }, dicts: loadDictionaries, key, verify: true, workers: 0 });
		assert.ok(report.verify && report.verify.suspects > 0, JSON.stringify(report.verify));
		assert.equal(report.verify.suspects, Object.values(report.verify.byType).reduce((a, c) => a + (c ?? 0), 0));
		const s = report.verify.byFile[0].suspects[0];
		assert.deepEqual(Object.keys(s).sort(), ['character', 'confidence', 'end', 'endCharacter', 'endLine', 'line', 'reason', 'start', 'type']);
		for (const f of ['deid-report.json', 'deid-report.md']) {
			const text = readFileSync(join(out, f), 'utf8');
			for (const v of planted) assert.ok(!text.toLowerCase().includes(v.toLowerCase()), `${f} holds a planted value`);
		}
		const md = readFileSync(join(out, 'deid-report.md'), 'utf8');
		assert.match(md, /\| n\d\.txt \| \d+:\d+ \| \d+–\d+ \| \w+ \| detector \|/);
	});
});

describe('verify helpers', () => {
	it('lowers every threshold by the margin, not below the floor', () => {
		assert.equal(sensitiveOptions({}).minConfidence, 0.25);
		assert.equal(sensitiveOptions({ minConfidence: 0.9, minConfidenceByType: { City: 0.3 } }).minConfidenceByType?.City, 0.2);
		assert.equal(sensitiveOptions({ minConfidence: 0.1 }).minConfidence, 0.1);
	});

	it('knows the labels and masks a job writes', () => {
		const t = 'Seen [PATIENT] and <doctor> ***** on x.';
		assert.deepEqual(labelSpans(t).map((s) => t.slice(s.start, s.end)), ['[PATIENT]', '*****']);
		assert.deepEqual(labelSpans(t, '<{type}>').map((s) => t.slice(s.start, s.end)), ['<doctor>', '*****']);
		const m = 'a ########## b';
		assert.deepEqual(labelSpans(m, '#{len}').map((s) => m.slice(s.start, s.end)), ['##########']);
	});

	it('finds candidates in linear work on adversarial input (steps counted)', () => {
		const shapes: [string, (n: number) => string][] = [
			['short words', (n) => 'ab '.repeat(n)],
			['one long word', (n) => 'a'.repeat(n * 3)],
			['long words', (n) => ('x'.repeat(100) + ' ').repeat(Math.ceil((n * 3) / 101))],
			['hyphen runs', (n) => 'a-'.repeat(n)],
			['at signs', (n) => 'a@b '.repeat(n)],
			['no spaces, dots', (n) => 'a.b.'.repeat(n)],
			['apostrophes', (n) => "o'".repeat(n)],
		];
		for (const [name, make] of shapes) {
			const per = (n: number) => {
				const text = make(n);
				return forEachCandidate(text, () => undefined) / text.length;
			};
			const small = per(2000);
			const large = per(32000);
			assert.ok(large <= small * 1.5 + 1, `${name}: ${small.toFixed(2)} → ${large.toFixed(2)} steps per character`);
			assert.ok(large < 200, `${name}: ${large.toFixed(1)} steps per character`);
		}
	});
});
