// Remote batch jobs end to end with real parts: Azurite (npm) for Blob Storage, `deid serve` (our self-hosted
// server with the Azure API) as a process, and our REST client. Plus the client against recorded response shapes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { REMOTE_DEID_SCOPE } from '../../server/src/protocol';
import { DEID_SCOPE, DeidApiError, DeidClient, type DeidentificationJob } from '../../server/src/remote/azure/deidClient';
import { submitFolder } from '../../server/src/remote/azure/submit';
import { BorrowedToken, TOKEN_REUSE_MS } from '../../server/src/remote/azure/tokens';
import { startAzurite, startDeidServer, type Azurite, type DeidServer } from '../helpers/azurite';
import { runCli } from '../helpers/cli';
import { readOutputs, writeFiles } from '../helpers/files';

const work = mkdtempSync(join(tmpdir(), 'deid-remote-'));
let azurite: Azurite;
let server: DeidServer;
let client: DeidClient;
const stateDir = join(work, 'state');
const CONTAINER = 'notes';
/** deid serve refuses tokens under 32 characters or with little variety. */
const TOKEN = randomBytes(32).toString('base64url');
const fast = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 50)));

const NOTES: Record<string, string> = {
	'a.txt': 'Dr. Whitfield saw Mrs. Hodges on 03/14/2021; call 617-555-0199.\n',
	'sub/b.txt': 'Patient Maria Delgado, MRN 44512378, lives in Springfield.\n',
	'sub/deeper/c.txt': 'No PHI here: BP 120/80, afebrile.\n',
};

before(async () => {
	mkdirSync(stateDir, { recursive: true });
	azurite = await startAzurite();
	await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER).createIfNotExists();
	server = await startDeidServer(azurite.connectionString, stateDir, TOKEN);
	client = new DeidClient({ endpoint: server.url, token: async () => server.token, sleep: fast });
});
after(async () => {
	await server?.stop();
	await azurite?.stop();
	rmSync(work, { recursive: true, force: true });
});

const folder = (name: string, files: Record<string, string | Buffer>): string => writeFiles(join(work, name), files);
const tree = (dir: string): Record<string, string> => readOutputs(dir);
const storage = () => ({ containerUrl: azurite.containerUrl(CONTAINER), connectionString: azurite.connectionString });
async function raw(path: string, init: RequestInit & { token?: string | null } = {}) {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	const token = init.token === undefined ? server.token : init.token;
	if (token) headers.authorization = `Bearer ${token}`;
	return fetch(server.url + path, { ...init, headers });
}

