// `deid serve`: a self-hostable server with the Azure de-identification service's REST API (2024-11-15): the
// same routes, status codes, headers and JSON shapes, processing with our engine. Blob Storage through
// @azure/storage-blob (Azure or Azurite). Job state is persisted, so a restart keeps the job list and resumes.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerClient, RestError, StorageSharedKeyCredential } from '@azure/storage-blob';
import { deidentifyDocument, validateRedactionFormat, type Dictionaries, type Operation } from '../engine';
import { dateShiftDays, hmacHash } from '../node/hash';
import { API_VERSION, JOB_NAME, MAX_DOCUMENT_BYTES, MAX_DOCUMENTS, MAX_TEXT_CHARS, TERMINAL, type ApiError, type DeidentificationJob, type DeidOperation, type DocumentDetails, type JobRequest, type PhiEntity } from '../../../client/src/remote/deidClient';

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
}

interface StoredJob {
	job: DeidentificationJob;
	documents: DocumentDetails[];
	/** Surrogate key of this job (consistent surrogates within a job). */
	key: string;
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

function parseConnectionString(cs: string): { account: string; key: string } {
	const parts = Object.fromEntries(cs.split(';').filter(Boolean).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
	if (!parts.AccountName || !parts.AccountKey) throw new Error('the storage connection string needs AccountName and AccountKey');
	return { account: parts.AccountName, key: parts.AccountKey };
}

const OPERATIONS: Record<DeidOperation, Operation> = { Redact: 'redact', Surrogate: 'surrogate', Tag: 'tag' };

/** UTF-8, UTF-16 and code point offsets of a UTF-16 index. */
function stringIndex(s: string, i: number): { utf8: number; utf16: number; codePoint: number } {
	const prefix = s.slice(0, i);
	let cp = 0;
	for (const _ of prefix) cp++;
	return { utf8: Buffer.byteLength(prefix, 'utf8'), utf16: i, codePoint: cp };
}

export async function startServer(opts: ServeOptions): Promise<{ url: string; close(): Promise<void> }> {
	const { account, key } = parseConnectionString(opts.connectionString);
	const credential = new StorageSharedKeyCredential(account, key);
	const jobs = new Map<string, StoredJob>();
	const statePath = opts.stateDir ? join(opts.stateDir, 'deid-serve-state.json') : undefined;
	const log = opts.log ?? (() => {});
	let closing = false;
	let saveTimer: NodeJS.Timeout | undefined;

	const saveNow = () => {
		if (!statePath) return;
		const tmp = `${statePath}.tmp-${process.pid}`;
		writeFileSync(tmp, JSON.stringify([...jobs.values()]));
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
		mkdirSync(opts.stateDir!, { recursive: true });
		try {
			for (const s of JSON.parse(readFileSync(statePath, 'utf8')) as StoredJob[]) jobs.set(s.job.name, s);
		} catch {
			/* no state yet */
		}
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

	const container = (url: string) => new ContainerClient(url, credential);
	const matches = (name: string, exts: string[]) => exts.some((e) => e === '*' || name.toLowerCase().endsWith('.' + e.replace(/^\./, '').toLowerCase()));

	async function runJob(s: StoredJob): Promise<void> {
		const job = s.job;
		const src = container(job.sourceLocation.location);
		const dst = container(job.targetLocation.location);
		if (s.documents.length === 0) {
			const exts = job.sourceLocation.extensions?.length ? job.sourceLocation.extensions : ['*'];
			try {
				for await (const b of src.listBlobsFlat({ prefix: job.sourceLocation.prefix })) {
					if (!matches(b.name, exts)) continue;
					if (s.documents.length >= MAX_DOCUMENTS) return fail(s, 'JobValidationError', `The job exceeds ${MAX_DOCUMENTS} documents.`);
					s.documents.push({ id: randomUUID(), input: { location: src.getBlobClient(b.name).url, etag: b.properties.etag ?? '' }, status: 'NotStarted' });
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
		const hash = hmacHash(Buffer.from(s.key, 'hex'));
		const dicts = opts.dicts();
		const op = OPERATIONS[job.operation ?? 'Surrogate'];
		const format = job.customizations?.redactionFormat ?? '[{type}]';
		for (let k = 0; k < s.documents.length; k++) {
			const d = s.documents[k];
			if (d.status !== 'NotStarted' && d.status !== 'Running') continue;
			if (s.cancelRequested || closing) break;
			const blobName = s.blobNames[k];
			const rel = blobName.slice(job.sourceLocation.prefix.length);
			const outName = job.targetLocation.prefix + rel;
			try {
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
				const res = deidentifyDocument(text, 'text', dicts, {}, { operation: op, redactionFormat: format, surrogate: { dicts, hash, dateShiftDays: dateShiftDays(hash, job.name), locale: job.customizations?.surrogateLocale } });
				const out =
					op === 'tag'
						? JSON.stringify({ entities: res.findings.map((f) => entityOf(text, f.start, f.end, f.type, f.confidence)) })
						: res.output;
				const target = dst.getBlockBlobClient(outName);
				const up = await target.upload(out, Buffer.byteLength(out), {
					blobHTTPHeaders: { blobContentType: op === 'tag' ? 'application/json' : 'text/plain; charset=utf-8' },
					conditions: job.targetLocation.overwrite ? undefined : { ifNoneMatch: '*' },
				});
				d.output = { location: target.url, etag: up.etag ?? '' };
				d.status = 'Succeeded';
				job.summary!.bytesProcessed += buf.length;
			} catch (e) {
				d.status = 'Failed';
				if (e instanceof HttpError) d.error = { code: e.code, message: e.message };
				else if (e instanceof RestError && e.statusCode === 409) d.error = { code: 'BlobAlreadyExists', message: 'The output already exists and overwrite is false.' };
				else if (e instanceof RestError && e.statusCode === 404) d.error = { code: 'FileNotFound', message: 'The input document was not found.' };
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
		send(req, res, e.status, { error }, { 'x-ms-error-code': e.code, ...(e.status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
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
		const r = raw as Record<string, any>;
		const op = r.operation ?? 'Surrogate';
		if (!['Redact', 'Surrogate', 'Tag'].includes(op)) throw new HttpError(400, 'InvalidRequestBody', 'operation must be Redact, Surrogate or Tag.', 'operation');
		for (const k of ['sourceLocation', 'targetLocation']) {
			const l = r[k];
			if (!l || typeof l !== 'object' || typeof l.location !== 'string' || typeof l.prefix !== 'string') throw new HttpError(400, 'InvalidRequestBody', `${k} needs location and prefix.`, k);
			try {
				new URL(l.location);
			} catch {
				throw new HttpError(400, 'InvalidRequestBody', `${k}.location must be a container URL.`, `${k}.location`);
			}
			if (l.prefix.length > 1024) throw new HttpError(400, 'InvalidRequestBody', `${k}.prefix is longer than 1024 characters.`, `${k}.prefix`);
		}
		const ext = r.sourceLocation.extensions;
		if (ext !== undefined && (!Array.isArray(ext) || ext.length === 0 || ext.some((e: unknown) => typeof e !== 'string'))) throw new HttpError(400, 'InvalidRequestBody', 'sourceLocation.extensions must be a non-empty list of strings.', 'sourceLocation.extensions');
		if (r.targetLocation.overwrite !== undefined && typeof r.targetLocation.overwrite !== 'boolean') throw new HttpError(400, 'InvalidRequestBody', 'targetLocation.overwrite must be a boolean.', 'targetLocation.overwrite');
		const c = r.customizations;
		if (c !== undefined) {
			if (typeof c !== 'object' || c === null) throw new HttpError(400, 'InvalidRequestBody', 'customizations must be an object.', 'customizations');
			if (c.redactionFormat !== undefined) {
				if (op !== 'Redact') throw new HttpError(400, 'InvalidRequestBody', 'redactionFormat is only valid with Redact.', 'customizations.redactionFormat');
				const err = typeof c.redactionFormat === 'string' ? validateRedactionFormat(c.redactionFormat) : 'not a string';
				if (err) throw new HttpError(400, 'InvalidRequestBody', `customizations.redactionFormat: ${err}`, 'customizations.redactionFormat');
			}
		}
		return { operation: op, sourceLocation: { location: r.sourceLocation.location, prefix: r.sourceLocation.prefix, extensions: ext ?? ['*'] }, targetLocation: { location: r.targetLocation.location, prefix: r.targetLocation.prefix, overwrite: r.targetLocation.overwrite ?? false }, customizations: c };
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const base = `http://${req.headers.host ?? `${opts.host ?? '127.0.0.1'}:${opts.port}`}`;
		const url = new URL(req.url ?? '/', base);
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
		const name = decodeURIComponent(m[1]);
		const s = jobs.get(name);
		if (!m[2] && req.method === 'PUT') {
			if (!JOB_NAME.test(name)) throw new HttpError(400, 'InvalidJobName', 'Job names are 3–36 letters, digits, - or _, starting and ending with a letter or digit.');
			const spec = validateJob(await body(req));
			if (s) throw new HttpError(409, 'JobAlreadyExists', 'A job with this name already exists.');
			const now = new Date().toISOString();
			const job: DeidentificationJob = { name, ...spec, status: 'NotStarted', createdAt: now, lastUpdatedAt: now };
			jobs.set(name, { job, documents: [], blobNames: [], key: randomBytes(32).toString('hex') });
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

	function deid(req: IncomingMessage, res: ServerResponse, raw: unknown) {
		const r = (raw ?? {}) as Record<string, any>;
		if (typeof r.inputText !== 'string') throw new HttpError(400, 'InvalidRequestBody', 'inputText is required.', 'inputText');
		if (r.inputText.length > MAX_TEXT_CHARS) throw new HttpError(400, 'InvalidRequestBody', `inputText is longer than ${MAX_TEXT_CHARS} characters.`, 'inputText');
		const op: DeidOperation = r.operation ?? 'Surrogate';
		if (!['Redact', 'Surrogate', 'Tag'].includes(op)) throw new HttpError(400, 'InvalidRequestBody', 'operation must be Redact, Surrogate or Tag.', 'operation');
		const format = r.customizations?.redactionFormat;
		if (format !== undefined && (typeof format !== 'string' || validateRedactionFormat(format))) throw new HttpError(400, 'InvalidRequestBody', 'customizations.redactionFormat is invalid.', 'customizations.redactionFormat');
		const dicts = opts.dicts();
		const hash = hmacHash(randomBytes(32));
		const out = deidentifyDocument(r.inputText, 'text', dicts, {}, { operation: OPERATIONS[op], redactionFormat: format ?? '[{type}]', surrogate: { dicts, hash, dateShiftDays: dateShiftDays(hash, 'sync'), locale: r.customizations?.surrogateLocale } });
		const entities = out.findings.map((f) => entityOf(r.inputText, f.start, f.end, f.type, f.confidence));
		return send(req, res, 200, op === 'Tag' ? { taggerResult: { entities } } : { outputText: out.output, taggerResult: { entities } });
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
	});
	const addr = server.address();
	const port = typeof addr === 'object' && addr ? addr.port : opts.port;
	return {
		url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
		close: async () => {
			closing = true;
			await new Promise<void>((r) => server.close(() => r()));
			while (working) await new Promise((r) => setTimeout(r, 20));
			if (saveTimer) clearTimeout(saveTimer);
			saveNow();
		},
	};
}

function entityOf(text: string, start: number, end: number, category: string, confidence: number): PhiEntity {
	const o = stringIndex(text, start);
	const e = stringIndex(text, end);
	return { category, offset: o, length: { utf8: e.utf8 - o.utf8, utf16: end - start, codePoint: e.codePoint - o.codePoint }, text: text.slice(start, end), confidenceScore: confidence };
}
