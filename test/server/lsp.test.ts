import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, WorkDoneProgress, type CodeAction, type Diagnostic, type Hover, type WorkspaceEdit, type TextDocumentEdit } from 'vscode-languageserver-protocol';
import { CODE_MALFORMED_LINE, CODE_TOO_LARGE, Commands, DeidentifyFolderRequest, DocumentEditRequest, SetKeyNotification } from '../../server/src/protocol';
import { root } from '../helpers/cli';
import { applyEdits, TestClient } from '../helpers/lsp';

let client: TestClient;
const version = 1;

function offsetOf(text: string, pos: { line: number; character: number }): number {
	const lines = text.split('\n');
	let o = 0;
	for (let i = 0; i < pos.line; i++) o += lines[i].length + 1;
	return o + pos.character;
}
function textOf(text: string, d: Diagnostic): string {
	return text.slice(offsetOf(text, d.range.start), offsetOf(text, d.range.end));
}
function editsOf(edit: WorkspaceEdit) {
	return (edit.documentChanges as TextDocumentEdit[])[0].edits as { range: Diagnostic['range']; newText: string }[];
}

before(async () => {
	client = new TestClient();
	await client.initialize();
	// A fixed key, as the extension sends the one it keeps in SecretStorage. Under the server's random session key
	// the FHIR date shift (the anonymizer's algorithm, offsets -50..50 days) was 0 in about one run in a hundred,
	// and a date the configuration leaves unchanged is rightly no diagnostic.
	await client.conn.sendNotification(SetKeyNotification, { key: readFileSync(join(root, 'test', 'fixtures', 'test.key'), 'utf8').trim() });
});
after(async () => {
	await client.close();
});