describe('remote batch jobs: Azurite + deid serve + our client', () => {
	it('upload → job → poll → download gives the local folder job\'s output; inputs are deleted afterwards', async () => {
		const input = folder('in1', { ...NOTES, 'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]) });
		const out = join(work, 'out1');
		const phases = new Set<string>();
		let created = '';
		const report = await submitFolder({ folder: input, out, client, storage: storage(), operation: 'Redact', redactionFormat: '[{TYPE}]', onJobCreated: (n) => (created = n), onProgress: (p) => phases.add(p.phase), pollMinMs: 10 });
		assert.equal(report.status, 'Succeeded');
		assert.equal(created, report.jobName);
		assert.deepEqual(report.downloaded, ['a.txt', 'sub/b.txt', 'sub/deeper/c.txt']);
		assert.deepEqual(report.failed, []);
		assert.deepEqual(report.skipped.map((s) => s.rel), ['image.png']);
		assert.deepEqual([...phases].sort(), ['download', 'process', 'upload']);
		const local = join(work, 'local1');
		const r = runCli(['deidentify', join(work, 'in1'), local, '--operation', 'redact', '--redaction-format', '[{TYPE}]', '--workers', '0']);
		assert.equal(r.code, 0, r.stderr);
		const expected = tree(local);
		delete expected['image.png'];
		assert.deepEqual(tree(out), expected);
		assert.match(tree(out)['a.txt'], /\[DOCTOR\]/);
		const left: string[] = [];
		for await (const b of BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER).listBlobsFlat({ prefix: `${report.jobName}/input/` })) left.push(b.name);
		assert.deepEqual(left, [], 'uploaded inputs are deleted');
		const job = await client.getJob(report.jobName);
		assert.deepEqual(job.summary && { s: job.summary.successful, t: job.summary.total }, { s: 3, t: 3 });
	});

	it('overwrite false: a second job onto the same outputs fails per document; documents page with maxpagesize=1', async () => {
		const input = folder('in2', NOTES);
		const report = await submitFolder({ folder: input, out: join(work, 'out2'), client, storage: storage(), operation: 'Surrogate', deleteInputs: false, pollMinMs: 10 });
		assert.equal(report.status, 'Succeeded');
		const second = `${report.jobName}-again`.slice(0, 36);
		await client.createJob(second, { operation: 'Surrogate', sourceLocation: { location: azurite.containerUrl(CONTAINER), prefix: `${report.jobName}/input/` }, targetLocation: { location: azurite.containerUrl(CONTAINER), prefix: `${report.jobName}/output/`, overwrite: false } });
		const done = await client.pollJob(second, { minMs: 10 });
		assert.equal(done.status, 'Failed', 'every document failed');
		const docs = [];
		for await (const d of client.listJobDocuments(second, { maxpagesize: 1 })) docs.push(d);
		assert.equal(docs.length, 3, 'nextLink paging at one per page');
		assert.deepEqual([...new Set(docs.map((d) => d.error?.code))], ['BlobAlreadyExists']);
		// Consistent surrogates within a job: the same input name maps to one surrogate.
		assert.doesNotMatch(tree(join(work, 'out2'))['a.txt'], /Whitfield|Hodges|617-555-0199/);
	});

	it('cancel stops a running job; the rest of its documents are canceled', async () => {
		const many: Record<string, string> = {};
		for (let i = 0; i < 150; i++) many[`n${i}.txt`] = `Note ${i}: Dr. Whitfield saw Mrs. Hodges on 03/14/2021.\n`;
		const input = folder('in3', many);
		const ac = new AbortController();
		const report = await submitFolder({
			folder: input, out: join(work, 'out3'), client, storage: storage(), operation: 'Redact', signal: ac.signal, pollMinMs: 5,
			onProgress: (p) => {
				if (p.phase === 'process' && p.done >= 1) ac.abort();
			},
		});
		assert.equal(report.status, 'Canceled');
		assert.ok(report.summary!.canceled > 0, `canceled ${report.summary!.canceled}`);
		assert.ok(report.failed.some((f) => f.code === 'Canceled'));
		assert.equal(report.downloaded.length, report.summary!.successful, 'outputs written before the cancel are downloaded');
	});

	it('errors have Azure shapes: 404 JobNotFound, 401/403, 400 for a bad body and an unknown api-version, 409 on a re-used name', async () => {
		await assert.rejects(client.getJob('no-such-job'), (e: unknown) => e instanceof DeidApiError && e.status === 404 && e.code === 'JobNotFound');
		const noToken = await raw('/jobs?api-version=2024-11-15', { token: null });
		assert.equal(noToken.status, 401);
		assert.equal(noToken.headers.get('x-ms-error-code'), 'Unauthorized');
		const wrong = await raw('/jobs?api-version=2024-11-15', { token: 'wrong' });
		assert.equal(wrong.status, 403);
		const version = await raw('/jobs?api-version=2099-01-01');
		assert.equal(version.status, 400);
		assert.equal(((await version.json()) as { error: { code: string } }).error.code, 'UnsupportedApiVersion');
		const bad = await raw('/jobs/bad-body-job?api-version=2024-11-15', { method: 'PUT', body: JSON.stringify({ operation: 'Shred', sourceLocation: {} }) });
		assert.equal(bad.status, 400);
		const body = (await bad.json()) as { error: { code: string; message: string } };
		assert.equal(body.error.code, 'InvalidRequestBody');
		const spec = { sourceLocation: { location: azurite.containerUrl(CONTAINER), prefix: 'nothing-here/' }, targetLocation: { location: azurite.containerUrl(CONTAINER), prefix: 'o/' } };
		const created = await raw('/jobs/empty-prefix-job?api-version=2024-11-15', { method: 'PUT', body: JSON.stringify(spec) });
		assert.equal(created.status, 201);
		assert.match(created.headers.get('operation-location')!, /\/jobs\/empty-prefix-job\?api-version=2024-11-15$/);
		const again = await raw('/jobs/empty-prefix-job?api-version=2024-11-15', { method: 'PUT', body: JSON.stringify(spec) });
		assert.equal(again.status, 409);
		const failed = await client.pollJob('empty-prefix-job', { minMs: 10 });
		assert.equal(failed.status, 'Failed');
		assert.equal(failed.error?.code, 'JobValidationError');
		await client.deleteJob('empty-prefix-job');
		await assert.rejects(client.getJob('empty-prefix-job'), (e: unknown) => e instanceof DeidApiError && e.status === 404);
	});

	it('POST /deid: synchronous redaction with UTF-8, UTF-16 and code point offsets', async () => {
		const text = 'Café 😀 Dr. Whitfield called.';
		const r = await client.deidentifyText(text, 'Redact', { redactionFormat: '[{type}]' });
		assert.equal(r.outputText, 'Café 😀 Dr. [doctor] called.');
		const e = r.taggerResult!.entities.find((x) => x.category === 'Doctor')!;
		assert.deepEqual(e.offset, { utf8: Buffer.byteLength('Café 😀 Dr. '), utf16: 'Café 😀 Dr. '.length, codePoint: [...'Café 😀 Dr. '].length });
		assert.deepEqual(e.length, { utf8: 9, utf16: 9, codePoint: 9 });
	});

	it('job state survives a restart of the server', async () => {
		const names: string[] = [];
		for await (const j of client.listJobs({ maxpagesize: 2 })) names.push(j.name);
		assert.ok(names.length >= 3);
		await server.stop();
		server = await startDeidServer(azurite.connectionString, stateDir, TOKEN);
		client = new DeidClient({ endpoint: server.url, token: async () => server.token, sleep: fast });
		const after: DeidentificationJob[] = [];
		for await (const j of client.listJobs()) after.push(j);
		assert.deepEqual(after.map((j) => j.name).sort(), [...names].sort());
		assert.ok(after.every((j) => ['Succeeded', 'Failed', 'Canceled'].includes(j.status)));
	});

	it('a server stopped during a job finishes the current document, and the job resumes after the restart', async () => {
		const many: Record<string, string> = {};
		for (let i = 0; i < 120; i++) many[`r${i}.txt`] = `Note ${i}: Mrs. Hodges, 03/14/2021.\n`;
		const input = folder('in5', many);
		const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER);
		for (const rel of Object.keys(many)) await container.getBlockBlobClient(`resume/input/${rel}`).uploadFile(join(input, rel));
		await client.createJob('resume-job', { operation: 'Redact', sourceLocation: { location: azurite.containerUrl(CONTAINER), prefix: 'resume/input/' }, targetLocation: { location: azurite.containerUrl(CONTAINER), prefix: 'resume/output/' } });
		let running: DeidentificationJob;
		do running = await client.getJob('resume-job');
		while (running.status === 'NotStarted' || (running.summary?.successful ?? 0) === 0);
		await server.stop(); // SIGTERM: graceful
		const saved = (JSON.parse(readFileSync(join(stateDir, 'deid-serve-state.json'), 'utf8')) as { job: DeidentificationJob }[]).find((x) => x.job.name === 'resume-job')!.job;
		assert.equal(saved.status, 'Running', 'stopped mid-job, state saved as Running');
		assert.ok(saved.summary!.successful > 0 && saved.summary!.successful < 120, `interrupted after ${saved.summary!.successful}`);
		server = await startDeidServer(azurite.connectionString, stateDir, TOKEN);
		client = new DeidClient({ endpoint: server.url, token: async () => server.token, sleep: fast });
		const done = await client.pollJob('resume-job', { minMs: 10 });
		assert.equal(done.status, 'Succeeded');
		assert.deepEqual({ s: done.summary!.successful, f: done.summary!.failed, t: done.summary!.total }, { s: 120, f: 0, t: 120 });
	});

	it('the CLI: deid job submit and deid job list against the server', async () => {
		const input = folder('in4', { 'x.txt': NOTES['a.txt'] });
		const tokenFile = join(work, 'cli-token');
		writeFileSync(tokenFile, server.token);
		const r = runCli(['job', 'submit', input, '--endpoint', server.url, '--container-url', azurite.containerUrl(CONTAINER), '--storage-connection-string', azurite.connectionString, '--token-file', tokenFile, '--operation', 'redact', '--out', join(work, 'out4')]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.match(r.stdout, /Succeeded; 1 documents downloaded/);
		assert.match(r.stderr, /leave this machine/);
		assert.match(readFileSync(join(work, 'out4', 'x.txt'), 'utf8'), /\[doctor\]/);
		const list = runCli(['job', 'list', '--endpoint', server.url, '--token-file', tokenFile]);
		assert.equal(list.code, 0);
		assert.match(list.stdout, /\tSucceeded\t/);
		const wrong = join(work, 'wrong-token');
		writeFileSync(wrong, 'nope');
		const denied = runCli(['job', 'list', '--endpoint', server.url, '--token-file', wrong]);
		assert.equal(denied.code, 1);
		assert.match(denied.stderr, /403 Forbidden/);
	});
});

describe('the client against recorded response shapes of the real service', () => {
	// Shapes from the service's recorded sessions (see ../shared/notes/azure-deid-api.md): Retry-After on a running
	// job, 429 with Retry-After, nextLink without api-version, the error body with x-ms-error-code.
	const recorded = (routes: ((url: URL, init: RequestInit) => Response | undefined)[]) => {
		const seen: { url: URL; init: RequestInit }[] = [];
		const f = (async (input: string | URL | Request, init: RequestInit = {}) => {
			const url = new URL(String(input));
			seen.push({ url, init });
			for (const r of routes) {
				const res = r(url, init);
				if (res) return res;
			}
			return new Response('', { status: 500 });
		}) as typeof fetch;
		return { f, seen };
	};
	const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

	it('retries 429 honouring Retry-After, re-adds api-version to nextLink, sends auth and request ids', async () => {
		let calls = 0;
		const waits: number[] = [];
		const { f, seen } = recorded([
			(u) => (u.pathname === '/jobs/j1/documents' && !u.searchParams.has('continuationToken') ? (calls++ === 0 ? json(429, { error: { code: 'TooManyRequests', message: 'Rate limit' } }, { 'retry-after': '2' }) : json(200, { value: [{ id: 'd1', input: { location: 'https://a.blob.core.windows.net/c/in/1.txt', etag: '0x1' }, status: 'Succeeded' }], nextLink: 'https://x.api.deid.azure.com/jobs/j1/documents?maxpagesize=1&continuationToken=AAA' })) : undefined),
			(u) => (u.searchParams.get('continuationToken') === 'AAA' ? json(200, { value: [{ id: 'd2', input: { location: 'https://a.blob.core.windows.net/c/in/2.txt', etag: '0x2' }, status: 'Failed', error: { code: 'FileNotFound', message: 'x' } }] }) : undefined),
		]);
		const c = new DeidClient({ endpoint: 'https://x.api.deid.azure.com', token: async () => 'tok', fetch: f, sleep: async (ms) => void waits.push(ms), requestId: () => 'rid-1' });
		const docs = [];
		for await (const d of c.listJobDocuments('j1', { maxpagesize: 1 })) docs.push(d.id);
		assert.deepEqual(docs, ['d1', 'd2']);
		assert.deepEqual(waits, [2000]);
		assert.equal(seen[2].url.searchParams.get('api-version'), '2024-11-15', 'api-version re-added to nextLink');
		assert.equal((seen[0].init.headers as Record<string, string>).authorization, 'Bearer tok');
		assert.equal((seen[0].init.headers as Record<string, string>)['x-ms-client-request-id'], 'rid-1');
	});
	it('polls with the service\'s Retry-After until terminal, and types errors from the body', async () => {
		let n = 0;
		const waits: number[] = [];
		const { f } = recorded([
			(u) => (u.pathname === '/jobs/j2' ? (++n < 3 ? json(200, { name: 'j2', status: 'Running', summary: { successful: 0, failed: 0, canceled: 0, total: 2, bytesProcessed: 0 } }, { 'retry-after': '3' }) : json(200, { name: 'j2', status: 'Succeeded' })) : undefined),
			(u) => (u.pathname === '/jobs/gone' ? json(404, { error: { code: 'JobNotFound', message: 'Job not found.' } }, { 'x-ms-error-code': 'JobNotFound' }) : undefined),
		]);
		const c = new DeidClient({ endpoint: 'https://x.api.deid.azure.com/', fetch: f, sleep: async (ms) => void waits.push(ms) });
		const updates: string[] = [];
		const job = await c.pollJob('j2', { onUpdate: (j) => updates.push(j.status) });
		assert.equal(job.status, 'Succeeded');
		assert.deepEqual(updates, ['Running', 'Running', 'Succeeded']);
		assert.deepEqual(waits, [3000, 3000]);
		await assert.rejects(c.getJob('gone'), (e: unknown) => e instanceof DeidApiError && e.code === 'JobNotFound' && e.status === 404 && /Job not found/.test(e.message));
		await assert.rejects(c.createJob('x', { sourceLocation: { location: 'u', prefix: 'p' }, targetLocation: { location: 'u', prefix: 'q' } }), /job names/);
	});
	it('a 401 (an expired token) asks for a new token once per request, then retries; a second 401 is the error', async () => {
		const tokens = ['old', 'new'];
		let current = tokens[0];
		const { f, seen } = recorded([
			(u, init) => (u.pathname === '/jobs/j3' ? ((init.headers as Record<string, string>).authorization === 'Bearer new' ? json(200, { name: 'j3', status: 'Running' }) : json(401, { error: { code: 'Unauthorized', message: 'expired' } })) : undefined),
			(u) => (u.pathname === '/jobs/j4' ? json(401, { error: { code: 'Unauthorized', message: 'expired' } }) : undefined),
		]);
		let refreshes = 0;
		const c = new DeidClient({ endpoint: 'https://x.api.deid.azure.com', fetch: f, token: async () => current, onUnauthorized: async () => void (refreshes++, (current = tokens[1])), sleep: async () => undefined });
		assert.equal((await c.getJob('j3')).status, 'Running');
		assert.equal(refreshes, 1);
		assert.deepEqual(seen.map((x) => (x.init.headers as Record<string, string>).authorization), ['Bearer old', 'Bearer new']);
		await assert.rejects(c.getJob('j4'), (e: unknown) => e instanceof DeidApiError && e.status === 401);
		assert.equal(refreshes, 2, 'one refresh for the second request, no loop');
	});

	it('the editor asks VS Code for tokens of the scope the CLI asks @azure/identity for', () => {
		assert.equal(REMOTE_DEID_SCOPE, DEID_SCOPE);
		assert.equal(DEID_SCOPE, 'https://deid.azure.com/.default');
	});

	it('a borrowed Entra token is reused for a while, then asked for again; concurrent refreshes ask once', async () => {
		let now = 0;
		const asked: number[] = [];
		const t = new BorrowedToken('first', async () => (asked.push(now), `token-${asked.length}`), () => now);
		assert.equal(await t.get(), 'first');
		now = TOKEN_REUSE_MS - 1;
		assert.equal(await t.get(), 'first');
		now = TOKEN_REUSE_MS;
		assert.equal(await t.get(), 'token-1');
		const both = await Promise.all([t.refresh(), t.refresh()]);
		assert.deepEqual(both, ['token-2', 'token-2']);
		const storage = await t.credential().getToken('https://storage.azure.com/.default');
		assert.deepEqual(storage, { token: 'token-2', expiresOnTimestamp: now + TOKEN_REUSE_MS + 2 * 60_000 });
		const none = new BorrowedToken(undefined, async () => undefined, () => now);
		assert.equal(await none.get(), undefined);
		assert.equal(await none.credential().getToken('x'), null);
	});
});
