// Remote batch jobs through the language server, as the extension runs them: the client sends settings and
// credentials in `deid/remoteJob/*` requests, the server uploads to Azurite, runs the job on our `deid serve`,
// polls, downloads and reports progress; Entra ID tokens come from the client on the server's request.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { CancellationTokenSource, WorkDoneProgress, type WorkDoneProgressReport } from 'vscode-languageserver-protocol';
import {
	REMOTE_DEID_SCOPE, RemoteJobActionRequest, RemoteJobCreatedNotification, RemoteJobDownloadRequest, RemoteJobListRequest, RemoteJobPreflightRequest,
	RemoteJobSubmitRequest, RemoteJobTokenRequest, type RemoteJobSubmitParams, type RemoteServiceParams, type RemoteStorageParams,
} from '../../server/src/protocol';
import { startAzurite, startDeidServer, type Azurite, type DeidServer } from '../helpers/azurite';
import { runCli } from '../helpers/cli';
import { TestClient } from '../helpers/lsp';
import { readOutputs, writeFiles } from '../helpers/files';

const work = mkdtempSync(join(tmpdir(), 'deid-remote-lsp-'));
const CONTAINER = 'lsp-notes';
const TOKEN = randomBytes(32).toString('base64url');
let azurite: Azurite;
let server: DeidServer;
let client: TestClient;
const logs: string[] = [];
const created: { workDoneToken?: string | number; jobName: string }[] = [];
const tokenRequests: string[] = [];
/** What the test client answers to `deid/remoteJob/token`, as the extension's Microsoft sign-in would. */
let entraAnswer: string | undefined;

const NOTES: Record<string, string> = {
	'a.txt': 'Dr. Whitfield saw Mrs. Hodges on 03/14/2021; call 617-555-0199.\n',
	'sub/b.txt': 'Patient Maria Delgado, MRN 44512378, lives in Springfield.\n',
};

before(async () => {
	azurite = await startAzurite();
	await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER).createIfNotExists();
	const stateDir = join(work, 'state');
	mkdirSync(stateDir, { recursive: true });
	server = await startDeidServer(azurite.connectionString, stateDir, TOKEN);
	client = new TestClient();
	client.conn.onNotification('window/logMessage', (p: { message: string }) => void logs.push(p.message));
	client.conn.onNotification(RemoteJobCreatedNotification, (p) => void created.push(p));
	client.conn.onRequest(RemoteJobTokenRequest, (p) => {
		tokenRequests.push(p.scope);
		return { accessToken: entraAnswer };
	});
	await client.initialize();
});
after(async () => {
	await client?.close();
	await server?.stop();
	await azurite?.stop();
	rmSync(work, { recursive: true, force: true });
});

const folder = (name: string, files: Record<string, string | Buffer>): string => writeFiles(join(work, name), files);
const tree = (dir: string): Record<string, string> => readOutputs(dir);
const service = (): RemoteServiceParams => ({ endpoint: server.url, auth: { kind: 'token', token: server.token } });
const storage = (): RemoteStorageParams => ({ containerUrl: azurite.containerUrl(CONTAINER), storage: { kind: 'connectionString', connectionString: azurite.connectionString } });
const submitParams = (input: string, out: string, workDoneToken: string): RemoteJobSubmitParams => ({
	...service(), ...storage(), folder: input, out, operation: 'Redact', redactionFormat: '[{TYPE}]', deleteInputs: true, workDoneToken,
});
/** Nothing the server logged holds a secret or a note's text. */
function assertCleanLogs(): void {
	const secrets = [server.token, azurite.connectionString, 'Whitfield', 'Hodges', 'Delgado', '617-555-0199'];
	for (const line of logs) for (const s of secrets) assert.ok(!line.includes(s), `a log line holds a secret or PHI: ${line.slice(0, 40)}…`);
}

