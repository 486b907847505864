// Text the extension wrote (quick fixes, document-wide edits, folder job outputs and reports) is shown as
// de-identified, not flagged again; real leaks there are still reported.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Diagnostic, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { CODE_DEIDENTIFIED, DocumentEditRequest, SetKeyNotification } from '../../server/src/protocol';
import { root } from '../helpers/cli';
import { applyEdits, TestClient } from '../helpers/lsp';

const WARNING = 2;
const HINT = 4;
const UNNECESSARY = 1;

let client: TestClient;
let dir: string;

function offsetOf(text: string, pos: { line: number; character: number }): number {
	const lines = text.split('\n');
	let o = 0;
	for (let i = 0; i < pos.line; i++) o += lines[i].length + 1;
	return o + pos.character;
}
const textOf = (text: string, d: Diagnostic) => text.slice(offsetOf(text, d.range.start), offsetOf(text, d.range.end));
const span = (text: string, d: Diagnostic) => [offsetOf(text, d.range.start), offsetOf(text, d.range.end)];
const warnings = (ds: Diagnostic[]) => ds.filter((d) => d.severity === WARNING);
const hints = (ds: Diagnostic[]) => ds.filter((d) => d.code === CODE_DEIDENTIFIED);
const editsOf = (edit: WorkspaceEdit) => (edit.documentChanges as TextDocumentEdit[])[0].edits as { range: Diagnostic['range']; newText: string }[];

/** Diagnostics of `text` in a fresh document: what the same text gets when nothing in it was written here. */
async function fresh(name: string, text: string, languageId = 'plaintext'): Promise<Diagnostic[]> {
	const uri = `file:///tmp/deid-written-fresh/${name}`;
	client.open(uri, text, languageId, 1);
	return (await client.diagnostics(uri, 1)).diagnostics;
}

before(async () => {
	client = new TestClient();
	await client.initialize();
	await client.conn.sendNotification(SetKeyNotification, { key: readFileSync(join(root, 'test', 'fixtures', 'test.key'), 'utf8').trim() });
	dir = mkdtempSync(join(tmpdir(), 'deid-written-'));
});
after(async () => {
	await client.close();
	rmSync(dir, { recursive: true, force: true });
});

