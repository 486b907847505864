// A small client for the Azure Health Data Services de-identification REST API (api-version 2024-11-15) on the
// global fetch; it also talks to our self-hosted `deid serve`. The language server, `deid job` and `deid serve`
// use it; the extension only sends settings and credentials (protocol.ts), so no vscode or LSP imports here.

export const API_VERSION = '2024-11-15';
/** Service limits (per job, per document, per synchronous request). */
export const MAX_DOCUMENTS = 10_000;
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;
export const MAX_TEXT_CHARS = 48_000;
export const DEID_SCOPE = 'https://deid.azure.com/.default';

export type JobStatus = 'NotStarted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';
export type DeidOperation = 'Redact' | 'Surrogate' | 'Tag';
export const TERMINAL: ReadonlySet<JobStatus> = new Set(['Succeeded', 'Failed', 'Canceled']);

export interface ApiError {
	code: string;
	message: string;
	target?: string;
	details?: ApiError[];
	innererror?: { code?: string };
}

export interface DeidentificationJob {
	name: string;
	operation?: DeidOperation;
	sourceLocation: { location: string; prefix: string; extensions?: string[] };
	targetLocation: { location: string; prefix: string; overwrite?: boolean };
	customizations?: { redactionFormat?: string; surrogateLocale?: string };
	status: JobStatus;
	error?: ApiError;
	createdAt: string;
	lastUpdatedAt: string;
	startedAt?: string;
	summary?: { successful: number; failed: number; canceled: number; total: number; bytesProcessed: number };
}

export type JobRequest = Pick<DeidentificationJob, 'operation' | 'sourceLocation' | 'targetLocation' | 'customizations'>;

export interface DocumentDetails {
	id: string;
	input: { location: string; etag: string };
	output?: { location: string; etag: string };
	status: JobStatus;
	error?: ApiError;
}

export interface StringIndex {
	utf8: number;
	utf16: number;
	codePoint: number;
}
export interface PhiEntity {
	category: string;
	offset: StringIndex;
	length: StringIndex;
	text?: string;
	confidenceScore?: number;
}
export interface DeidentificationResult {
	outputText?: string;
	taggerResult?: { entities: PhiEntity[] };
}

/** An error response of the service, typed from its JSON body and `x-ms-error-code`. */
export class DeidApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly requestId?: string,
		readonly body?: ApiError,
	) {
		super(`${status} ${code}: ${message}`);
		this.name = 'DeidApiError';
	}
}

/**
 * One line about a failure for messages and logs: the service's status and code, or the first line of the error
 * with any URL query removed (storage errors can carry a SAS signature there).
 */
