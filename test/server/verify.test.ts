// deid/verifyOutput over real stdio: the folder job verifies its output (unless deid.verifyAfterJob is off), and
// the request reports a replaced value planted into another output by file URI, type and range, never text.
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { WorkDoneProgress } from 'vscode-languageserver-protocol';
import { DeidentifyFolderRequest, SetKeyNotification, VerifyOutputRequest, type VerifyOutputResult } from '../../server/src/protocol';
import { root } from '../helpers/cli';
import { writeFiles } from '../helpers/files';
import { TestClient } from '../helpers/lsp';

let client: TestClient;
let dir: string;

before(async () => {
	client = new TestClient();
	await client.initialize();
	await client.conn.sendNotification(SetKeyNotification, { key: readFileSync(join(root, 'test', 'fixtures', 'test.key'), 'utf8').trim() });
	dir = mkdtempSync(join(tmpdir(), 'deid-lsp-verify-'));
	writeFiles(join(dir, 'in'), {
		'a.txt': 'Patient Margaret Okafor was seen at Mercy General Hospital on 03/04/2021.\n',
		'b.txt': 'Follow-up visit. Labs normal.\n',
	});
});
after(async () => {
	await client.close();
	rmSync(dir, { recursive: true, force: true });
});

const reportOf = (out: string) => JSON.parse(readFileSync(join(out, 'deid-report.json'), 'utf8')) as { verify?: { files: number } };

describe('deid/verifyOutput', () => {
	it('the folder job verifies its output unless deid.verifyAfterJob is false', async () => {
		await client.conn.sendRequest(DeidentifyFolderRequest.method, { input: join(dir, 'in'), output: join(dir, 'out'), operation: 'surrogate' });
		assert.equal(reportOf(join(dir, 'out')).verify?.files, 2);
		client.settings = { verifyAfterJob: false };
		void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
		await client.conn.sendRequest(DeidentifyFolderRequest.method, { input: join(dir, 'in'), output: join(dir, 'out-off'), operation: 'redact' });
		assert.equal(reportOf(join(dir, 'out-off')).verify, undefined);
		client.settings = {};
		void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
	});

	it('reports a planted replaced value by URI, type and range, with work-done progress', async () => {
		const out = join(dir, 'out');
		const clean = (await client.conn.sendRequest(VerifyOutputRequest.method, { output: out })) as VerifyOutputResult;
		assert.equal(clean.error, undefined);
		assert.equal(clean.suspects, 0, JSON.stringify(clean));
		appendFileSync(join(out, 'b.txt'), 'copied from the okafor chart.\n');
		const progress: unknown[] = [];
		const token = 'verify-1';
		client.conn.onProgress(WorkDoneProgress.type, token, (v: unknown) => {
			progress.push(v);
		});
		const res = (await client.conn.sendRequest(VerifyOutputRequest.method, { output: out, workDoneToken: token })) as VerifyOutputResult;
		assert.equal(res.files, 2);
		assert.equal(res.suspects, 1, JSON.stringify(res));
		assert.equal(res.byFile[0].uri, pathToFileURL(join(out, 'b.txt')).toString());
		assert.deepEqual(res.byFile[0].suspects[0], { range: { start: { line: 1, character: 16 }, end: { line: 1, character: 22 } }, type: 'Patient', confidence: 1, reason: 'replaced' });
		assert.doesNotMatch(JSON.stringify(res), /okafor/i);
		assert.ok(progress.length >= 2, 'work-done progress was reported');
	});

	it('says when the folder is no folder job output', async () => {
		const res = (await client.conn.sendRequest(VerifyOutputRequest.method, { output: join(dir, 'in') })) as VerifyOutputResult;
		assert.match(res.error ?? '', /not a folder job's output/);
		assert.equal(res.suspects, 0);
	});
});
