// `deid serve`: a self-hostable server with the Azure de-identification service's REST API (2024-11-15): the
// same routes, status codes, headers and JSON shapes, processing with our engine. Blob Storage through
// @azure/storage-blob (Azure or Azurite). Job state is persisted, so a restart keeps the job list and resumes.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ContainerClient, RestError, StorageSharedKeyCredential } from '@azure/storage-blob';
import { validateRedactionFormat, type Dictionaries, type Operation } from '../engine';
import { inProcessTextRunner, textPool, workerScriptPath, type TextRunner } from '../jobs/pool';
import { API_VERSION, JOB_NAME, MAX_DOCUMENT_BYTES, MAX_DOCUMENTS, MAX_TEXT_CHARS, TERMINAL, type ApiError, type DeidentificationJob, type DeidOperation, type DocumentDetails, type JobRequest } from './azure/deidClient';
import { blobNameProblem, containerUrl, jobKey, loadServerKey, parseConnectionString, prefixProblem, ServeConfigError, tokenProblem } from './guards';

export { ServeConfigError };
import type { TextOutcome } from './textTask';

export const SUPPORTED_API_VERSIONS = [API_VERSION];
const MAX_BODY_BYTES = 50 * 1024;

export interface ServeOptions {
	port: number;
	host?: string;
	/** Storage account credentials: a connection string (AccountName/AccountKey). */
	connectionString: string;
	/** The bearer token clients must send. */
	token: string;
	/** Where job state is kept (survives restarts); in memory only when absent. */
	stateDir?: string;
	dicts: () => Dictionaries;
	log?: (line: string) => void;
	/** Containers jobs may read and write (all of the account's when absent). */
	allowedContainers?: string[];
	/** Worker threads that run the engine (default: 2 to 4, by the machine's cores). */
	workers?: number;
	/** Time a worker may spend on one document before it fails and the worker is replaced (default 30 s). */
	documentBudgetMs?: number;
	/** The worker script (default: dist/jobWorker.js beside this bundle). */
	workerScript?: string;
}

/** Synchronous requests waiting for a worker beyond this are answered 429 (batch documents wait their turn). */
const MAX_QUEUED_SYNC = 32;

interface StoredJob {
	job: DeidentificationJob;
	documents: DocumentDetails[];
	/** Random salt of this job's surrogate key (derived from the server key: consistent surrogates within a job). */
	salt: string;
	/** Random id written into output blob metadata, so a restarted job recognises the outputs it wrote. */
	id: string;
	/** Blob name of each document (same order as documents). */
	blobNames: string[];
	cancelRequested?: boolean;
}

class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly target?: string,
	) {
		super(message);
	}
}

const OPERATIONS: Record<DeidOperation, Operation> = { Redact: 'redact', Surrogate: 'surrogate', Tag: 'tag' };

/** A document's failure from the worker pool, as the API reports it. */
function outcomeError(o: Exclude<TextOutcome, { ok: true }>): HttpError {
	if (o.code === 'timeout') return new HttpError(422, 'DocumentProcessingTimeout', `${o.reason[0].toUpperCase()}${o.reason.slice(1)}.`);
	if (o.code === 'memory') return new HttpError(422, 'DocumentTooComplex', 'The document needs more memory than the server allows per document.');
	if (o.code === 'closed') return new HttpError(503, 'ServiceUnavailable', 'The server is shutting down.');
	return new HttpError(500, 'InternalServerError', 'The document could not be processed.');
}

/**
 * Starts the server. Throws a ServeConfigError, with a message fit for the user, when the configuration is unsafe
 * or invalid (a weak token, a server key file others may read, a bad connection string).
 */