describe('text the extension wrote is shown as de-identified', () => {
	it('a surrogate quick fix: no warning on its text, a faded hint; it moves with edits before it and is checked again when typed in', async () => {
		const uri = 'file:///tmp/deid-written/fix.txt';
		let text = 'Seen by Dr. Whitfield today.\nCall 617-555-0123.';
		client.open(uri, text, 'plaintext', 1);
		const d = (await client.diagnostics(uri, 1)).diagnostics.find((x) => x.code === 'phi.Doctor')!;
		assert.ok(d);
		const actions = (await client.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
		const sur = actions.find((a) => a.title.startsWith('Replace with a surrogate'))!;
		const [edit] = editsOf(sur.edit!);
		text = applyEdits(text, [edit]);
		const start = offsetOf(text, edit.range.start);
		const end = start + edit.newText.length;
		// the surrogate itself reads as a name after a title: flagged wherever it was not written by the extension
		assert.ok(warnings(await fresh('fix.txt', text)).some((x) => textOf(text, x) === edit.newText), 'the surrogate is a finding in a fresh document');

		client.change(uri, text, 2);
		let ds = (await client.diagnostics(uri, 2)).diagnostics;
		assert.deepEqual(warnings(ds).map((x) => textOf(text, x)), ['617-555-0123'], 'only the phone is left to do');
		const [h] = hints(ds);
		assert.deepEqual(span(text, h), [start, end]);
		assert.equal(h.severity, HINT);
		assert.deepEqual(h.tags, [UNNECESSARY]);
		assert.match(String(h.message), /de-identified \(written by vscode-deid\)/);
		assert.equal((await client.status(uri, 2)).total, 1);

		// an edit before it (incremental, as editors send them) moves it
		void client.conn.sendNotification('textDocument/didChange', {
			textDocument: { uri, version: 3 },
			contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'Note: ' }],
		});
		text = 'Note: ' + text;
		ds = (await client.diagnostics(uri, 3)).diagnostics;
		assert.deepEqual(hints(ds).map((x) => span(text, x)), [[start + 6, end + 6]]);
		assert.deepEqual(warnings(ds).map((x) => textOf(text, x)), ['617-555-0123']);

		// typing inside it makes it the user's text: checked again
		const mid = start + 6 + 2;
		const pos = { line: 0, character: mid };
		void client.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 4 }, contentChanges: [{ range: { start: pos, end: pos }, text: 'x' }] });
		text = text.slice(0, mid) + 'x' + text.slice(mid);
		ds = (await client.diagnostics(uri, 4)).diagnostics;
		assert.deepEqual(hints(ds), []);
		assert.ok(warnings(ds).some((x) => offsetOf(text, x.range.start) <= mid && mid < offsetOf(text, x.range.end)), 'the edited name is flagged again');
	});

	it('"Redact All PHI in This File" with surrogates leaves no warnings on what it wrote', async () => {
		const uri = 'file:///tmp/deid-written/all.txt';
		const text = 'Dr. Whitfield saw Mrs. Okafor on 3/14/2031, call 617-555-0123.';
		client.open(uri, text, 'plaintext', 1);
		assert.equal(warnings((await client.diagnostics(uri, 1)).diagnostics).length, 4);
		const edit = (await client.conn.sendRequest(DocumentEditRequest.method, { uri, operation: 'surrogate' })) as WorkspaceEdit;
		const out = applyEdits(text, editsOf(edit));
		assert.ok(warnings(await fresh('all.txt', out)).length >= 2, 'its surrogates are findings in a fresh document');
		client.change(uri, out, 2);
		const ds = (await client.diagnostics(uri, 2)).diagnostics;
		assert.deepEqual(warnings(ds), []);
		assert.equal(hints(ds).length, 4);
	});

	it('a folder job output listed in its manifest: no warnings, but a planted high-confidence name is a possible leak', async () => {
		const out = join(dir, 'job');
		mkdirSync(join(out, 'notes'), { recursive: true });
		writeFileSync(join(out, 'deid-manifest.json'), JSON.stringify({ tool: 'vscode-deid', operation: 'redact', files: [{ path: 'notes/a.txt', status: 'done' }] }));
		const redacted = 'Seen by Dr. [DOCTOR] on [DATE]; his son is a teacher near the river.\n';
		writeFileSync(join(out, 'notes', 'a.txt'), redacted);
		const uri = pathToFileURL(join(out, 'notes', 'a.txt')).href;
		// a low-confidence finding the job left (a name-like pair) is shown as de-identified, not warned about
		const text = redacted + 'Visited Bueler Wisdom.\n';
		assert.ok(warnings(await fresh('a.txt', text)).length >= 1, 'flagged in a file that is no output');
		client.open(uri, text, 'plaintext', 1);
		let ds = (await client.diagnostics(uri, 1)).diagnostics;
		assert.deepEqual(warnings(ds), []);
		assert.ok(hints(ds).length >= 1);
		assert.ok(hints(ds).every((h) => /de-identified output/.test(String(h.message))));
		const status = await client.status(uri, 1);
		assert.equal(status.output, 'output');
		assert.equal(status.total, 0);

		const leaked = text + 'Mr. John Smith called 617-555-0123 about Mrs. Margaret Okafor.\n';
		client.change(uri, leaked, 2);
		ds = (await client.diagnostics(uri, 2)).diagnostics;
		const w = warnings(ds);
		assert.deepEqual(w.map((x) => textOf(leaked, x)), ['John Smith', '617-555-0123', 'Margaret Okafor']);
		assert.ok(w.every((x) => /possible PHI left in de-identified output/i.test(String(x.message))));
		assert.deepEqual(warnings((await fresh('b.txt', '[PATIENT] saw [DOCTOR].')) ), [], 'redaction tags are never findings');

		// the same file outside the manifest's list is an ordinary document
		writeFileSync(join(out, 'notes', 'b.txt'), text);
		const other = pathToFileURL(join(out, 'notes', 'b.txt')).href;
		client.open(other, text, 'plaintext', 1);
		assert.ok(warnings((await client.diagnostics(other, 1)).diagnostics).length >= 1);
	});

	it('a surrogate output still exactly as the job wrote it (its manifest hash) has no warnings at all; an edit brings the leak rule back', async () => {
		const out = join(dir, 'job-surrogate');
		mkdirSync(out, { recursive: true });
		const written = 'Seen by Dr. Crista Hogston on 4/19/2031. Her son Trevion Gunnells called 617-555-0188.\n';
		writeFileSync(join(out, 's.txt'), written);
		writeFileSync(join(out, 'deid-manifest.json'), JSON.stringify({ tool: 'vscode-deid', operation: 'surrogate', files: [{ path: 's.txt', status: 'done', outputHash: createHash('sha256').update(written).digest('hex') }] }));
		assert.ok(warnings(await fresh('s.txt', written)).length >= 3, 'these surrogates read as PHI anywhere else');
		const uri = pathToFileURL(join(out, 's.txt')).href;
		client.open(uri, written, 'plaintext', 1);
		let ds = (await client.diagnostics(uri, 1)).diagnostics;
		assert.deepEqual(warnings(ds), []);
		assert.ok(hints(ds).length >= 3);
		const edited = written + 'Mrs. Margaret Okafor was told.\n';
		client.change(uri, edited, 2);
		ds = (await client.diagnostics(uri, 2)).diagnostics;
		assert.ok(warnings(ds).some((x) => textOf(edited, x) === 'Margaret Okafor'));
	});

	it("a job's deid-report.md has no warnings (its timestamps are the tool's own)", async () => {
		const out = join(dir, 'job-report');
		mkdirSync(out, { recursive: true });
		writeFileSync(join(out, 'deid-manifest.json'), JSON.stringify({ tool: 'vscode-deid', files: [] }));
		const report = '# De-identification report\n\n- Started: 2026-12-03T15:47:23.733Z\n- Files: 5 (5 done)\n';
		writeFileSync(join(out, 'deid-report.md'), report);
		assert.ok(warnings(await fresh('deid-report.md', report, 'markdown')).length >= 1, 'the timestamp is a date anywhere else');
		const uri = pathToFileURL(join(out, 'deid-report.md')).href;
		client.open(uri, report, 'markdown', 1);
		const ds = (await client.diagnostics(uri, 1)).diagnostics;
		assert.deepEqual(warnings(ds), []);
		assert.equal((await client.status(uri, 1)).output, 'report');
	});
});

