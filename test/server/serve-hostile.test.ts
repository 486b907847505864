// `deid serve` under hostile requests (issue #20 items 11-15): Azurite as Blob Storage, the server in this process
// (startServer, for options such as the per-document time budget) and as a CLI process (SIGKILL + restart).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { DeidClient, type DeidentificationJob, type DocumentDetails } from '../../server/src/remote/azure/deidClient';
import { loadDictionaries } from '../../server/src/node/dictionaries';
import { ServeConfigError, startServer, type ServeOptions } from '../../server/src/remote/serve';
import { freePort, startAzurite, type Azurite } from '../helpers/azurite';
import { CLI } from '../helpers/cli';

const V = 'api-version=2024-11-15';
const TOKEN = randomBytes(32).toString('base64url');
const work = mkdtempSync(join(tmpdir(), 'deid-serve-hostile-'));
let azurite: Azurite;
let notes: ContainerClient;
let srv: { url: string; close(): Promise<void> };
const fast = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20)));

function options(extra: Partial<ServeOptions> = {}): ServeOptions {
	return { port: 0, connectionString: azurite.connectionString, token: TOKEN, dicts: loadDictionaries, ...extra } as ServeOptions;
}
async function api(base: string, path: string, init: RequestInit & { token?: string | null } = {}) {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	const token = init.token === undefined ? TOKEN : init.token;
	if (token) headers.authorization = `Bearer ${token}`;
	return fetch(base + path, { ...init, headers });
}
const errorCode = async (r: Response) => ((await r.json()) as { error: { code: string; message: string } }).error;
/** A raw request, for what fetch would not send (a malformed Host header). */
function rawGet(url: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
	const u = new URL(url);
	return new Promise((resolve, reject) => {
		const r = request({ host: u.hostname, port: u.port, path, method: 'GET', headers, setHost: false }, (res) => {
			let body = '';
			res.on('data', (c) => (body += c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
		});
		r.on('error', reject);
		r.end();
	});
}
async function upload(prefix: string, files: Record<string, string>) {
	for (const [name, text] of Object.entries(files)) await notes.getBlockBlobClient(prefix + name).upload(text, Buffer.byteLength(text));
}
async function poll(base: string, name: string): Promise<DeidentificationJob> {
	const c = new DeidClient({ endpoint: base, token: async () => TOKEN, sleep: fast });
	return c.pollJob(name, { minMs: 10 });
}
async function documents(base: string, name: string): Promise<DocumentDetails[]> {
	const c = new DeidClient({ endpoint: base, token: async () => TOKEN, sleep: fast });
	const out: DocumentDetails[] = [];
	for await (const d of c.listJobDocuments(name)) out.push(d);
	return out;
}

before(async () => {
	azurite = await startAzurite();
	const svc = BlobServiceClient.fromConnectionString(azurite.connectionString);
	notes = svc.getContainerClient('notes');
	await notes.createIfNotExists();
	await svc.getContainerClient('private').createIfNotExists();
	await svc.getContainerClient('other').createIfNotExists();
	srv = await startServer(options({ stateDir: join(work, 'state'), allowedContainers: ['notes', 'private', 'gone'], documentBudgetMs: 3000 } as Partial<ServeOptions>));
});
after(async () => {
	await srv?.close();
	await azurite?.stop();
	rmSync(work, { recursive: true, force: true });
});

describe('deid serve: hostile requests', () => {
	it('tokens: none is 401, a wrong one 403; a short or low-variety token refuses to start with a clear error', async () => {
		assert.equal((await api(srv.url, `/jobs?${V}`, { token: null })).status, 401);
		const wrong = await api(srv.url, `/jobs?${V}`, { token: TOKEN.slice(1) + 'x' });
		assert.equal(wrong.status, 403);
		assert.equal(wrong.headers.get('x-ms-error-code'), 'Forbidden');
		for (const weak of ['x', 'test-token-0123456789', 'a'.repeat(64), 'abcdefghijklmnop'.repeat(3), '0123456789'.repeat(4)]) {
			await assert.rejects(
				startServer(options({ token: weak })).then((s) => s.close()),
				(e: Error) => e instanceof ServeConfigError && /token/.test(e.message) && !e.message.includes(weak),
				`weak token of ${weak.length} characters refused`,
			);
		}
	});

	it('bad api-version, bad JSON and an oversize body are 400, 400 and 413 with x-ms-error-code', async () => {
		const none = await api(srv.url, '/jobs');
		assert.equal(none.status, 400);
		assert.equal(none.headers.get('x-ms-error-code'), 'MissingApiVersionParameter');
		const version = await api(srv.url, '/jobs?api-version=2099-01-01');
		assert.equal(version.status, 400);
		assert.equal((await errorCode(version)).code, 'UnsupportedApiVersion');
		const json = await api(srv.url, `/deid?${V}`, { method: 'POST', body: '{"inputText": "x"' });
		assert.equal(json.status, 400);
		assert.equal((await errorCode(json)).code, 'InvalidRequestBody');
		const big = await api(srv.url, `/deid?${V}`, { method: 'POST', body: JSON.stringify({ inputText: 'x'.repeat(60 * 1024) }) }).catch(() => undefined);
		// The server may close the connection while the body is still being sent; a status, when there is one, is 413.
		if (big) assert.equal(big.status, 413);
		const locale = await api(srv.url, `/deid?${V}`, { method: 'POST', body: JSON.stringify({ inputText: 'x', customizations: { surrogateLocale: { a: 1 } } }) });
		assert.equal(locale.status, 400);
	});

	it('a malformed percent-encoding in the path and a malformed Host header are 400, not 500', async () => {
		const pct = await api(srv.url, `/jobs/%ZZ?${V}`);
		assert.equal(pct.status, 400);
		assert.ok(pct.headers.get('x-ms-error-code'));
		const host = await rawGet(srv.url, `/jobs?${V}`, { host: '[::1', authorization: `Bearer ${TOKEN}` });
		assert.equal(host.status, 400);
		const put = await rawGet(srv.url, `/jobs/%E0%A4%A?${V}`, { host: '127.0.0.1', authorization: `Bearer ${TOKEN}` });
		assert.equal(put.status, 400);
	});

	it('SSRF: a source or target on another host, another account or with credentials is refused with 400 and never contacted', async () => {
		const seen: string[] = [];
		const trap: Server = createServer((req, res) => {
			seen.push(`${req.method} ${req.headers.authorization ? 'signed' : 'unsigned'}`);
			res.writeHead(404).end();
		});
		await new Promise<void>((r) => trap.listen(0, '127.0.0.1', () => r()));
		const trapUrl = `http://127.0.0.1:${(trap.address() as { port: number }).port}/devstoreaccount1/notes`;
		try {
			const good = azurite.containerUrl('notes');
			const bad = [
				trapUrl,
				`http://localhost:${azurite.port}/devstoreaccount1/notes`,
				`http://127.0.0.1:${azurite.port}/otheraccount/notes`,
				`https://127.0.0.1:${azurite.port}/devstoreaccount1/notes`,
				`http://user:pw@127.0.0.1:${azurite.port}/devstoreaccount1/notes`,
				`${good}?comp=list`,
				`${good}/deeper`,
				`http://127.0.0.1:${azurite.port}/devstoreaccount1/other`, // not in allowedContainers
			];
			let i = 0;
			for (const loc of bad) {
				for (const side of ['sourceLocation', 'targetLocation'] as const) {
					const spec = { sourceLocation: { location: good, prefix: 'in/' }, targetLocation: { location: good, prefix: 'out/' }, [side]: { location: loc, prefix: side === 'sourceLocation' ? 'in/' : 'out/' } };
					const r = await api(srv.url, `/jobs/ssrf-${i++}?${V}`, { method: 'PUT', body: JSON.stringify(spec) });
					assert.equal(r.status, 400, `${side} ${loc.replace(/\d+/g, 'N')}`);
					const e = await errorCode(r);
					assert.equal(e.code, 'InvalidRequestBody');
					assert.equal(r.headers.get('x-ms-error-code'), 'InvalidRequestBody');
				}
			}
			await new Promise((r) => setTimeout(r, 300));
			assert.deepEqual(seen, [], 'no request reached the other host');
		} finally {
			await new Promise<void>((r) => trap.close(() => r()));
		}
	});

	it('prefix traversal: .., ., absolute, empty segments and backslashes in prefixes are 400, and nothing lands in another container', async () => {
		await upload('trav/in/', { 'a.txt': 'Dr. Whitfield saw Mrs. Hodges.\n' });
		const good = azurite.containerUrl('notes');
		const bad = ['../private/', '..', 'out/../../private/', './out/', 'out/./x/', '/out/', 'out//x/', 'out\\x/', '%2e%2e/private/', 'out/%2E%2E/'];
		let i = 0;
		for (const prefix of bad) {
			for (const side of ['sourceLocation', 'targetLocation'] as const) {
				const spec = { sourceLocation: { location: good, prefix: 'trav/in/' }, targetLocation: { location: good, prefix: 'trav/out/' } };
				spec[side].prefix = prefix;
				const r = await api(srv.url, `/jobs/trav-${i++}?${V}`, { method: 'PUT', body: JSON.stringify(spec) });
				assert.equal(r.status, 400, `${side}.prefix ${prefix}`);
				assert.equal((await errorCode(r)).code, 'InvalidRequestBody');
			}
		}
		await new Promise((r) => setTimeout(r, 300));
		const leaked: string[] = [];
		for await (const b of BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('private').listBlobsFlat()) leaked.push(b.name);
		assert.deepEqual(leaked, []);
		// A plain prefix still works.
		const ok = await api(srv.url, `/jobs/trav-ok?${V}`, { method: 'PUT', body: JSON.stringify({ operation: 'Redact', sourceLocation: { location: good, prefix: 'trav/in/' }, targetLocation: { location: good, prefix: 'trav/out/' } }) });
		assert.equal(ok.status, 201);
		assert.equal((await poll(srv.url, 'trav-ok')).status, 'Succeeded');
		assert.match(await (await notes.getBlobClient('trav/out/a.txt').downloadToBuffer()).toString('utf8'), /\[doctor\]/);
	});

	it('a missing target container is reported as such, not as a missing input', async () => {
		await upload('miss/in/', { 'a.txt': 'Dr. Whitfield.\n' });
		const r = await api(srv.url, `/jobs/missing-target?${V}`, {
			method: 'PUT',
			body: JSON.stringify({ operation: 'Redact', sourceLocation: { location: azurite.containerUrl('notes'), prefix: 'miss/in/' }, targetLocation: { location: azurite.containerUrl('gone'), prefix: 'x/' } }),
		});
		assert.equal(r.status, 201);
		const job = await poll(srv.url, 'missing-target');
		assert.equal(job.status, 'Failed');
		const [d] = await documents(srv.url, 'missing-target');
		assert.doesNotMatch(d.error!.message, /input/);
		assert.match(d.error!.message, /target container/);
	});

	it('a slow document runs off the event loop: GET /jobs answers while POST /deid is still working', async () => {
		const slow = api(srv.url, `/deid?${V}`, { method: 'POST', body: JSON.stringify({ inputText: 'Jan 1 '.repeat(8000), operation: 'Surrogate' }) }).then(async (r) => ({ at: performance.now(), status: r.status, body: await r.text() }));
		// The request is on its way before the list requests start.
		await new Promise((r) => setTimeout(r, 50));
		const answered: number[] = [];
		for (let i = 0; i < 3; i++) {
			const r = await api(srv.url, `/jobs?${V}`);
			assert.equal(r.status, 200);
			await r.arrayBuffer();
			answered.push(performance.now());
		}
		const done = await slow;
		assert.ok(answered.every((t) => t < done.at), 'every list request answered before the slow document finished');
		assert.ok([200, 422].includes(done.status), `status ${done.status}`);
	});

	it('a document over the time budget fails with a clear error (422) and the server keeps answering', async () => {
		const tight = await startServer(options({ documentBudgetMs: 1, workers: 1 } as Partial<ServeOptions>));
		try {
			const r = await api(tight.url, `/deid?${V}`, { method: 'POST', body: JSON.stringify({ inputText: 'Seen on Jan 1 by Dr. Whitfield. '.repeat(1400), operation: 'Redact' }) });
			assert.equal(r.status, 422);
			const e = await errorCode(r);
			assert.equal(e.code, 'DocumentProcessingTimeout');
			assert.match(e.message, /time limit/);
			assert.doesNotMatch(e.message, /Whitfield/);
			assert.equal((await api(tight.url, `/jobs?${V}`)).status, 200);
		} finally {
			await tight.close();
		}
	});

	it('keys: the state file is 0600 without keys, the server key file is 0600, a group-readable key file refuses to start, old stored keys are dropped', async () => {
		const dir = join(work, 'keys');
		const logs: string[] = [];
		const s = await startServer(options({ stateDir: dir, log: (l) => logs.push(l) }));
		const spec = { operation: 'Surrogate', sourceLocation: { location: azurite.containerUrl('notes'), prefix: 'keys/none/' }, targetLocation: { location: azurite.containerUrl('notes'), prefix: 'keys/out/' } };
		assert.equal((await api(s.url, `/jobs/key-job?${V}`, { method: 'PUT', body: JSON.stringify(spec) })).status, 201);
		await poll(s.url, 'key-job');
		await s.close();
		const statePath = join(dir, 'deid-serve-state.json');
		const state = readFileSync(statePath, 'utf8');
		assert.equal(statSync(statePath).mode & 0o777, 0o600);
		assert.doesNotMatch(state, /"key"/);
		assert.doesNotMatch(state, /[0-9a-f]{64}/, 'no 256-bit hex value in the state file');
		const keyPath = join(dir, 'deid-serve.key');
		assert.equal(statSync(keyPath).mode & 0o777, 0o600);
		// An old state file with a stored key: the key is dropped on load, with a log line that does not hold it.
		const secret = randomBytes(32).toString('hex');
		const old = JSON.parse(state) as Record<string, unknown>[];
		old[0].key = secret;
		writeFileSync(statePath, JSON.stringify(old), { mode: 0o644 });
		chmodSync(statePath, 0o644);
		const s2 = await startServer(options({ stateDir: dir, log: (l) => logs.push(l) }));
		await s2.close();
		assert.doesNotMatch(readFileSync(statePath, 'utf8'), new RegExp(secret));
		assert.equal(statSync(statePath).mode & 0o777, 0o600);
		assert.ok(logs.some((l) => /key/.test(l)), 'a log line says stored keys were dropped');
		assert.ok(logs.every((l) => !l.includes(secret)));
		chmodSync(keyPath, 0o640);
		await assert.rejects(startServer(options({ stateDir: dir })).then((x) => x.close()), (e: Error) => e instanceof ServeConfigError && /deid-serve\.key.*group or others.*chmod 600/.test(e.message));
	});
});

describe('deid serve: SIGKILL and restart', () => {
	const proc: { p?: ChildProcess } = {};
	after(() => {
		proc.p?.kill('SIGKILL');
	});
	async function spawnServe(stateDir: string): Promise<string> {
		const port = await freePort();
		const tokenFile = join(stateDir, '..', 'token');
		writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
		proc.p = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--storage-connection-string', azurite.connectionString, '--token-file', tokenFile, '--state-dir', stateDir], { stdio: ['ignore', 'ignore', 'ignore'] });
		const url = `http://127.0.0.1:${port}`;
		for (let i = 0; i < 200; i++) {
			if (proc.p.exitCode !== null) throw new Error(`deid serve exited with ${proc.p.exitCode}`);
			if (await fetch(`${url}/jobs?${V}`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.ok, () => false)) return url;
			await new Promise((r) => setTimeout(r, 100));
		}
		throw new Error('deid serve did not answer');
	}

	it('after SIGKILL mid-job (state saved late), the restarted server finishes the job: its own outputs are no conflict', async () => {
		const dir = join(work, 'kill', 'state');
		mkdirSync(dir, { recursive: true });
		const files: Record<string, string> = {};
		for (let i = 0; i < 24; i++) files[`k${i}.txt`] = `Note ${i}: Dr. Whitfield saw Mrs. Hodges on 03/14/2021.\n`;
		await upload('kill/in/', files);
		let url = await spawnServe(dir);
		const spec = { operation: 'Surrogate', sourceLocation: { location: azurite.containerUrl('notes'), prefix: 'kill/in/' }, targetLocation: { location: azurite.containerUrl('notes'), prefix: 'kill/out/' } };
		assert.equal((await api(url, `/jobs/kill-job?${V}`, { method: 'PUT', body: JSON.stringify(spec) })).status, 201);
		let job: DeidentificationJob;
		for (;;) {
			job = (await (await api(url, `/jobs/kill-job?${V}`)).json()) as DeidentificationJob;
			if ((job.summary?.successful ?? 0) >= 2) break;
			await new Promise((r) => setTimeout(r, 10));
		}
		proc.p!.kill('SIGKILL');
		await new Promise((r) => proc.p!.once('exit', r));
		// What a save 200 ms late leaves: documents whose outputs were written are still NotStarted in the state
		// (the kill may have hit that window already; every Succeeded document is rolled back to make sure).
		const statePath = join(dir, 'deid-serve-state.json');
		const state = JSON.parse(readFileSync(statePath, 'utf8')) as { job: DeidentificationJob; documents: DocumentDetails[] }[];
		const s = state.find((x) => x.job.name === 'kill-job')!;
		let rolledBack = 0;
		for (const d of s.documents) if (d.status === 'Succeeded') {
			d.status = 'NotStarted';
			delete d.output;
			rolledBack++;
		}
		s.job.status = 'Running';
		writeFileSync(statePath, JSON.stringify(state));
		const written: string[] = [];
		for await (const b of notes.listBlobsFlat({ prefix: 'kill/out/' })) written.push(b.name);
		assert.ok(written.length >= 2, `outputs written before the kill: ${written.length} (${rolledBack} rolled back)`);
		const before = (await notes.getBlobClient('kill/out/k0.txt').downloadToBuffer()).toString('utf8');
		url = await spawnServe(dir);
		const done = await poll(url, 'kill-job');
		assert.deepEqual({ status: done.status, s: done.summary!.successful, f: done.summary!.failed, t: done.summary!.total }, { status: 'Succeeded', s: 24, f: 0, t: 24 });
		// The same per-job key after the restart: the rewritten output is the same text.
		assert.equal((await notes.getBlobClient('kill/out/k0.txt').downloadToBuffer()).toString('utf8'), before);
		proc.p!.kill('SIGTERM');
		await new Promise((r) => proc.p!.once('exit', r));
	});
});