export function describeRemoteError(e: unknown): string {
	if (e instanceof DeidApiError) return `the service answered ${e.status} ${e.code}`;
	if (e instanceof Error && /abort/i.test(e.name + e.message)) return 'cancelled';
	const line = e instanceof Error ? e.message.split('\n')[0] : 'failed';
	return line.replace(/(https?:\/\/[^\s?"']+)\?[^\s"']*/g, '$1?…').slice(0, 200);
}

export interface ClientOptions {
	endpoint: string;
	/** A bearer token for each request (Entra ID, or a static token for a self-hosted server); none if omitted. */
	token?: (signal?: AbortSignal) => Promise<string | undefined>;
	/** Called after a 401 (an expired token), once per request; the retry asks `token` again. */
	onUnauthorized?: (signal?: AbortSignal) => Promise<void>;
	apiVersion?: string;
	/** Retries on 429 and 5xx (honouring Retry-After). */
	maxRetries?: number;
	fetch?: typeof fetch;
	/** Waits between retries and polls (tests inject a fast one). */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	/** Request ids (tests inject deterministic ones). */
	requestId?: () => string;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
		const t = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(t);
			reject(signal!.reason ?? new Error('aborted'));
		};
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

function uuid(): string {
	return globalThis.crypto.randomUUID();
}

/** Seconds from a Retry-After header (delta or HTTP date); undefined when absent. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
	if (!header) return undefined;
	const s = Number(header);
	if (Number.isFinite(s)) return Math.max(0, s * 1000);
	const d = Date.parse(header);
	return Number.isNaN(d) ? undefined : Math.max(0, d - now);
}

export const JOB_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-_]{1,34}[a-zA-Z0-9]$/;

/** A unique job name: `vsc-yyyyMMddHHmmss-xxxxxx` (≤ 36 characters). */
export function newJobName(now = new Date(), random = () => Math.random()): string {
	const p = (n: number) => String(n).padStart(2, '0');
	const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
	let suffix = '';
	for (let i = 0; i < 6; i++) suffix += 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(random() * 36)];
	return `vsc-${stamp}-${suffix}`;
}

export class DeidClient {
	private readonly endpoint: string;
	private readonly apiVersion: string;
	private readonly f: typeof fetch;
	private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

	constructor(private readonly opts: ClientOptions) {
		this.endpoint = opts.endpoint.replace(/\/+$/, '');
		this.apiVersion = opts.apiVersion ?? API_VERSION;
		this.f = opts.fetch ?? fetch;
		this.sleep = opts.sleep ?? defaultSleep;
	}

	url(path: string, query: Record<string, string | number | undefined> = {}): string {
		const u = new URL(this.endpoint + path);
		u.searchParams.set('api-version', this.apiVersion);
		for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
		return u.toString();
	}

	/** One request with auth, a client request id, typed errors and retries on 429/5xx. */
	async request<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; data: T; headers: Headers }> {
		const max = this.opts.maxRetries ?? 4;
		let reauthorized = false;
		for (let attempt = 0; ; attempt++) {
			const headers: Record<string, string> = { 'x-ms-client-request-id': (this.opts.requestId ?? uuid)(), accept: 'application/json' };
			const token = await this.opts.token?.(signal);
			if (token) headers.authorization = `Bearer ${token}`;
			if (body !== undefined) headers['content-type'] = 'application/json';
			let res: Response;
			try {
				res = await this.f(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
			} catch (e) {
				if (signal?.aborted || attempt >= max) throw e;
				await this.sleep(Math.min(1000 * 2 ** attempt, 15000), signal);
				continue;
			}
			if (res.status === 401 && this.opts.onUnauthorized && !reauthorized) {
				reauthorized = true;
				await res.arrayBuffer().catch(() => undefined);
				await this.opts.onUnauthorized(signal);
				attempt--;
				continue;
			}
			if ((res.status === 429 || res.status >= 500) && attempt < max) {
				await res.arrayBuffer().catch(() => undefined);
				await this.sleep(retryAfterMs(res.headers.get('retry-after')) ?? Math.min(1000 * 2 ** attempt, 15000), signal);
				continue;
			}
			const text = await res.text();
			if (!res.ok) {
				let err: ApiError | undefined;
				try {
					err = (JSON.parse(text) as { error?: ApiError }).error;
				} catch {
					err = undefined;
				}
				const code = err?.code ?? res.headers.get('x-ms-error-code') ?? `Http${res.status}`;
				throw new DeidApiError(res.status, code, err?.message ?? res.statusText, res.headers.get('x-ms-client-request-id') ?? undefined, err);
			}
			return { status: res.status, data: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
		}
	}

	async createJob(name: string, job: JobRequest, signal?: AbortSignal): Promise<DeidentificationJob> {
		if (!JOB_NAME.test(name)) throw new Error('job names are 3–36 letters, digits, - or _, starting and ending with a letter or digit');
		return (await this.request<DeidentificationJob>('PUT', this.url(`/jobs/${encodeURIComponent(name)}`), job, signal)).data;
	}

	async getJobWithRetryAfter(name: string, signal?: AbortSignal): Promise<{ job: DeidentificationJob; retryAfterMs?: number }> {
		const r = await this.request<DeidentificationJob>('GET', this.url(`/jobs/${encodeURIComponent(name)}`), undefined, signal);
		return { job: r.data, retryAfterMs: retryAfterMs(r.headers.get('retry-after')) };
	}

	async getJob(name: string, signal?: AbortSignal): Promise<DeidentificationJob> {
		return (await this.getJobWithRetryAfter(name, signal)).job;
	}

	/** Follows nextLink; adds api-version when the link lacks it (the service's links may). */
	async *pages<T>(first: string, signal?: AbortSignal): AsyncGenerator<T> {
		let next: string | undefined = first;
		while (next) {
			const u = new URL(next, this.endpoint + '/');
			if (!u.searchParams.has('api-version')) u.searchParams.set('api-version', this.apiVersion);
			const r: { data: { value: T[]; nextLink?: string } } = await this.request('GET', u.toString(), undefined, signal);
			for (const v of r.data.value ?? []) yield v;
			next = r.data.nextLink || undefined;
		}
	}

	listJobs(opts: { maxpagesize?: number; signal?: AbortSignal } = {}): AsyncGenerator<DeidentificationJob> {
		return this.pages<DeidentificationJob>(this.url('/jobs', { maxpagesize: opts.maxpagesize }), opts.signal);
	}

	listJobDocuments(name: string, opts: { maxpagesize?: number; signal?: AbortSignal } = {}): AsyncGenerator<DocumentDetails> {
		return this.pages<DocumentDetails>(this.url(`/jobs/${encodeURIComponent(name)}/documents`, { maxpagesize: opts.maxpagesize }), opts.signal);
	}

	async cancelJob(name: string, signal?: AbortSignal): Promise<DeidentificationJob> {
		return (await this.request<DeidentificationJob>('POST', this.url(`/jobs/${encodeURIComponent(name)}:cancel`), undefined, signal)).data;
	}

	async deleteJob(name: string, signal?: AbortSignal): Promise<void> {
		await this.request('DELETE', this.url(`/jobs/${encodeURIComponent(name)}`), undefined, signal);
	}

	async deidentifyText(
		inputText: string,
		operation: DeidOperation = 'Surrogate',
		customizations?: JobRequest['customizations'],
		signal?: AbortSignal,
	): Promise<DeidentificationResult> {
		return (await this.request<DeidentificationResult>('POST', this.url('/deid'), { inputText, operation, customizations }, signal)).data;
	}

	/**
	 * Poll until the job is terminal, waiting Retry-After (fallback 3 s, backing off to 15 s). `onUpdate` gets
	 * every state. Aborting the signal stops polling (the caller decides whether to cancel the job).
	 */
	async pollJob(
		name: string,
		opts: { signal?: AbortSignal; onUpdate?: (job: DeidentificationJob) => void; minMs?: number } = {},
	): Promise<DeidentificationJob> {
		let fallback = 3000;
		for (;;) {
			const { job, retryAfterMs: ra } = await this.getJobWithRetryAfter(name, opts.signal);
			opts.onUpdate?.(job);
			if (TERMINAL.has(job.status)) return job;
			await this.sleep(Math.max(opts.minMs ?? 0, ra ?? fallback), opts.signal);
			fallback = Math.min(fallback * 1.5, 15000);
		}
	}
}
