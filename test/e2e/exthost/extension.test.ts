/// <reference types="mocha" />
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DeidApi } from '../../../client/src/extension';
import type { StatusParams } from '../../../server/src/protocol';

const EXTENSION_ID = 'vscode-deid.vscode-deid';
let api: DeidApi;
const ws = () => vscode.workspace.workspaceFolders![0].uri;

/** Wait until the server has published diagnostics for `uri` satisfying `pred` (event-driven, no sleeps). */
function diagnosticsFor(
	uri: vscode.Uri,
	pred: (d: readonly vscode.Diagnostic[]) => boolean,
	what: string,
	timeoutMs = 30000,
	findingsOnly = true,
): Promise<readonly vscode.Diagnostic[]> {
	return new Promise((resolve, reject) => {
		const check = () => {
			// findings only, unless asked: the hints that mark text as de-identified (deid.deidentified, deid.output) are not PHI
			const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'deid' && (!findingsOnly || codeOf(x).startsWith('phi.')));
			if (pred(d)) {
				sub.dispose();
				clearTimeout(timer);
				resolve(d);
				return true;
			}
			return false;
		};
		const sub = vscode.languages.onDidChangeDiagnostics((e) => {
			if (e.uris.some((u) => u.toString() === uri.toString())) check();
		});
		const timer = setTimeout(() => {
			sub.dispose();
			reject(new Error(`timed out waiting for ${what}; have ${vscode.languages.getDiagnostics(uri).map((d) => d.code).join(',')}`));
		}, timeoutMs);
		check();
	});
}

function codeOf(d: vscode.Diagnostic): string {
	return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/** Wait until the server has scanned the document's current version (its status notification). */
function settled(doc: vscode.TextDocument, timeoutMs = 30000): Promise<void> {
	return new Promise((resolve, reject) => {
		if (api.status(doc.uri)?.version === doc.version) return resolve();
		const timer = setTimeout(() => {
			sub.dispose();
			reject(new Error(`timed out waiting for the scan of ${doc.uri.fsPath} v${doc.version}`));
		}, timeoutMs);
		const sub = api.onStatus((p) => {
			if (p.uri === doc.uri.toString() && p.version === doc.version) {
				clearTimeout(timer);
				sub.dispose();
				resolve();
			}
		});
	});
}

async function open(rel: string): Promise<vscode.TextDocument> {
	const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(ws(), rel));
	await vscode.window.showTextDocument(doc);
	return doc;
}

/**
 * The quick fixes at a range. The workbench cancels a request to an extension host it finds unresponsive (a loaded
 * 2-core machine, CI); that says nothing of the extension, so a cancelled request is asked again, three times at most.
 */
async function quickFixes(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value);
		} catch (e) {
			if (attempt >= 3 || !/Canceled/.test(String(e))) throw e;
			await new Promise((r) => setTimeout(r, 500));
		}
	}
}