describe('remote jobs through the language server: Azurite + deid serve', () => {
	let firstJob = '';

	it('preflight counts what would be uploaded; submit uploads, runs, downloads, reports progress and writes the report', async () => {
		const input = folder('in1', { ...NOTES, 'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]) });
		const pre = await client.conn.sendRequest(RemoteJobPreflightRequest, { folder: input });
		assert.deepEqual({ ...pre, bytes: pre.bytes > 0 }, { files: 2, bytes: true, skipped: 1 });

		const out = join(work, 'out1');
		const progress: string[] = [];
		const sub = client.conn.onProgress(WorkDoneProgress.type, 'remote-1', (v) => void progress.push(v.kind === 'end' ? 'end' : String((v as WorkDoneProgressReport).message)));
		const report = await client.conn.sendRequest(RemoteJobSubmitRequest, submitParams(input, out, 'remote-1'));
		sub.dispose();
		firstJob = report.jobName;
		assert.equal(report.status, 'Succeeded');
		assert.deepEqual(report.downloaded, ['a.txt', 'sub/b.txt']);
		assert.deepEqual(report.failed, []);
		assert.deepEqual(report.skipped.map((s) => s.rel), ['image.png']);
		assert.deepEqual(report.summary && { s: report.summary.successful, t: report.summary.total }, { s: 2, t: 2 });
		assert.deepEqual(created.filter((c) => c.workDoneToken === 'remote-1').map((c) => c.jobName), [report.jobName], 'the created notification names the job');
		assert.ok(progress.some((m) => /^Uploading 2\/2$/.test(m)), progress.join(' | '));
		assert.ok(progress.some((m) => /^Downloading \d\/2$/.test(m)), progress.join(' | '));
		assert.equal(progress.at(-1), 'end');

		// The same output as the local folder job with the same redaction format.
		const local = join(work, 'local1');
		const r = runCli(['deidentify', input, local, '--operation', 'redact', '--redaction-format', '[{TYPE}]', '--workers', '0']);
		assert.equal(r.code, 0, r.stderr);
		const expected = tree(local);
		delete expected['image.png'];
		assert.deepEqual(tree(out), expected);
		assert.match(tree(out)['a.txt'], /\[DOCTOR\]/);
		const file = JSON.parse(readFileSync(join(out, 'deid-remote-report.json'), 'utf8')) as { job: string; status: string; downloaded: number };
		assert.deepEqual({ job: file.job, status: file.status, downloaded: file.downloaded }, { job: report.jobName, status: 'Succeeded', downloaded: 2 });
		assert.ok(!readFileSync(join(out, 'deid-remote-report.json'), 'utf8').includes(server.token), 'the report holds no credential');

		const left: string[] = [];
		for await (const b of BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER).listBlobsFlat({ prefix: `${report.jobName}/input/` })) left.push(b.name);
		assert.deepEqual(left, [], 'uploaded inputs are deleted');
		assertCleanLogs();
	});

	it('list, status and download of an earlier job; delete; a failure names the service\'s status and code', async () => {
		const { jobs } = await client.conn.sendRequest(RemoteJobListRequest, { ...service(), max: 50 });
		assert.ok(jobs.some((j) => j.name === firstJob && j.status === 'Succeeded'));
		const status = await client.conn.sendRequest(RemoteJobActionRequest, { ...service(), name: firstJob, action: 'status' });
		assert.deepEqual(status.job && { name: status.job.name, status: status.job.status, total: status.job.summary?.total }, { name: firstJob, status: 'Succeeded', total: 2 });
		const again = join(work, 'again1');
		const got = await client.conn.sendRequest(RemoteJobDownloadRequest, { ...service(), ...storage(), name: firstJob, out: again });
		assert.deepEqual(got, { downloaded: ['a.txt', 'sub/b.txt'], failed: [] });
		assert.deepEqual(tree(again), tree(join(work, 'out1')));
		await client.conn.sendRequest(RemoteJobActionRequest, { ...service(), name: firstJob, action: 'delete' });
		await assert.rejects(client.conn.sendRequest(RemoteJobActionRequest, { ...service(), name: firstJob, action: 'status' }), (e: Error) => /404 JobNotFound/.test(e.message));
		await assert.rejects(client.conn.sendRequest(RemoteJobListRequest, { endpoint: server.url, auth: { kind: 'token', token: 'not-the-token' } }), (e: Error) => /403/.test(e.message) && !e.message.includes('not-the-token'));
		assertCleanLogs();
	});

	it('Entra ID: without a token the server asks the client for one (deid scope), and reports a 401 when it has none', async () => {
		const entra: RemoteServiceParams = { endpoint: server.url, auth: { kind: 'entra', accessToken: '' } };
		entraAnswer = server.token;
		tokenRequests.length = 0;
		const { jobs } = await client.conn.sendRequest(RemoteJobListRequest, { ...entra, max: 5 });
		assert.ok(Array.isArray(jobs));
		assert.deepEqual(tokenRequests, [REMOTE_DEID_SCOPE]);
		entraAnswer = undefined;
		tokenRequests.length = 0;
		await assert.rejects(client.conn.sendRequest(RemoteJobListRequest, entra), (e: Error) => /401 Unauthorized/.test(e.message));
		assert.ok(tokenRequests.length >= 1 && tokenRequests.every((s) => s === REMOTE_DEID_SCOPE), tokenRequests.join());
	});

	it('cancelling the submit request cancels the job; outputs finished before are downloaded', async () => {
		const many: Record<string, string> = {};
		for (let i = 0; i < 200; i++) many[`n${i}.txt`] = `Note ${i}: Dr. Whitfield saw Mrs. Hodges on 03/14/2021.\n`;
		const input = folder('in2', many);
		const out = join(work, 'out2');
		const cancel = new CancellationTokenSource();
		// Cancel as soon as the job exists, as the user's click on the notification's Cancel would.
		const watch = setInterval(() => created.some((c) => c.workDoneToken === 'remote-2') && cancel.cancel(), 5);
		try {
			const report = await client.conn.sendRequest(RemoteJobSubmitRequest, submitParams(input, out, 'remote-2'), cancel.token);
			assert.equal(report.status, 'Canceled');
			// A job canceled before it started has neither summary nor documents.
			assert.equal(report.downloaded.length, report.summary?.successful ?? 0, 'outputs written before the cancel are downloaded');
			assert.ok(report.downloaded.length < 200);
			const { job } = await client.conn.sendRequest(RemoteJobActionRequest, { ...service(), name: report.jobName, action: 'status' });
			assert.equal(job?.status, 'Canceled', 'the job itself is canceled on the service');
			assert.equal(existsSync(join(out, 'deid-remote-report.json')), true);
		} finally {
			clearInterval(watch);
		}
		assertCleanLogs();
	});
});