describe('language server over stdio', () => {
	it('publishes phi.* diagnostics with exact ranges, no PHI in messages', async () => {
		const uri = 'file:///tmp/deid-test/note.txt';
		const text = 'Seen by Dr. Whitfield on 3/14/2031.\r\nCall 617-555-0123 😀 Mrs. Okafor';
		client.open(uri, text, 'plaintext', version);
		const { diagnostics } = await client.diagnostics(uri, version);
		const got = diagnostics.map((d) => [textOf(text, d), d.code]);
		assert.deepEqual(got, [
			['Whitfield', 'phi.Doctor'],
			['3/14/2031', 'phi.Date'],
			['617-555-0123', 'phi.Phone'],
			['Okafor', 'phi.Patient'],
		]);
		for (const d of diagnostics) {
			assert.equal(d.source, 'deid');
			const message = String(d.message);
			assert.ok(!message.includes(textOf(text, d)), message);
			assert.match(message, /PHI: \w+/);
			assert.ok((d.data as { type: string }).type);
		}
		const status = await client.status(uri, version);
		assert.equal(status.total, 4);
		assert.equal(status.counts.Doctor, 1);
	});

	it("a file name that holds PHI gets one notice at the top (types only); a plain name none", async () => {
		const uri = 'file:///tmp/deid-test/Okafor-Margaret%20visit%20555-0199.txt';
		client.open(uri, 'Seen today.', 'plaintext', 1);
		const { diagnostics } = await client.diagnostics(uri, 1);
		const notice = diagnostics.filter((d) => d.code === 'deid.fileName');
		assert.equal(notice.length, 1);
		assert.equal(notice[0].severity, 3); // Information
		assert.match(String(notice[0].message), /possible PHI \((Patient, Phone|Phone, Patient)\)/);
		assert.doesNotMatch(String(notice[0].message), /Okafor|Margaret|0199/);
		const plain = 'file:///tmp/deid-test/discharge-summary.txt';
		client.open(plain, 'Seen today.', 'plaintext', 1);
		assert.deepEqual((await client.diagnostics(plain, 1)).diagnostics.filter((d) => d.code === 'deid.fileName'), []);
	});

	it('NDJSON: string values only, ranges through escapes, malformed line reported once', async () => {
		const uri = 'file:///tmp/deid-test/records.ndjson';
		const text = [
			'{"resourceType":"Patient","name":[{"family":"Okafor","given":["Margaret"]}]}',
			'{"note":"Caf\\u00e9 visit \\"ok\\"\\nDr. Whitfield phoned 617-555-0123"}',
			'{oops 617-555-0199',
			'{"Whitfield":"key is not scanned"}',
		].join('\r\n');
		client.open(uri, text, 'ndjson', version);
		const { diagnostics } = await client.diagnostics(uri, version);
		const phi = diagnostics.filter((d) => String(d.code).startsWith('phi.')).map((d) => textOf(text, d));
		assert.deepEqual(phi, ['Okafor', 'Margaret', 'Whitfield', '617-555-0123', '617-555-0199']);
		const malformed = diagnostics.filter((d) => d.code === CODE_MALFORMED_LINE);
		assert.equal(malformed.length, 1);
		assert.equal(malformed[0].range.start.line, 2);
		assert.equal(malformed[0].severity, 3);
	});

	it('code actions redact, mask and surrogate; NDJSON edits stay valid JSON', async () => {
		const uri = 'file:///tmp/deid-test/edit.ndjson';
		const text = '{"note":"Ask \\"Dr. Whitfield\\" now"}';
		client.open(uri, text, 'ndjson', version);
		const { diagnostics } = await client.diagnostics(uri, version);
		const d = diagnostics.find((x) => x.code === 'phi.Doctor')!;
		const actions = (await client.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
		const titles = actions.map((a) => a.title);
		assert.ok(titles.includes('Redact as [DOCTOR]'));
		assert.ok(titles.includes('Mask with same-length ***'));
		assert.ok(titles.some((t) => t.startsWith('Replace with a surrogate')));
		assert.deepEqual(titles.filter((t) => t.startsWith('Mark as not PHI')), ['Mark as not PHI (this folder)', 'Mark as not PHI (this workspace)', 'Mark as not PHI (user settings)']);
		const preferred = actions.find((a) => a.isPreferred)!;
		const change = (preferred.edit!.documentChanges as TextDocumentEdit[])[0];
		assert.equal(change.textDocument.version, version);
		for (const a of actions.filter((x) => x.edit)) {
			const out = applyEdits(text, editsOf(a.edit!));
			assert.ok(!out.includes('Whitfield'), a.title);
			JSON.parse(out);
		}
		const allow = actions.find((a) => a.title === 'Mark as not PHI (user settings)')!;
		assert.equal(allow.command!.command, Commands.addToAllowList);
		assert.deepEqual(allow.command!.arguments!.slice(0, 2), ['Whitfield', 'user']);
	});

	it('FHIR NDJSON: structured fields the configuration changes are diagnostics; a quick fix applies it to the line', async () => {
		const uri = 'file:///tmp/deid-test/Patient.ndjson';
		const patient = { resourceType: 'Patient', id: 'p-77', name: [{ use: 'official', family: 'Quillfeather', given: ['Marisol'] }], birthDate: '1961-04-12', gender: 'female', address: [{ city: 'Wichita', state: 'KS', postalCode: '67216' }] };
		const text = JSON.stringify(patient) + '\n{"note":"plain record, not FHIR"}';
		client.open(uri, text, 'ndjson', version);
		const { diagnostics } = await client.diagnostics(uri, version);
		const fhir = diagnostics.filter((d) => String((d.data as { detector: string }).detector).startsWith('fhir:'));
		const got = Object.fromEntries(fhir.map((d) => [textOf(text, d), [d.code, (d.data as { detector: string }).detector]]));
		assert.deepEqual(got['Quillfeather'], ['phi.Patient', 'fhir:redact']);
		assert.deepEqual(got['Marisol'], ['phi.Patient', 'fhir:redact']);
		assert.deepEqual(got['1961-04-12'], ['phi.Date', 'fhir:dateshift']);
		assert.deepEqual(got['p-77'], ['phi.IDNum', 'fhir:cryptohash']);
		assert.deepEqual(got['67216'], ['phi.Zip', 'fhir:redact']);
		assert.deepEqual(got['Wichita'], ['phi.City', 'fhir:redact']);
		assert.equal(got['official'], undefined, 'HumanName.use is kept by the configuration');
		assert.equal(got['KS'], undefined, 'state is kept');
		assert.equal(diagnostics.filter((d) => textOf(text, d) === 'Quillfeather').length, 1, 'no duplicate text finding on the same value');
		const d = fhir.find((x) => textOf(text, x) === 'Quillfeather')!;
		const actions = (await client.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
		const apply = actions.find((a) => a.title === 'Apply FHIR configuration to this line')!;
		assert.ok(apply, actions.map((a) => a.title).join(', '));
		const out = applyEdits(text, editsOf(apply.edit!));
		const [first, second] = out.split('\n');
		const r = JSON.parse(first);
		assert.deepEqual(r.name, [{ use: 'official' }]);
		assert.match(r.id, /^[0-9a-f]{64}$/);
		assert.equal(r.address[0].postalCode, '67200');
		assert.notEqual(r.birthDate, '1961-04-12');
		assert.ok(r.meta.security.length >= 3);
		assert.equal(second, '{"note":"plain record, not FHIR"}', 'other lines untouched');
	});

	it('a selection offers "Mark selection as PHI…"', async () => {
		const uri = 'file:///tmp/deid-test/note.txt';
		const actions = (await client.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } }, context: { diagnostics: [] } })) as CodeAction[];
		const a = actions.find((x) => x.title === 'Mark selection as PHI…');
		assert.equal(a?.command?.command, Commands.markSelectionAsPhi);
	});

	it('the status reports the debounce before each scan: none on open, at least deid.debounceMs after an edit', async () => {
		const uri = 'file:///tmp/deid-test/debounce.txt';
		client.open(uri, 'Seen by Dr. Whitfield today.');
		assert.equal((await client.status(uri, 1)).debounceMs, 0);
		client.change(uri, 'Seen by Dr. Whitfield today. Stable.', 2);
		const after = await client.status(uri, 2);
		assert.ok(after.debounceMs !== undefined && after.debounceMs >= 40, `debounce ${after.debounceMs}`);
	});

	it('hover names the type, confidence, detector and Safe Harbor identifier', async () => {
		const uri = 'file:///tmp/deid-test/note.txt';
		const hover = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 14 } })) as Hover;
		const value = (hover.contents as { value: string }).value;
		assert.match(value, /PHI: Doctor/);
		assert.match(value, /confidence \d+(\.\d)?%/);
		assert.doesNotMatch(value, /confidence 100%/, 'a calibrated confidence below 1 is never shown as 100%');
		assert.match(value, /Found as a name after a title \(Dr\., Mr\., Mrs\.\) \(detector `name-title`\)/);
		assert.match(value, /Safe Harbor: \(A\) Names/);
		const none = await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
		assert.equal(none, null);
	});

	it('settings change re-validates: allow list suppresses, a per-type threshold hides a type', async () => {
		const uri = 'file:///tmp/deid-test/settings.txt';
		const text = 'Seen by Dr. Whitfield on 3/14/2031.';
		client.open(uri, text, 'plaintext', 1);
		assert.equal((await client.diagnostics(uri, 1)).diagnostics.length, 2);
		client.settings = { allowList: ['WHITFIELD'], minConfidenceByType: { Date: 1 } };
		void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
		const d = await client.waitFor(() => {
			const p = (client as unknown as { diags: Map<string, { diagnostics: Diagnostic[] }> }).diags.get(uri);
			return p && p.diagnostics.length === 0 ? p : undefined;
		}, 'empty diagnostics after settings change');
		assert.equal(d.diagnostics.length, 0);
		client.settings = {};
		void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
	});

	it('severity off hides a type', async () => {
		client.settings = { severity: { Phone: 'off' } };
		void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
		const uri = 'file:///tmp/deid-test/severity.txt';
		client.open(uri, 'Dr. Whitfield, call 617-555-0123.', 'plaintext', 1);
		const { diagnostics } = await client.diagnostics(uri, 1);
		assert.deepEqual(diagnostics.map((d) => d.code), ['phi.Doctor']);
		client.settings = {};
		void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
	});

	it('edits re-validate on type with the new version', async () => {
		const uri = 'file:///tmp/deid-test/typing.txt';
		client.open(uri, 'nothing here', 'plaintext', 1);
		assert.equal((await client.diagnostics(uri, 1)).diagnostics.length, 0);
		client.change(uri, 'now call 617-555-0123', 2);
		assert.equal((await client.diagnostics(uri, 2)).diagnostics.length, 1);
	});

	it('files over deid.maxFileSizeKb get one message instead of a scan', async () => {
		client.settings = { maxFileSizeKb: 1 };
		void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
		const uri = 'file:///tmp/deid-test/big.txt';
		client.open(uri, 'Dr. Whitfield '.repeat(200), 'plaintext', 1);
		const { diagnostics } = await client.diagnostics(uri, 1);
		assert.equal(diagnostics.length, 1);
		assert.equal(diagnostics[0].code, CODE_TOO_LARGE);
		assert.match(String(diagnostics[0].message), /De-identify Folder/);
		assert.equal((await client.status(uri, 1)).skipped, 'tooLarge');
		client.settings = {};
		void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
	});

	it('deid/documentEdit redacts every finding in one versioned edit', async () => {
		const uri = 'file:///tmp/deid-test/all.txt';
		const text = 'Dr. Whitfield saw Mrs. Okafor on 3/14/2031.';
		client.open(uri, text, 'plaintext', 1);
		await client.diagnostics(uri, 1);
		const edit = await client.conn.sendRequest(DocumentEditRequest.method, { uri, operation: 'redact' });
		const out = applyEdits(text, editsOf(edit as WorkspaceEdit));
		assert.equal(out, 'Dr. [DOCTOR] saw Mrs. [PATIENT] on [DATE].');
	});

	it('deid/deidentifyFolder runs the folder job with progress', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'deid-lsp-'));
		try {
			mkdirSync(join(dir, 'in'));
			writeFileSync(join(dir, 'in', 'a.txt'), 'Dr. Whitfield, 617-555-0123');
			const progress: unknown[] = [];
			const token = 'job-1';
			client.conn.onProgress(WorkDoneProgress.type, token, (v: unknown) => {
				progress.push(v);
			});
			const res = (await client.conn.sendRequest(DeidentifyFolderRequest.method, { input: join(dir, 'in'), output: join(dir, 'out'), operation: 'redact', workDoneToken: token })) as { done: number; findings: number; reportPath: string };
			assert.equal(res.done, 1);
			assert.equal(res.findings, 2);
			assert.ok(existsSync(res.reportPath));
			assert.equal(readFileSync(join(dir, 'out', 'a.txt'), 'utf8'), 'Dr. [DOCTOR], [PHONE]');
			assert.ok(progress.length >= 2, 'work-done progress was reported');
			const bad = (await client.conn.sendRequest(DeidentifyFolderRequest.method, { input: join(dir, 'in'), output: join(dir, 'in', 'x'), operation: 'redact' })) as { error?: string };
			assert.match(bad.error ?? '', /inside it/);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('deid/deidentifyFolder follows deid.dateShift settings (one offset for the run, or per first-level folder)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'deid-lsp-shift-'));
		try {
			for (const p of ['p1', 'p2', 'p3', 'p4']) {
				mkdirSync(join(dir, 'in', p), { recursive: true });
				writeFileSync(join(dir, 'in', p, 'n.txt'), 'Seen on 03/14/2021 and again on 03/21/2021.');
			}
			const run = async (out: string) => {
				await client.conn.sendRequest(DeidentifyFolderRequest.method, { input: join(dir, 'in'), output: join(dir, out), operation: 'surrogate' });
				return ['p1', 'p2', 'p3', 'p4'].map((p) => readFileSync(join(dir, out, p, 'n.txt'), 'utf8'));
			};
			client.settings = { dateShift: { by: 'run', rangeDays: 30, keepWeekday: true } };
			void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
			const byRun = await run('out-run');
			assert.equal(new Set(byRun).size, 1, 'one offset for the whole run');
			assert.equal([...byRun[0].matchAll(/(\d{2})\/(\d{2})\/(\d{4})/g)].length, 2, byRun[0]);
			const [a, b] = [...byRun[0].matchAll(/(\d{2})\/(\d{2})\/(\d{4})/g)].map((m) => new Date(`${m[3]}-${m[1]}-${m[2]}T00:00:00Z`));
			assert.equal((b.getTime() - a.getTime()) / 86400000, 7, 'the interval survives');
			assert.equal(a.getUTCDay(), new Date('2021-03-14T00:00:00Z').getUTCDay(), 'the weekday is kept');
			client.settings = { dateShift: { by: 'folder' } };
			void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
			assert.ok(new Set(await run('out-folder')).size > 1, 'patients (folders) get their own offsets');
			client.settings = { dateShift: { by: 'regex:(' } };
			void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
			const bad = (await client.conn.sendRequest(DeidentifyFolderRequest.method, { input: join(dir, 'in'), output: join(dir, 'out-bad'), operation: 'surrogate' })) as { error?: string };
			assert.match(bad.error ?? '', /deid.dateShift: .*invalid regular expression/);
		} finally {
			client.settings = {};
			void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('cancelling deid/deidentifyFolder stops cleanly and a rerun completes the job', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'deid-cancel-'));
		try {
			mkdirSync(join(dir, 'in'));
			const line = 'Dr. Whitfield saw Mrs. Okafor on 3/14/2031, call 617-555-0123. Foley in place.\n';
			for (let i = 0; i < 40; i++) writeFileSync(join(dir, 'in', `n${String(i).padStart(2, '0')}.txt`), line.repeat(6000));
			const token = 'job-cancel';
			const source = new CancellationTokenSource();
			let reports = 0;
			client.conn.onProgress(WorkDoneProgress.type, token, (v) => {
				if (v.kind === 'report' && ++reports === 2) source.cancel();
			});
			const first = await client.conn
				.sendRequest(DeidentifyFolderRequest.method, { input: join(dir, 'in'), output: join(dir, 'out'), operation: 'redact', workDoneToken: token }, source.token)
				.then((r) => r as { cancelled: boolean; done: number }, (e: Error) => ({ cancelled: true, done: -1, error: e.message }));
			assert.equal(first.cancelled, true, JSON.stringify(first));
			const partial = readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.txt')).length;
			assert.ok(partial < 40, `stopped early (${partial} of 40 written)`);
			assert.deepEqual(readdirSync(join(dir, 'out')).filter((f) => f.includes('deid-tmp')), []);
			const second = (await client.conn.sendRequest(DeidentifyFolderRequest.method, { input: join(dir, 'in'), output: join(dir, 'out'), operation: 'redact' })) as { cancelled: boolean; done: number; files: number };
			assert.equal(second.cancelled, false);
			assert.equal(second.done, 40);
			assert.equal(readFileSync(join(dir, 'out', 'n39.txt'), 'utf8').split('\n')[0], 'Dr. [DOCTOR] saw Mrs. [PATIENT] on [DATE], call [PHONE]. Foley in place.');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('the server survives hostile documents', async () => {
		const uri = 'file:///tmp/deid-test/hostile.ndjson';
		client.open(uri, '['.repeat(50000) + '\n' + '\u0000\uffff\ud800'.repeat(1000) + '\n{"a":"' + '\\u'.repeat(10) + '"}', 'ndjson', 1);
		const { diagnostics } = await client.diagnostics(uri, 1);
		assert.ok(diagnostics.filter((d) => d.code === CODE_MALFORMED_LINE).length >= 2);
		assert.equal(client.proc.exitCode, null);
	});
});