describe('vscode-deid in a real VS Code', () => {
	before(async () => {
		const ext = vscode.extensions.getExtension<DeidApi>(EXTENSION_ID);
		assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
		api = await ext.activate();
	});

	it('every contributed command is registered', async () => {
		const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
		const all = new Set(await vscode.commands.getCommands(true));
		for (const c of pkg.contributes.commands as { command: string }[]) assert.ok(all.has(c.command), c.command);
	});

	it('plain text: phi.* diagnostics with types, and the status counts', async () => {
		const doc = await open('note.txt');
		const diags = await diagnosticsFor(doc.uri, (d) => d.length >= 5, 'note.txt diagnostics');
		const byText = new Map(diags.map((d) => [doc.getText(d.range), codeOf(d)]));
		assert.equal(byText.get('Margaret Okafor'), 'phi.Patient');
		assert.equal(byText.get('Eleanor Whitfield'), 'phi.Doctor');
		assert.equal(byText.get('3/14/2031'), 'phi.Date');
		assert.equal(byText.get('617-555-0123'), 'phi.Phone');
		assert.equal(byText.get('94'), 'phi.Age');
		assert.ok(!byText.has('Foley') && !byText.has('Lasix'), 'clinical words are not PHI');
		for (const d of diags) assert.ok(!d.message.includes(doc.getText(d.range)), 'messages never repeat the PHI');
		const status = api.status(doc.uri);
		assert.equal(status?.total, diags.length);
	});

	it('NDJSON: string values only, mapped through escapes', async () => {
		const doc = await open('records.ndjson');
		assert.equal(doc.languageId, 'ndjson');
		const diags = await diagnosticsFor(doc.uri, (d) => d.length >= 5, 'records.ndjson diagnostics');
		const texts = diags.map((d) => doc.getText(d.range));
		for (const t of ['Okafor', 'Margaret', '1937-07-02', 'Whitfield', '617-555-0188']) assert.ok(texts.includes(t), `${t} in ${texts}`);
		assert.ok(!texts.some((t) => t.includes('resourceType')));
	});

	it('quick fixes are offered and applying one removes the PHI (valid JSON kept)', async () => {
		const doc = await open('records.ndjson');
		await settled(doc);
		const diags = await diagnosticsFor(doc.uri, (d) => d.some((x) => codeOf(x) === 'phi.Doctor'), 'a Doctor finding');
		const d = diags.find((x) => codeOf(x) === 'phi.Doctor')!;
		const actions = await quickFixes(doc.uri, d.range);
		const titles = actions.map((a) => a.title);
		assert.ok(titles.includes('Redact as [DOCTOR]'), titles.join(' | '));
		assert.ok(titles.includes('Mark as not PHI (this workspace)'), titles.join(' | '));
		const redact = actions.find((a) => a.title === 'Redact as [DOCTOR]')!;
		const before = diags.length;
		assert.ok(await vscode.workspace.applyEdit(redact.edit!), `edit refused (document v${doc.version}, status v${api.status(doc.uri)?.version})`);
		const line = doc.lineAt(1).text;
		assert.match(line, /\[DOCTOR\]/);
		JSON.parse(line);
		await diagnosticsFor(doc.uri, (x) => x.length === before - 1, 'one fewer diagnostic');
		// what the fix wrote is marked as de-identified, quietly (the mark may come in the publication after)
		const quiet = (x: vscode.Diagnostic) => codeOf(x) === 'deid.deidentified' && x.severity === vscode.DiagnosticSeverity.Hint && doc.getText(x.range).includes('[DOCTOR]');
		await diagnosticsFor(doc.uri, (x) => x.some(quiet), 'the fixed text marked as de-identified', 30000, false);
		await vscode.commands.executeCommand('undo');
	});

	it('"Mark as not PHI" adds to the allow list and the finding disappears', async () => {
		const doc = await open('note.txt');
		await diagnosticsFor(doc.uri, (d) => d.some((x) => doc.getText(x.range) === '3/14/2031'), 'the date');
		await vscode.commands.executeCommand('deid.addToAllowList', '3/14/2031', 'workspace', doc.uri.toString());
		await diagnosticsFor(doc.uri, (d) => !d.some((x) => doc.getText(x.range) === '3/14/2031'), 'the date to disappear');
		const allow = vscode.workspace.getConfiguration('deid').inspect<string[]>('allowList')?.workspaceValue;
		assert.deepEqual(allow, ['3/14/2031']);
		await vscode.workspace.getConfiguration('deid').update('allowList', undefined, vscode.ConfigurationTarget.Workspace);
	});

	it('"Mark Selection as PHI…" adds to the deny list and the text becomes a finding', async () => {
		const doc = await open('note.txt');
		const line = doc.lineAt(2).text;
		const start = line.indexOf('catheter');
		const range = new vscode.Range(2, start, 2, start + 'catheter'.length);
		const ok = await vscode.commands.executeCommand('deid.markSelectionAsPhi', doc.uri.toString(), { start: range.start, end: range.end }, { type: 'Device', scope: 'workspace' });
		assert.equal(ok, true);
		const diags = await diagnosticsFor(doc.uri, (d) => d.some((x) => codeOf(x) === 'phi.Device'), 'the deny-listed word');
		assert.equal(doc.getText(diags.find((x) => codeOf(x) === 'phi.Device')!.range), 'catheter');
		await vscode.workspace.getConfiguration('deid').update('denyList', undefined, vscode.ConfigurationTarget.Workspace);
	});

	it('"Redact All PHI in This File" replaces every finding', async () => {
		const doc = await open('note.txt');
		await diagnosticsFor(doc.uri, (d) => d.length >= 5, 'note.txt diagnostics');
		assert.equal(await vscode.commands.executeCommand('deid.redactDocument'), true);
		const text = doc.getText();
		for (const phi of ['Okafor', 'Whitfield', '617-555-0123', '3/14/2031']) assert.ok(!text.includes(phi), phi);
		assert.match(text, /\[PATIENT\]/);
		await vscode.commands.executeCommand('undo');
	});

	it('the surrogate key lives in SecretStorage: a quick fix and the folder job give the same surrogate', async () => {
		const hex = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
		const fp = await vscode.commands.executeCommand<string>('deid.importKey', hex);
		assert.match(fp ?? '', /^[0-9a-f]{16}$/);
		assert.equal(await vscode.commands.executeCommand('deid.showKeyFingerprint'), fp);
		assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('deid')).includes(hex), 'the key is not in settings');
		const input = path.join(ws().fsPath, 'inbox');
		const output = path.join(ws().fsPath, '..', `inbox-sur-${Date.now()}`);
		const result = await vscode.commands.executeCommand<{ reportPath?: string }>('deid.deidentifyFolder', { input, output, operation: 'surrogate', quiet: true });
		const report = JSON.parse(readFileSync(result!.reportPath!, 'utf8'));
		assert.equal(report.keyFingerprint, fp);
		const folderSurname = /^Mrs\. \S+ returned on \S+; Dr\. (\S+) adjusted/.exec(readFileSync(path.join(output, 'p1', 'visit.txt'), 'utf8'))![1];
		const doc = await open('note.txt');
		await settled(doc);
		const diags = await diagnosticsFor(doc.uri, (d) => d.some((x) => codeOf(x) === 'phi.Doctor'), 'the doctor');
		const d = diags.find((x) => codeOf(x) === 'phi.Doctor')!;
		const actions = await quickFixes(doc.uri, d.range);
		const sur = actions.find((a) => a.title.startsWith('Replace with a surrogate'))!;
		const newText = sur.edit!.entries()[0][1][0].newText;
		assert.equal(newText.split(' ').pop(), folderSurname, `quick fix "${newText}" vs folder job "${folderSurname}"`);
		assert.notEqual(folderSurname, 'Whitfield');
	});

	it('"De-identify Folder…" writes the mirrored output and the report', async () => {
		const input = path.join(ws().fsPath, 'inbox');
		const output = path.join(ws().fsPath, '..', `inbox-deid-${Date.now()}`);
		const result = await vscode.commands.executeCommand<{ done: number; files: number; reportPath?: string; error?: string }>('deid.deidentifyFolder', { input, output, operation: 'redact', quiet: true });
		assert.equal(result?.error, undefined);
		assert.equal(result?.done, 2);
		assert.ok(result?.reportPath && existsSync(result.reportPath));
		const visit = readFileSync(path.join(output, 'p1', 'visit.txt'), 'utf8');
		assert.ok(!visit.includes('Okafor') && !visit.includes('Whitfield'), visit);
		assert.equal(readFileSync(path.join(input, 'p1', 'visit.txt'), 'utf8').includes('Okafor'), true, 'source untouched');
		// Compare with Original, from the de-identified file: a diff editor opens with both sides
		const pair = await vscode.commands.executeCommand<{ original: vscode.Uri; deidentified: vscode.Uri }>('deid.compareWithOriginal', vscode.Uri.file(path.join(output, 'p1', 'visit.txt')));
		assert.equal(pair?.original.fsPath, path.join(input, 'p1', 'visit.txt'));
		const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
		assert.ok(tab?.input instanceof vscode.TabInputTextDiff, 'a diff editor is active');
		assert.equal((tab.input as vscode.TabInputTextDiff).modified.fsPath, path.join(output, 'p1', 'visit.txt'));
		// ...and from the source file (the remembered output folder)
		const back = await vscode.commands.executeCommand<{ deidentified: vscode.Uri }>('deid.compareWithOriginal', vscode.Uri.file(path.join(input, 'summary.txt')));
		assert.equal(back?.deidentified.fsPath, path.join(output, 'summary.txt'));
	});
	it('"Verify De-identified Output Folder…" finds a name planted after the job and lists it in the findings view', async () => {
		const input = path.join(ws().fsPath, 'inbox');
		const output = path.join(ws().fsPath, '..', `inbox-verify-${Date.now()}`);
		const job = await vscode.commands.executeCommand<{ error?: string }>('deid.deidentifyFolder', { input, output, operation: 'redact', quiet: true });
		assert.equal(job?.error, undefined);
		const planted = path.join(output, 'p1', 'visit.txt');
		writeFileSync(planted, readFileSync(planted, 'utf8') + '\nSeen with her husband Desmond Okonkwo-Hale today.\n');
		const uri = vscode.Uri.file(planted).toString();
		const listed = new Promise<void>((resolve) => {
			const sub = api.review.onDidChange((reviews) => {
				if (reviews.some((r) => r.uri === uri && r.findings.some((f) => f.detector.startsWith('verify:') && f.type === 'Patient'))) {
					sub.dispose();
					resolve();
				}
			});
		});
		const result = await vscode.commands.executeCommand<{ suspects: number; byFile: { uri: string }[] }>('deid.verifyOutput', { output, quiet: true });
		assert.ok(result && result.suspects > 0 && result.byFile.some((f) => f.uri === uri), JSON.stringify(result?.byFile.map((f) => f.uri)));
		await listed;
		const preview = api.review.get(vscode.Uri.file(planted))!.findings.map((f) => f.preview).join(' ');
		assert.match(preview, /Desmond|Okonkwo/);
	});

	it('"Scan Workspace for PHI" lists closed files; the filter, Next/Previous and Change Type work on them', async function () {
		this.timeout(90000);
		// a file that is never opened before the scan
		const file = vscode.Uri.joinPath(ws(), `review-nav-${Date.now()}`, 'note.txt');
		await vscode.workspace.fs.writeFile(file, Buffer.from('Nursing note.\nMargaret Okafor was seen by Dr. Eleanor Whitfield on 3/14/2031.\nCall 617-555-0199 with questions.\n'));
		const listed = new Promise<void>((resolve) => {
			const sub = api.review.onDidChange(() => {
				if ((api.review.get(file)?.findings.length ?? 0) >= 3) {
					sub.dispose();
					resolve();
				}
			});
		});
		await vscode.commands.executeCommand('deid.review.scanWorkspace');
		await listed;
		assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === file.toString()), 'the scan did not open the file');
		const types = () => api.review.shown(file).map((f) => f.type);
		assert.ok(types().includes('Date') && types().includes('Phone') && types().some((t) => t === 'Patient' || t === 'Doctor'), types().join());

		// the filter: one type, then a confidence no finding reaches, then none
		await vscode.commands.executeCommand('deid.review.filter', { types: ['Date'], minConfidence: 0 });
		assert.deepEqual(types(), ['Date']);
		await vscode.commands.executeCommand('deid.review.filter', { types: [], minConfidence: 1.01 });
		assert.deepEqual(types(), []);
		await vscode.commands.executeCommand('deid.review.clearFilter');
		assert.ok(types().length >= 3);

		// Next and Previous walk the file's pending findings in document order
		const shown = api.review.shown(file);
		const editor = await vscode.window.showTextDocument(file, { selection: new vscode.Range(0, 0, 0, 0) });
		assert.ok(editor);
		const at = () => {
			const sel = vscode.window.activeTextEditor!.selection;
			return [vscode.window.activeTextEditor!.document.uri.toString(), sel.start.line, sel.start.character, sel.end.line, sel.end.character].join(':');
		};
		const of = (f: (typeof shown)[number]) => [file.toString(), f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character].join(':');
		await vscode.commands.executeCommand('deid.review.next');
		assert.equal(at(), of(shown[0]));
		await vscode.commands.executeCommand('deid.review.next');
		assert.equal(at(), of(shown[1]));
		await vscode.commands.executeCommand('deid.review.previous');
		assert.equal(at(), of(shown[0]));

		// Change Type on the date: the view shows the new type and keeps the detector's
		const date = shown.find((f) => f.type === 'Date')!;
		const changed = new Promise<void>((resolve) => {
			const sub = api.review.onDidChange(() => {
				if (api.review.get(file)?.findings.some((f) => f.id === date.id && f.decision === 'changeType')) {
					sub.dispose();
					resolve();
				}
			});
		});
		await vscode.commands.executeCommand('deid.review.changeType', { uri: file.toString(), range: date.range }, 'Age');
		await changed;
		const after = api.review.get(file)!.findings.find((f) => f.id === date.id)!;
		assert.equal(after.type, 'Age');
		assert.equal(after.detectedType, 'Date');
	});

	it('a large file: squiggles where the editor shows it first, progress in the status, then every finding', async function () {
		this.timeout(180000);
		// about 3 MB: the note, then lines without PHI, over and over; the server scans it in pieces for seconds
		const note = readFileSync(path.join(ws().fsPath, 'note.txt'), 'utf8').trim();
		const filler = Array.from({ length: 12 }, (_, i) => `Vital signs stable overnight; plan of care reviewed with the team (item ${i + 1}). Continue current medications.`).join('\n');
		const copies = Math.ceil(3_000_000 / (note.length + filler.length + 3));
		const file = path.join(ws().fsPath, 'large-notes.txt');
		writeFileSync(file, Array.from({ length: copies }, () => `${note}\n${filler}`).join('\n\n') + '\n');
		const uri = vscode.Uri.file(file);
		const states: StatusParams[] = [];
		let lineCount = Infinity;
		// each publication: how many findings, and whether any is near the end of the file
		const publications: { count: number; bottom: boolean }[] = [];
		const subs = [
			api.onStatus((p) => p.uri === uri.toString() && states.push(p)),
			vscode.languages.onDidChangeDiagnostics((e) => {
				if (!e.uris.some((u) => u.toString() === uri.toString())) return;
				const lines = vscode.languages.getDiagnostics(uri).filter((d) => codeOf(d).startsWith('phi.')).map((d) => d.range.start.line);
				publications.push({ count: lines.length, bottom: lines.some((l) => l > lineCount - 200) });
			}),
		];
		const deid = vscode.workspace.getConfiguration('deid');
		try {
			// The user is at the end of the file before it is scanned: opened with deid off, scrolled, then deid on.
			await deid.update('enable', false, vscode.ConfigurationTarget.Workspace);
			const doc = await vscode.workspace.openTextDocument(uri);
			lineCount = doc.lineCount;
			const editor = await vscode.window.showTextDocument(doc);
			const atEnd = () => editor.visibleRanges.some((r) => r.end.line > lineCount - 50);
			editor.revealRange(new vscode.Range(lineCount - 1, 0, lineCount - 1, 0), vscode.TextEditorRevealType.InCenter);
			await new Promise<void>((resolve, reject) => {
				if (atEnd()) return resolve();
				const timer = setTimeout(() => (sub.dispose(), reject(new Error('the editor did not scroll to the end of the file'))), 30000);
				const sub = vscode.window.onDidChangeTextEditorVisibleRanges(() => atEnd() && (clearTimeout(timer), sub.dispose(), resolve()));
			});
			// the client reports visible ranges 50 ms after they change (a timer set before this one): the server has
			// them before the setting
			await new Promise((r) => setTimeout(r, 200));
			await deid.update('enable', undefined, vscode.ConfigurationTarget.Workspace);
			const diags = await diagnosticsFor(uri, (d) => api.status(uri)?.version === doc.version && !api.status(uri)?.scanning && d.length > 0, 'the large file to be scanned', 150000);
			assert.ok(
				states.some((s) => s.scanning && s.scanning.done < s.scanning.total),
				'the status reported progress while the file was scanned',
			);
			// the first publication (fewer findings than the last) already had squiggles where the editor was
			assert.ok(
				publications.find((p) => p.count > 0)?.bottom && publications.find((p) => p.count > 0)!.count < diags.length,
				`the end of the file had squiggles before the scan was complete (${JSON.stringify(publications.slice(0, 5))} of ${diags.length})`,
			);
			const names = diags.filter((d) => doc.getText(d.range) === 'Margaret Okafor' && codeOf(d) === 'phi.Patient');
			assert.equal(names.length, copies, 'every copy of the name is a finding in the end');
			assert.equal(api.status(uri)?.total, diags.length);
		} finally {
			subs.forEach((d) => d.dispose());
			await deid.update('enable', undefined, vscode.ConfigurationTarget.Workspace);
			await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
			rmSync(file, { force: true });
		}
	});

	it('"Submit Folder as Remote Batch Job…" runs against a local deid serve over Azurite and downloads the outputs', async function () {
		const cfg = process.env.DEID_E2E_REMOTE;
		if (!cfg) return this.skip();
		this.timeout(120000);
		const remote = JSON.parse(cfg) as { endpoint: string; containerUrl: string; connectionString: string; token: string };
		const conf = vscode.workspace.getConfiguration('deid.remote');
		await conf.update('endpoint', remote.endpoint, vscode.ConfigurationTarget.Workspace);
		await conf.update('containerUrl', remote.containerUrl, vscode.ConfigurationTarget.Workspace);
		await conf.update('credential', 'token', vscode.ConfigurationTarget.Workspace);
		await conf.update('storageAuth', 'connectionString', vscode.ConfigurationTarget.Workspace);
		await vscode.commands.executeCommand('deid.setRemoteSecret', 'token', remote.token);
		await vscode.commands.executeCommand('deid.setRemoteSecret', 'connectionString', remote.connectionString);
		// settings never hold the secrets
		assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('deid')).includes(remote.token));
		const input = path.join(ws().fsPath, 'remote-in');
		await vscode.workspace.fs.writeFile(vscode.Uri.file(path.join(input, 'n1.txt')), Buffer.from('Dr. Eleanor Whitfield saw Margaret Okafor on 3/14/2031.\n'));
		await vscode.workspace.fs.writeFile(vscode.Uri.file(path.join(input, 'sub', 'n2.txt')), Buffer.from('Call 617-555-0199 about Margaret Okafor.\n'));
		const report = await vscode.commands.executeCommand<{ status: string; downloaded: string[]; failed: unknown[] }>('deid.submitRemoteJob', { folder: vscode.Uri.file(input), confirm: true });
		assert.ok(report, 'the command returned a report');
		assert.equal(report.status, 'Succeeded');
		assert.deepEqual(report.downloaded, ['n1.txt', 'sub/n2.txt']);
		const out = path.join(ws().fsPath, 'remote-in-deid-remote');
		const n1 = readFileSync(path.join(out, 'n1.txt'), 'utf8');
		assert.ok(!/Whitfield|Okafor|3\/14\/2031/.test(n1), 'PHI removed');
		assert.ok(existsSync(path.join(out, 'sub', 'n2.txt')));
		assert.ok(existsSync(path.join(out, 'deid-remote-report.json')));
	});
});
