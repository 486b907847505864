import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { DeidentifyFolderRequest, ReviewChangedNotification, ReviewDecideRequest, ReviewExportRequest, ReviewFileRequest, ReviewMarkFileRequest, ReviewScanFolderRequest, SetKeyNotification, type FileReview } from '../../server/src/protocol';
import { root, runCli } from '../helpers/cli';
import { TestClient } from '../helpers/lsp';

let client: TestClient;
let ws: string;
const changes: FileReview[] = [];
const KEY = readFileSync(join(root, 'test', 'fixtures', 'test.key'), 'utf8').trim();

function offsetOf(text: string, pos: { line: number; character: number }): number {
	const lines = text.split('\n');
	let o = 0;
	for (let i = 0; i < pos.line; i++) o += lines[i].length + 1;
	return o + pos.character;
}
const textOf = (text: string, d: { range: Diagnostic['range'] }) => text.slice(offsetOf(text, d.range.start), offsetOf(text, d.range.end));
const phi = (ds: Diagnostic[]) => ds.filter((d) => String(d.code).startsWith('phi.'));

before(async () => {
	ws = mkdtempSync(join(tmpdir(), 'deid-review-'));
	client = new TestClient();
	client.conn.onNotification(ReviewChangedNotification.method, (p: FileReview) => {
		changes.push(p);
	});
	await client.conn.sendRequest('initialize', {
		processId: process.pid,
		rootUri: pathToFileURL(ws).href,
		workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'ws' }],
		capabilities: { workspace: { configuration: true, workspaceFolders: true }, window: { workDoneProgress: true } },
	});
	await client.conn.sendNotification('initialized', {});
	await client.conn.sendNotification(SetKeyNotification, { key: KEY });
});
after(async () => {
	await client.close();
	rmSync(ws, { recursive: true, force: true });
});

const NOTE = 'Seen by Dr. Whitfield on 3/14/2031.\nCall 617-555-0123 about Mrs. Okafor today.\nFollow up at kestrel ward soon.\n';