export async function startServer(opts: ServeOptions): Promise<{ url: string; close(): Promise<void> }> {
	const weak = tokenProblem(opts.token);
	if (weak) throw new ServeConfigError(weak);
	const { account, key, endpoint } = parseConnectionString(opts.connectionString);
	const credential = new StorageSharedKeyCredential(account, key);
	const jobs = new Map<string, StoredJob>();
	const statePath = opts.stateDir ? join(opts.stateDir, 'deid-serve-state.json') : undefined;
	const log = opts.log ?? (() => {});
	let closing = false;
	let boundPort = opts.port;
	let saveTimer: NodeJS.Timeout | undefined;
	if (opts.stateDir) mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
	// Per-job surrogate keys derive from this key, so the state file holds no key (only per-job salts).
	const serverKey = opts.stateDir ? loadServerKey(join(opts.stateDir, 'deid-serve.key')) : randomBytes(32);
	const keyOf = (s: StoredJob) => jobKey(serverKey, s.job.name, s.salt);

	const saveNow = () => {
		if (!statePath) return;
		const tmp = `${statePath}.tmp-${process.pid}`;
		// A fresh file each time: `mode` applies only when the file is created.
		rmSync(tmp, { force: true });
		writeFileSync(tmp, JSON.stringify([...jobs.values()]), { mode: 0o600 });
		renameSync(tmp, statePath);
	};
	const save = () => {
		if (saveTimer) return;
		saveTimer = setTimeout(() => {
			saveTimer = undefined;
			saveNow();
		}, 200);
	};
	if (statePath) {
		let stored: (StoredJob & { key?: string })[] = [];
		try {
			stored = JSON.parse(readFileSync(statePath, 'utf8'));
		} catch {
			/* no state yet */
		}
		let dropped = 0;
		for (const s of stored) {
			if ('key' in s) {
				delete s.key;
				dropped++;
			}
			s.salt ??= randomBytes(16).toString('hex');
			s.id ??= randomUUID();
			jobs.set(s.job.name, s);
		}
		if (dropped) log(`state: removed the stored surrogate keys of ${dropped} job(s); their remaining documents get surrogates under a new key`);
		// Rewritten at once: no key stays on disk, and an older state file gets mode 0600.
		if (stored.length) saveNow();
	}
	const script = opts.workerScript ?? workerScriptPath();
	const budgetMs = opts.documentBudgetMs ?? 30_000;
	let pool: TextRunner;
	if (script) pool = textPool(opts.workers ?? Math.max(2, Math.min(4, availableParallelism() - 1)), script, { budgetMs });
	else {
		log('worker script not found: documents are processed on the main thread, without a time limit');
		pool = inProcessTextRunner(opts.dicts);
	}

	const queue: string[] = [];
	let working = false;
	const enqueue = (name: string) => {
		queue.push(name);
		void pump();
	};
	const pump = async () => {
		if (working) return;
		working = true;
		try {
			while (queue.length && !closing) {
				const name = queue.shift()!;
				const s = jobs.get(name);
				if (s && !TERMINAL.has(s.job.status)) await runJob(s).catch((e) => fail(s, 'InternalServerError', `processing failed (${(e as Error).name})`));
			}
		} finally {
			working = false;
		}
	};
	const touch = (s: StoredJob) => {
		s.job.lastUpdatedAt = new Date().toISOString();
		save();
	};
	const fail = (s: StoredJob, code: string, message: string) => {
		s.job.status = 'Failed';
		s.job.error = { code, message };
		touch(s);
	};

	/** A client for a job location, only on the configured account (a job from an older state is checked too). */
	const container = (location: string, what: string) => {
		const c = containerUrl(location, endpoint, opts.allowedContainers);
		if ('problem' in c) throw new HttpError(400, 'InvalidRequestBody', `${what} ${c.problem}.`, what);
		return new ContainerClient(c.url, credential);
	};
	const matches = (name: string, exts: string[]) => exts.some((e) => e === '*' || name.toLowerCase().endsWith('.' + e.replace(/^\./, '').toLowerCase()));

	async function runJob(s: StoredJob): Promise<void> {
		const job = s.job;
		let src: ContainerClient;
		let dst: ContainerClient;
		try {
			src = container(job.sourceLocation.location, 'sourceLocation.location');
			dst = container(job.targetLocation.location, 'targetLocation.location');
			for (const [what, p] of [['sourceLocation.prefix', job.sourceLocation.prefix], ['targetLocation.prefix', job.targetLocation.prefix]]) {
				const problem = prefixProblem(p);
				if (problem) throw new HttpError(400, 'InvalidRequestBody', `${what} ${problem}.`);
			}
		} catch (e) {
			return fail(s, 'JobValidationError', (e as Error).message);
		}
		if (s.documents.length === 0) {
			const exts = job.sourceLocation.extensions?.length ? job.sourceLocation.extensions : ['*'];
			try {
				for await (const b of src.listBlobsFlat({ prefix: job.sourceLocation.prefix })) {
					if (!matches(b.name, exts)) continue;
					if (s.documents.length >= MAX_DOCUMENTS) return fail(s, 'JobValidationError', `The job exceeds ${MAX_DOCUMENTS} documents.`);
					// A listed name with .. segments would reach outside the container: the document fails, unread.
					const location = blobNameProblem(b.name) ? `${src.url}/${encodeURIComponent(b.name)}` : src.getBlobClient(b.name).url;
					s.documents.push({ id: randomUUID(), input: { location, etag: b.properties.etag ?? '' }, status: 'NotStarted' });
					s.blobNames.push(b.name);
				}
			} catch (e) {
				return fail(s, 'JobValidationError', `The source location cannot be read (${e instanceof RestError ? e.statusCode : 'error'}).`);
			}
			if (s.documents.length === 0) return fail(s, 'JobValidationError', 'No files found in source container with given parameters.');
		}
		job.status = 'Running';
		job.startedAt ??= new Date().toISOString();
		const summary = () => {
			const c = (st: string) => s.documents.filter((d) => d.status === st).length;
			job.summary = { successful: c('Succeeded'), failed: c('Failed'), canceled: c('Canceled'), total: s.documents.length, bytesProcessed: job.summary?.bytesProcessed ?? 0 };
		};
		summary();
		touch(s);
		const jobKeyBytes = keyOf(s);
		const op = OPERATIONS[job.operation ?? 'Surrogate'];
		const format = job.customizations?.redactionFormat ?? '[{type}]';
		for (let k = 0; k < s.documents.length; k++) {
			const d = s.documents[k];
			if (d.status !== 'NotStarted' && d.status !== 'Running') continue;
			if (s.cancelRequested || closing) break;
			const blobName = s.blobNames[k];
			const rel = blobName.slice(job.sourceLocation.prefix.length);
			const outName = job.targetLocation.prefix + rel;
			let phase: 'read' | 'write' = 'read';
			try {
				if (blobNameProblem(blobName) || blobNameProblem(outName)) throw new HttpError(400, 'InvalidBlobName', 'The document\'s name, or the output name made from it, has an empty, . or .. segment, a backslash or a control character.');
				const blob = src.getBlobClient(blobName);
				const props = await blob.getProperties();
				if ((props.contentLength ?? 0) > MAX_DOCUMENT_BYTES) throw new HttpError(400, 'DocumentTooLarge', `The document exceeds ${MAX_DOCUMENT_BYTES} bytes.`);
				const buf = await blob.downloadToBuffer();
				let text: string;
				try {
					text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
				} catch {
					throw new HttpError(400, 'InvalidDocumentEncoding', 'The document is not valid UTF-8 text.');
				}
				const res = await pool.run({ text, operation: op, redactionFormat: format, key: jobKeyBytes, datePatient: job.name, locale: job.customizations?.surrogateLocale, entities: op === 'tag' });
				if (!res.ok) throw outcomeError(res);
				const out = op === 'tag' ? JSON.stringify({ entities: res.entities }) : res.output;
				phase = 'write';
				const target = dst.getBlockBlobClient(outName);
				let etag: string;
				try {
					const up = await target.upload(out, Buffer.byteLength(out), {
						blobHTTPHeaders: { blobContentType: op === 'tag' ? 'application/json' : 'text/plain; charset=utf-8' },
						metadata: { deidjob: s.id },
						conditions: job.targetLocation.overwrite ? undefined : { ifNoneMatch: '*' },
					});
					etag = up.etag ?? '';
				} catch (e) {
					// Written by this job before a crash (its state was saved later than the output): ours, not a conflict.
					if (!(e instanceof RestError && e.statusCode === 409)) throw e;
					const existing = await target.getProperties();
					if (existing.metadata?.deidjob !== s.id) throw e;
					etag = existing.etag ?? '';
				}
				d.output = { location: target.url, etag };
				d.status = 'Succeeded';
				job.summary!.bytesProcessed += buf.length;
			} catch (e) {
				d.status = 'Failed';
				if (e instanceof HttpError) d.error = { code: e.code, message: e.message };
				else if (e instanceof RestError && e.statusCode === 409) d.error = { code: 'BlobAlreadyExists', message: 'The output already exists and overwrite is false.' };
				else if (e instanceof RestError && e.statusCode === 404 && phase === 'write') d.error = { code: 'ContainerNotFound', message: 'The target container was not found.' };
				else if (e instanceof RestError && e.statusCode === 404) d.error = { code: 'FileNotFound', message: 'The input document was not found.' };
				else if (e instanceof RestError && e.statusCode === 403) d.error = { code: 'AuthorizationFailed', message: `The ${phase === 'write' ? 'target' : 'source'} location refused access (403).` };
				else d.error = { code: 'InternalServerError', message: 'The document could not be processed.' };
			}
			summary();
			touch(s);
		}
		if (closing && !s.cancelRequested) return; // resumes after restart
		if (s.cancelRequested) for (const d of s.documents) if (d.status === 'NotStarted' || d.status === 'Running') d.status = 'Canceled';
		summary();
		job.status = s.cancelRequested ? 'Canceled' : job.summary!.successful === 0 && job.summary!.failed > 0 ? 'Failed' : 'Succeeded';
		if (job.status === 'Failed') job.error = { code: 'JobFailed', message: 'Every document failed.' };
		touch(s);
		log(`job ${job.name}: ${job.status} (${job.summary!.successful} succeeded, ${job.summary!.failed} failed, ${job.summary!.canceled} canceled)`);
	}

	// Jobs that were running when the server stopped resume.
	for (const s of jobs.values()) if (!TERMINAL.has(s.job.status)) enqueue(s.job.name);

	const server = createServer((req, res) => {
		void handle(req, res).catch((e) => {
			const err = e instanceof HttpError ? e : new HttpError(500, 'InternalServerError', 'The server failed to process the request.');
			sendError(req, res, err);
		});
	});

	function headersFor(req: IncomingMessage): Record<string, string> {
		const h: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'api-supported-versions': SUPPORTED_API_VERSIONS.join(', ') };
		const rid = req.headers['x-ms-client-request-id'];
		if (typeof rid === 'string') h['x-ms-client-request-id'] = rid;
		return h;
	}
	function send(req: IncomingMessage, res: ServerResponse, status: number, body?: unknown, extra: Record<string, string> = {}) {
		const h = { ...headersFor(req), ...extra };
		if (body === undefined) {
			delete h['content-type'];
			res.writeHead(status, h).end();
		} else res.writeHead(status, h).end(JSON.stringify(body));
	}
	function sendError(req: IncomingMessage, res: ServerResponse, e: HttpError) {
		const error: ApiError = { code: e.code, message: e.message, ...(e.target ? { target: e.target } : {}) };
		send(req, res, e.status, { error }, { 'x-ms-error-code': e.code, ...(e.status === 401 ? { 'www-authenticate': 'Bearer' } : {}), ...(e.status === 429 ? { 'retry-after': '1' } : {}) });
	}

	async function body(req: IncomingMessage): Promise<unknown> {
		const chunks: Buffer[] = [];
		let size = 0;
		for await (const c of req as AsyncIterable<Buffer>) {
			size += c.length;
			if (size > MAX_BODY_BYTES) throw new HttpError(413, 'RequestTooLarge', `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
			chunks.push(c);
		}
		if (!size) throw new HttpError(400, 'InvalidRequestBody', 'A JSON body is required.');
		try {
			return JSON.parse(Buffer.concat(chunks).toString('utf8'));
		} catch {
			throw new HttpError(400, 'InvalidRequestBody', 'The body is not valid JSON.');
		}
	}

	const tokenBuf = Buffer.from(opts.token, 'utf8');
	function authorize(req: IncomingMessage) {
		const h = req.headers.authorization;
		if (!h || !/^Bearer\s+\S/i.test(h)) throw new HttpError(401, 'Unauthorized', 'A bearer token is required.');
		const given = Buffer.from(h.replace(/^Bearer\s+/i, ''), 'utf8');
		if (given.length !== tokenBuf.length || !timingSafeEqual(given, tokenBuf)) throw new HttpError(403, 'Forbidden', 'The token is not valid for this server.');
	}

	function page<T>(items: T[], url: URL, base: string): { value: T[]; nextLink?: string } {
		const max = Math.min(Math.max(Number(url.searchParams.get('maxpagesize') ?? 20) || 20, 1), 100);
		const tok = url.searchParams.get('continuationToken');
		const start = tok ? Number(Buffer.from(tok, 'base64').toString('utf8')) || 0 : 0;
		const value = items.slice(start, start + max);
		if (start + max >= items.length) return { value };
		const next = new URL(base + url.pathname);
		next.searchParams.set('api-version', url.searchParams.get('api-version')!);
		next.searchParams.set('maxpagesize', String(max));
		next.searchParams.set('continuationToken', Buffer.from(String(start + max)).toString('base64'));
		return { value, nextLink: next.toString() };
	}

	function validateJob(raw: unknown): JobRequest {
		if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new HttpError(400, 'InvalidRequestBody', 'The body must be a JSON object.');
		// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untrusted JSON, checked field by field below
		const r = raw as Record<string, any>;
		const op = r.operation ?? 'Surrogate';
		if (!['Redact', 'Surrogate', 'Tag'].includes(op)) throw new HttpError(400, 'InvalidRequestBody', 'operation must be Redact, Surrogate or Tag.', 'operation');
		for (const k of ['sourceLocation', 'targetLocation']) {
			const l = r[k];
			if (!l || typeof l !== 'object' || typeof l.location !== 'string' || typeof l.prefix !== 'string') throw new HttpError(400, 'InvalidRequestBody', `${k} needs location and prefix.`, k);
			// Only the configured account: the server signs its storage requests, so any other host would get them.
			const c = containerUrl(l.location, endpoint, opts.allowedContainers);
			if ('problem' in c) throw new HttpError(400, 'InvalidRequestBody', `${k}.location ${c.problem}.`, `${k}.location`);
			const problem = prefixProblem(l.prefix);
			if (problem) throw new HttpError(400, 'InvalidRequestBody', `${k}.prefix ${problem}.`, `${k}.prefix`);
		}
		const ext = r.sourceLocation.extensions;
		if (ext !== undefined && (!Array.isArray(ext) || ext.length === 0 || ext.some((e: unknown) => typeof e !== 'string'))) throw new HttpError(400, 'InvalidRequestBody', 'sourceLocation.extensions must be a non-empty list of strings.', 'sourceLocation.extensions');
		if (r.targetLocation.overwrite !== undefined && typeof r.targetLocation.overwrite !== 'boolean') throw new HttpError(400, 'InvalidRequestBody', 'targetLocation.overwrite must be a boolean.', 'targetLocation.overwrite');
		const c = r.customizations;
		if (c !== undefined) {
			if (typeof c !== 'object' || c === null) throw new HttpError(400, 'InvalidRequestBody', 'customizations must be an object.', 'customizations');
			if (c.surrogateLocale !== undefined && (typeof c.surrogateLocale !== 'string' || c.surrogateLocale.length > 16)) throw new HttpError(400, 'InvalidRequestBody', 'customizations.surrogateLocale must be a locale name.', 'customizations.surrogateLocale');
			if (c.redactionFormat !== undefined) {
				if (op !== 'Redact') throw new HttpError(400, 'InvalidRequestBody', 'redactionFormat is only valid with Redact.', 'customizations.redactionFormat');
				const err = typeof c.redactionFormat === 'string' ? validateRedactionFormat(c.redactionFormat) : 'not a string';
				if (err) throw new HttpError(400, 'InvalidRequestBody', `customizations.redactionFormat: ${err}`, 'customizations.redactionFormat');
			}
		}
		return { operation: op, sourceLocation: { location: r.sourceLocation.location, prefix: r.sourceLocation.prefix, extensions: ext ?? ['*'] }, targetLocation: { location: r.targetLocation.location, prefix: r.targetLocation.prefix, overwrite: r.targetLocation.overwrite ?? false }, customizations: c };
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const base = baseOf(req);
		// The path alone, against a fixed origin: '//other-host/...' stays a path.
		if (!req.url?.startsWith('/')) throw new HttpError(400, 'InvalidRequest', 'The request target must be a path.');
		const url = new URL(`http://localhost${req.url}`);
		if (closing) throw new HttpError(503, 'ServiceUnavailable', 'The server is shutting down.');
		authorize(req);
		const v = url.searchParams.get('api-version');
		if (!v) throw new HttpError(400, 'MissingApiVersionParameter', 'The api-version query parameter is required.');
		if (!SUPPORTED_API_VERSIONS.includes(v)) throw new HttpError(400, 'UnsupportedApiVersion', `The api-version '${v.slice(0, 40)}' is not supported; use ${SUPPORTED_API_VERSIONS.join(', ')}.`);
		const path = url.pathname;
		const m = /^\/jobs\/([^/:]+)(:cancel|\/documents)?$/.exec(path);
		if (path === '/deid' && req.method === 'POST') return deid(req, res, await body(req));
		if (path === '/jobs' && req.method === 'GET') return send(req, res, 200, page([...jobs.values()].map((s) => s.job).sort((a, b) => b.createdAt.localeCompare(a.createdAt)), url, base));
		if (!m) throw new HttpError(404, 'NotFound', 'The resource was not found.');
		let name: string;
		try {
			name = decodeURIComponent(m[1]);
		} catch {
			throw new HttpError(400, 'InvalidJobName', 'The job name in the path is not valid percent-encoding.');
		}
		const s = jobs.get(name);
		if (!m[2] && req.method === 'PUT') {
			if (!JOB_NAME.test(name)) throw new HttpError(400, 'InvalidJobName', 'Job names are 3–36 letters, digits, - or _, starting and ending with a letter or digit.');
			const spec = validateJob(await body(req));
			if (s) throw new HttpError(409, 'JobAlreadyExists', 'A job with this name already exists.');
			const now = new Date().toISOString();
			const job: DeidentificationJob = { name, ...spec, status: 'NotStarted', createdAt: now, lastUpdatedAt: now };
			jobs.set(name, { job, documents: [], blobNames: [], salt: randomBytes(16).toString('hex'), id: randomUUID() });
			saveNow();
			enqueue(name);
			return send(req, res, 201, job, { 'operation-location': `${base}/jobs/${encodeURIComponent(name)}?api-version=${v}` });
		}
		if (!s) throw new HttpError(404, 'JobNotFound', 'Job not found.');
		if (!m[2] && req.method === 'GET') return send(req, res, 200, s.job, TERMINAL.has(s.job.status) ? {} : { 'retry-after': '1' });
		if (m[2] === '/documents' && req.method === 'GET') return send(req, res, 200, page(s.documents, url, base));
		if (m[2] === ':cancel' && req.method === 'POST') {
			if (!TERMINAL.has(s.job.status)) {
				s.cancelRequested = true;
				if (s.job.status === 'NotStarted') {
					s.job.status = 'Canceled';
					for (const d of s.documents) d.status = 'Canceled';
				}
				touch(s);
				// A running job finishes its current document, then becomes Canceled.
				for (let i = 0; i < 100 && !TERMINAL.has(s.job.status); i++) await new Promise((r) => setTimeout(r, 20));
			}
			return send(req, res, 200, s.job);
		}
		if (!m[2] && req.method === 'DELETE') {
			s.cancelRequested = true;
			jobs.delete(name);
			saveNow();
			return send(req, res, 204);
		}
		throw new HttpError(405, 'MethodNotAllowed', 'The method is not allowed on this resource.');
	}

	/** The origin clients reached us at (for operation-location and nextLink), from a well-formed Host header. */
	function baseOf(req: IncomingMessage): string {
		const host = req.headers.host;
		if (host === undefined) return `http://${opts.host ?? '127.0.0.1'}:${boundPort}`;
		if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$/.test(host)) throw new HttpError(400, 'InvalidHostHeader', 'The Host header is not a valid host.');
		try {
			return new URL(`http://${host}`).origin;
		} catch {
			throw new HttpError(400, 'InvalidHostHeader', 'The Host header is not a valid host.');
		}
	}

	async function deid(req: IncomingMessage, res: ServerResponse, raw: unknown) {
		// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untrusted JSON, checked field by field below
		const r = (raw ?? {}) as Record<string, any>;
		if (typeof r.inputText !== 'string') throw new HttpError(400, 'InvalidRequestBody', 'inputText is required.', 'inputText');
		if (r.inputText.length > MAX_TEXT_CHARS) throw new HttpError(400, 'InvalidRequestBody', `inputText is longer than ${MAX_TEXT_CHARS} characters.`, 'inputText');
		const op: DeidOperation = r.operation ?? 'Surrogate';
		if (!['Redact', 'Surrogate', 'Tag'].includes(op)) throw new HttpError(400, 'InvalidRequestBody', 'operation must be Redact, Surrogate or Tag.', 'operation');
		const format = r.customizations?.redactionFormat;
		if (format !== undefined && (typeof format !== 'string' || validateRedactionFormat(format))) throw new HttpError(400, 'InvalidRequestBody', 'customizations.redactionFormat is invalid.', 'customizations.redactionFormat');
		const locale = r.customizations?.surrogateLocale;
		if (locale !== undefined && (typeof locale !== 'string' || locale.length > 16)) throw new HttpError(400, 'InvalidRequestBody', 'customizations.surrogateLocale must be a locale name.', 'customizations.surrogateLocale');
		if (pool.queued() >= MAX_QUEUED_SYNC) throw new HttpError(429, 'TooManyRequests', 'The server is busy; retry later.');
		// In a worker thread with a time budget: the event loop stays free for every other request.
		const out = await pool.run({ text: r.inputText, operation: OPERATIONS[op], redactionFormat: format ?? '[{type}]', key: randomBytes(32), datePatient: 'sync', locale, entities: true });
		if (!out.ok) throw outcomeError(out);
		const entities = out.entities;
		return send(req, res, 200, op === 'Tag' ? { taggerResult: { entities } } : { outputText: out.output, taggerResult: { entities } });
	}

	try {
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
		});
	} catch (e) {
		closing = true;
		await pool.terminate();
		throw e;
	}
	const addr = server.address();
	const port = typeof addr === 'object' && addr ? addr.port : opts.port;
	boundPort = port;
	return {
		url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
		close: async () => {
			closing = true;
			await new Promise<void>((r) => server.close(() => r()));
			while (working) await new Promise((r) => setTimeout(r, 20));
			await pool.terminate();
			if (saveTimer) clearTimeout(saveTimer);
			saveNow();
		},
	};
}