describe('NDJSON codes and the FHIR line fix', () => {
	it('telecom.system "phone" is a code, not PHI; its value is (as are other code values)', async () => {
		// a lower-case code that is also a surname (name-dict) is a code as the value of `code`, a name elsewhere
		const text = '{"telecom":[{"system":"phone","value":"617-555-0123","use":"home"}],"status":"active"}\n{"code":"parker"}\n{"note":"parker"}';
		const ds = await fresh('telecom.ndjson', text, 'ndjson');
		assert.deepEqual(warnings(ds).map((d) => [textOf(text, d), d.range.start.line]), [['617-555-0123', 0], ['parker', 2]]);
	});

	it('after "Apply FHIR configuration to this line" the warning count does not grow', async () => {
		const uri = 'file:///tmp/deid-written/Patient.ndjson';
		const patient = {
			resourceType: 'Patient', id: 'p-77', name: [{ use: 'official', family: 'Quillfeather', given: ['Marisol'] }], birthDate: '1961-04-12',
			telecom: [{ system: 'phone', value: '617-555-0123' }], address: [{ city: 'Wichita', state: 'KS', postalCode: '67216' }],
		};
		const other = '{"note":"Dr. Whitfield phoned"}';
		const text = JSON.stringify(patient) + '\n' + other;
		client.open(uri, text, 'ndjson', 1);
		const before = warnings((await client.diagnostics(uri, 1)).diagnostics);
		const d = before.find((x) => textOf(text, x) === 'Quillfeather')!;
		const actions = (await client.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
		const apply = actions.find((a) => a.title === 'Apply FHIR configuration to this line')!;
		const out = applyEdits(text, editsOf(apply.edit!));
		assert.match(out, /terminology\.hl7\.org/, 'the line carries security labels');
		client.change(uri, out, 2);
		const after = warnings((await client.diagnostics(uri, 2)).diagnostics);
		assert.ok(after.length < before.length, `${before.length} warnings before, ${after.length} after`);
		assert.deepEqual(after.map((x) => textOf(out, x)), ['Whitfield'], 'only the line it did not touch');
		// terminology URLs are never Url findings, in any line
		const fromOutput = out.split('\n')[0];
		const again = warnings(await fresh('applied.ndjson', fromOutput, 'ndjson'));
		assert.ok(again.every((x) => !/hl7\.org|snomed\.info|loinc\.org/.test(textOf(fromOutput, x))), again.map((x) => textOf(fromOutput, x)).join(', '));
	});
});