describe('review over stdio', () => {
	let uri: string;
	let text = NOTE;
	let version = 1;

	it('reject a finding: its diagnostic goes, review.json holds no value', async () => {
		mkdirSync(join(ws, 'notes'), { recursive: true });
		const path = join(ws, 'notes', 'a.txt');
		writeFileSync(path, text);
		uri = pathToFileURL(path).href;
		client.open(uri, text, 'plaintext', version);
		const before = phi((await client.diagnostics(uri, version)).diagnostics);
		const phone = before.find((d) => textOf(text, d) === '617-555-0123');
		assert.ok(phone, 'a phone finding');
		const r = await client.conn.sendRequest(ReviewDecideRequest, { uri, range: phone.range, decision: 'reject' });
		const rejected = r.findings.find((f) => f.preview === '617-555-0123');
		assert.equal(rejected?.decision, 'reject');
		const after = phi((await client.diagnostics(uri, version)).diagnostics);
		assert.ok(!after.some((d) => textOf(text, d) === '617-555-0123'), 'the rejected finding is no diagnostic');
		assert.equal(after.length, before.length - 1);
		const stored = readFileSync(join(ws, '.deid', 'review.json'), 'utf8');
		for (const s of ['617', '555-0123', 'Whitfield', 'Okafor', 'a.txt', 'notes']) assert.ok(!stored.includes(s), `no ${s} in review.json`);
		assert.equal(JSON.parse(stored).files[Object.keys(JSON.parse(stored).files)[0]].decisions[0].kind, 'reject');
	});

	it('change type and add a missed span: the diagnostics follow', async () => {
		const ds = phi((await client.diagnostics(uri, version)).diagnostics);
		const doctor = ds.find((d) => textOf(text, d) === 'Whitfield');
		assert.ok(doctor);
		await client.conn.sendRequest(ReviewDecideRequest, { uri, range: doctor.range, decision: 'changeType', type: 'Patient' });
		let after = phi((await client.diagnostics(uri, version)).diagnostics);
		assert.equal(after.find((d) => textOf(text, d) === 'Whitfield')?.code, 'phi.Patient');
		const at = text.indexOf('kestrel');
		assert.ok(!after.some((d) => textOf(text, d) === 'kestrel'), 'kestrel is a miss of the detector in this test');
		const r = await client.conn.sendRequest(ReviewDecideRequest, { uri, range: { start: { line: 2, character: at - text.indexOf('Follow') }, end: { line: 2, character: at - text.indexOf('Follow') + 7 } }, decision: 'add', type: 'Doctor' });
		assert.equal(r.findings.find((f) => f.preview === 'kestrel')?.decision, 'add');
		after = phi((await client.diagnostics(uri, version)).diagnostics);
		assert.equal(after.find((d) => textOf(text, d) === 'kestrel')?.code, 'phi.Doctor');
		assert.ok(changes.some((c) => c.uri === uri), 'a review notification');
	});

	it('edit lines above: the decisions stay attached', async () => {
		text = 'Addendum line one.\nAnother line added above.\n' + text;
		client.change(uri, text, ++version);
		const ds = phi((await client.diagnostics(uri, version)).diagnostics);
		assert.ok(!ds.some((d) => textOf(text, d) === '617-555-0123'));
		assert.equal(ds.find((d) => textOf(text, d) === 'Whitfield')?.code, 'phi.Patient');
		assert.equal(ds.find((d) => textOf(text, d) === 'kestrel')?.code, 'phi.Doctor');
		const r = await client.conn.sendRequest(ReviewFileRequest, { uri });
		assert.equal(r.findings.find((f) => f.preview === '617-555-0123')?.decision, 'reject');
		assert.equal(r.findings.find((f) => f.preview === 'Whitfield')?.detectedType, 'Doctor');
		// mark the rest accepted: the file is reviewed
		for (const f of r.findings.filter((x) => !x.decision)) await client.conn.sendRequest(ReviewDecideRequest, { uri, range: f.range, decision: 'accept' });
		const done = await client.conn.sendRequest(ReviewFileRequest, { uri });
		assert.equal(done.pending, 0);
		assert.equal(done.reviewed, true);
		writeFileSync(join(ws, 'notes', 'a.txt'), text);
	});

	it('a folder-scope reject holds in other files of the folder; scanFolder returns every file and notifies', async () => {
		writeFileSync(join(ws, 'notes', 'b.txt'), 'Patient Mrs. Okafor called from 617-555-0123 again.\n');
		writeFileSync(join(ws, 'notes', 'empty.txt'), 'Nothing here.\n');
		writeFileSync(join(ws, 'other.txt'), 'Mrs. Okafor at 617-555-0123.\n');
		writeFileSync(join(ws, 'bin.txt'), Buffer.from([0x41, 0, 0x42]));
		const r0 = await client.conn.sendRequest(ReviewFileRequest, { uri });
		const okafor = r0.findings.find((f) => f.preview === 'Okafor');
		assert.ok(okafor);
		await client.conn.sendRequest(ReviewDecideRequest, { uri, range: okafor.range, decision: 'reject', scope: 'folder' });
		const seen = changes.length;
		const res = await client.conn.sendRequest(ReviewScanFolderRequest, { folder: ws });
		assert.equal(res.cancelled, false);
		assert.equal(res.files, 4);
		assert.deepEqual(res.failures.map((f) => f.path), ['bin.txt']);
		assert.match(res.failures[0].reason, /binary/);
		const got = changes.slice(seen);
		const b = got.find((c) => c.uri.endsWith('/notes/b.txt'));
		const other = got.find((c) => c.uri.endsWith('/other.txt'));
		assert.ok(b && other && got.some((c) => c.uri.endsWith('/empty.txt')));
		assert.equal(b.findings.find((f) => f.preview === 'Okafor')?.decision, 'reject');
		assert.equal(b.findings.find((f) => f.preview === 'Okafor')?.scope, 'folder');
		assert.equal(other.findings.find((f) => f.preview === 'Okafor')?.decision, undefined, 'outside the folder');
		const empty = await client.conn.sendRequest(ReviewMarkFileRequest, { uri: pathToFileURL(join(ws, 'notes', 'empty.txt')).href, reviewed: true });
		assert.equal(empty.reviewed, true);
	});

	it('Export Review as Annotations: reviewed files only, decisions applied, no path in the names; deid evaluate reads it', async () => {
		const out = mkdtempSync(join(tmpdir(), 'deid-review-export-'));
		try {
			const inside = await client.conn.sendRequest(ReviewExportRequest, { folder: ws, out: join(ws, 'export'), format: 'brat' });
			assert.match(inside.error ?? '', /outside the reviewed folder/);
			const r = await client.conn.sendRequest(ReviewExportRequest, { folder: ws, out, format: 'brat' });
			assert.equal(r.error, undefined);
			assert.ok(r.files >= 1, JSON.stringify(r.skipped));
			assert.ok(r.skipped.some((x) => x.reason === 'not reviewed'), 'unreviewed files are left out');
			const names = readdirSync(out).filter((n) => n !== 'json').sort();
			assert.equal(names.length, 2 * r.files);
			for (const n of names) assert.match(n, /^[0-9a-f]{24}\.(txt|ann)$/);
			// a.txt, reviewed above: its text and its findings after the decisions
			const base = names.find((n) => n.endsWith('.txt') && readFileSync(join(out, n), 'utf8') === text);
			assert.ok(base, 'the reviewed note is exported as it is');
			const ann = readFileSync(join(out, base.replace(/\.txt$/, '.ann')), 'utf8');
			const spans = ann.trim().split('\n').map((l) => l.split('\t')[1].split(' '));
			const at = (s: string) => String(text.indexOf(s));
			assert.ok(spans.some(([type, start]) => type === 'Patient' && start === at('Whitfield')), ann);
			assert.ok(spans.some(([type, start]) => type === 'Doctor' && start === at('kestrel')), ann);
			assert.ok(!spans.some(([, start]) => start === at('617-555-0123')), 'the rejected finding is no annotation');
			const json = await client.conn.sendRequest(ReviewExportRequest, { folder: ws, out: join(out, 'json'), format: 'json' });
			assert.equal(json.files, r.files);
			// the exported set is a test set for deid evaluate
			const ev = runCli(['evaluate', '--json', out]);
			assert.equal(ev.code, 0, ev.stderr);
			assert.ok(JSON.parse(ev.stdout), 'figures as JSON');
		} finally {
			rmSync(out, { recursive: true, force: true });
		}
	});

	it('a file outside the workspace folders: the decision is refused with a reason', async () => {
		const out = 'file:///tmp/deid-elsewhere/x.txt';
		client.open(out, 'Call 617-555-0123.', 'plaintext', 1);
		const ds = phi((await client.diagnostics(out, 1)).diagnostics);
		await assert.rejects(client.conn.sendRequest(ReviewDecideRequest, { uri: out, range: ds[0].range, decision: 'reject' }), /outside every workspace folder/);
	});

	it('the folder job applies the decisions and the report counts them; so does deid deidentify --review', async () => {
		rmSync(join(ws, 'bin.txt'));
		const output = join(tmpdir(), `deid-review-out-${process.pid}`);
		rmSync(output, { recursive: true, force: true });
		const res = await client.conn.sendRequest(DeidentifyFolderRequest, { input: ws, output, operation: 'redact' });
		assert.equal(res.error, undefined);
		const a = readFileSync(join(output, 'notes', 'a.txt'), 'utf8');
		assert.ok(a.includes('617-555-0123'), 'a rejected finding is kept');
		assert.ok(!a.includes('kestrel'), 'an added span is removed');
		assert.ok(a.includes('Okafor'), 'a folder-scope reject is kept');
		assert.ok(readFileSync(join(output, 'notes', 'b.txt'), 'utf8').includes('Okafor'));
		assert.ok(!readFileSync(join(output, 'other.txt'), 'utf8').includes('Okafor'));
		const report = JSON.parse(readFileSync(join(output, 'deid-report.json'), 'utf8')) as { review?: { reviewedFiles: number; decisions: Record<string, number>; unlocated: number } };
		assert.ok(report.review);
		assert.equal(report.review.reviewedFiles, 2);
		assert.equal(report.review.decisions.reject, 2);
		assert.equal(report.review.decisions.add, 1);
		assert.equal(report.review.unlocated, 0, JSON.stringify(report.review));
		assert.match(readFileSync(join(output, 'deid-report.md'), 'utf8'), /## Review/);
		rmSync(output, { recursive: true, force: true });

		const keyFile = join(tmpdir(), `deid-review-key-${process.pid}`);
		writeFileSync(keyFile, KEY);
		const cliOut = join(tmpdir(), `deid-review-cli-${process.pid}`);
		rmSync(cliOut, { recursive: true, force: true });
		const ok = runCli(['deidentify', join(ws, 'notes'), cliOut, '--operation', 'redact', '--key-file', keyFile, '--review', join(ws, '.deid', 'review.json')]);
		assert.equal(ok.code, 0, ok.stderr);
		const ca = readFileSync(join(cliOut, 'a.txt'), 'utf8');
		assert.ok(ca.includes('617-555-0123') && !ca.includes('kestrel'));
		rmSync(cliOut, { recursive: true, force: true });
		writeFileSync(keyFile, 'ab'.repeat(32));
		const bad = runCli(['deidentify', join(ws, 'notes'), cliOut, '--operation', 'redact', '--key-file', keyFile, '--review', join(ws, '.deid', 'review.json')]);
		assert.notEqual(bad.code, 0);
		assert.match(bad.stderr, /fingerprint/);
		rmSync(keyFile, { force: true });
		rmSync(cliOut, { recursive: true, force: true });
	});

	it('a folder of more files than one batch is scanned on worker threads: the same findings and decisions as this thread', async () => {
		const dir = join(ws, 'many');
		mkdirSync(dir, { recursive: true });
		const first = ['Walter', 'Rosa', 'Anil', 'Greta', 'Tomasz'];
		const last = ['Brennan', 'Okonkwo', 'Lindqvist', 'Ferreira', 'Haddad'];
		for (let i = 0; i < 20; i++) {
			writeFileSync(join(dir, `n${String(i).padStart(2, '0')}.txt`), `Seen by Dr. ${first[i % 5]} ${last[(i + 2) % 5]} on ${(i % 12) + 1}/${(i % 27) + 1}/2031.\nCall ${600 + i}-555-01${String(i).padStart(2, '0')} about Mr. ${last[i % 5]}.\nMRN: ${4410000 + i * 37}\n`);
		}
		// a decision in one of them, made from this thread's view of the file
		const decidedUri = pathToFileURL(join(dir, 'n03.txt')).href;
		const before = await client.conn.sendRequest(ReviewFileRequest, { uri: decidedUri });
		const mrn = before.findings.find((f) => /^44\d+$/.test(f.preview));
		assert.ok(mrn, JSON.stringify(before.findings.map((f) => f.type)));
		await client.conn.sendRequest(ReviewDecideRequest, { uri: decidedUri, range: mrn.range, decision: 'reject' });
		const seen = changes.length;
		const res = await client.conn.sendRequest(ReviewScanFolderRequest, { folder: dir });
		assert.equal(res.files, 20);
		assert.equal(res.onWorkers, 20, 'every closed file went to a worker');
		const got = changes.slice(seen).filter((c) => c.uri.includes('/many/'));
		assert.equal(got.length, 20);
		const brief = (r: FileReview) => r.findings.map((f) => ({ id: f.id, range: f.range, type: f.type, decision: f.decision, preview: f.preview, confidence: Math.round(f.confidence * 100) }));
		for (const g of got) {
			const here = await client.conn.sendRequest(ReviewFileRequest, { uri: g.uri });
			assert.deepEqual(brief(g), brief(here), g.uri);
			assert.equal(g.pending, here.pending);
		}
		assert.equal(got.find((g) => g.uri === decidedUri)?.findings.find((f) => f.id === mrn.id)?.decision, 'reject');
	});
	it('NDJSON: the folder job applies decisions inside string values, and every line stays valid JSON', async () => {
		const dir = join(ws, 'records');
		mkdirSync(dir, { recursive: true });
		const line1 = JSON.stringify({ resourceType: 'Note', text: 'Call 617-555-0199 about Mrs. Okonjo; bed near the larkspur window.' });
		const line2 = JSON.stringify({ resourceType: 'Note', text: 'Seen by Dr. Whitfield on 3/14/2031.' });
		const body = `${line1}\n${line2}\n`;
		const file = join(dir, 'notes.ndjson');
		writeFileSync(file, body);
		const nuri = pathToFileURL(file).href;
		client.open(nuri, body, 'ndjson', 1);
		const ds = phi((await client.diagnostics(nuri, 1)).diagnostics);
		const phone = ds.find((d) => textOf(body, d) === '617-555-0199');
		assert.ok(phone, JSON.stringify(ds.map((d) => textOf(body, d))));
		await client.conn.sendRequest(ReviewDecideRequest, { uri: nuri, range: phone.range, decision: 'reject' });
		// an added span inside a value ("larkspur"), and one on a key, which cannot be replaced inside the JSON
		const word = body.indexOf('larkspur');
		const pos = (o: number) => ({ line: body.slice(0, o).split('\n').length - 1, character: o - body.lastIndexOf('\n', o - 1) - 1 });
		await client.conn.sendRequest(ReviewDecideRequest, { uri: nuri, range: { start: pos(word), end: pos(word + 'larkspur'.length) }, decision: 'add', type: 'LocationOther' });
		const key = body.indexOf('resourceType');
		await client.conn.sendRequest(ReviewDecideRequest, { uri: nuri, range: { start: pos(key), end: pos(key + 'resourceType'.length) }, decision: 'add', type: 'IDNum' });
		const output = join(tmpdir(), `deid-review-ndjson-${process.pid}`);
		rmSync(output, { recursive: true, force: true });
		try {
			const res = await client.conn.sendRequest(DeidentifyFolderRequest, { input: dir, output, operation: 'redact' });
			assert.equal(res.error, undefined);
			const out = readFileSync(join(output, 'notes.ndjson'), 'utf8');
			const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { resourceType: string; text: string });
			assert.ok(lines[0].text.includes('617-555-0199'), 'a rejected finding is kept');
			assert.ok(!lines[0].text.includes('larkspur'), 'an added span inside a value is removed');
			assert.ok(!lines[0].text.includes('Okonjo') && !lines[1].text.includes('Whitfield'), 'the other findings are removed');
			assert.equal(lines[0].resourceType, 'Note', 'a span on a key is left');
			const report = JSON.parse(readFileSync(join(output, 'deid-report.json'), 'utf8')) as { review?: { notApplied: number; outsideValues: number; decisions: Record<string, number> } };
			assert.equal(report.review?.notApplied, 0);
			assert.equal(report.review?.outsideValues, 1);
			assert.equal(report.review?.decisions.add, 2);
		} finally {
			rmSync(output, { recursive: true, force: true });
		}
	});
});
