// The REST routes of `deid serve`: the Azure de-identification API's jobs and synchronous /deid, checked field by
// field (the bodies are untrusted JSON).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateRedactionFormat } from '../../engine';
import type { TextRunner } from '../../jobs/pool';
import { JOB_NAME, MAX_TEXT_CHARS, TERMINAL, type DeidentificationJob, type DeidOperation, type JobRequest } from '../azure/deidClient';
import { containerUrl, prefixProblem } from '../guards';
import { HttpError, originOf, page, readJsonBody, send, SUPPORTED_API_VERSIONS, tokenCheck } from './http';
import { OPERATIONS, outcomeError, type JobRunner } from './runner';
import type { JobStore } from './store';

/** Synchronous requests waiting for a worker beyond this are answered 429 (batch documents wait their turn). */
const MAX_QUEUED_SYNC = 32;

export interface RoutesContext {
	store: JobStore;
	runner: JobRunner;
	pool: TextRunner;
	token: string;
	endpoint: URL;
	allowedContainers?: string[];
	closing: () => boolean;
	/** The origin when a request has no Host header. */
	fallbackOrigin: () => string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untrusted JSON, checked field by field
type Untrusted = Record<string, any>;

function validateLocations(r: Untrusted, ctx: RoutesContext): void {
	for (const k of ['sourceLocation', 'targetLocation']) {
		const l = r[k];
		if (!l || typeof l !== 'object' || typeof l.location !== 'string' || typeof l.prefix !== 'string')
			throw new HttpError(400, 'InvalidRequestBody', `${k} needs location and prefix.`, k);
		// Only the configured account: the server signs its storage requests, so any other host would get them.
		const c = containerUrl(l.location, ctx.endpoint, ctx.allowedContainers);
		if ('problem' in c) throw new HttpError(400, 'InvalidRequestBody', `${k}.location ${c.problem}.`, `${k}.location`);
		const problem = prefixProblem(l.prefix);
		if (problem) throw new HttpError(400, 'InvalidRequestBody', `${k}.prefix ${problem}.`, `${k}.prefix`);
	}
	const ext = r.sourceLocation.extensions;
	if (ext !== undefined && (!Array.isArray(ext) || ext.length === 0 || ext.some((e: unknown) => typeof e !== 'string')))
		throw new HttpError(400, 'InvalidRequestBody', 'sourceLocation.extensions must be a non-empty list of strings.', 'sourceLocation.extensions');
	if (r.targetLocation.overwrite !== undefined && typeof r.targetLocation.overwrite !== 'boolean')
		throw new HttpError(400, 'InvalidRequestBody', 'targetLocation.overwrite must be a boolean.', 'targetLocation.overwrite');
}

function validateCustomizations(c: unknown, op: DeidOperation): void {
	if (c === undefined) return;
	if (typeof c !== 'object' || c === null) throw new HttpError(400, 'InvalidRequestBody', 'customizations must be an object.', 'customizations');
	const { surrogateLocale, redactionFormat } = c as Untrusted;
	if (surrogateLocale !== undefined && (typeof surrogateLocale !== 'string' || surrogateLocale.length > 16))
		throw new HttpError(400, 'InvalidRequestBody', 'customizations.surrogateLocale must be a locale name.', 'customizations.surrogateLocale');
	if (redactionFormat === undefined) return;
	if (op !== 'Redact') throw new HttpError(400, 'InvalidRequestBody', 'redactionFormat is only valid with Redact.', 'customizations.redactionFormat');
	const err = typeof redactionFormat === 'string' ? validateRedactionFormat(redactionFormat) : 'not a string';
	if (err) throw new HttpError(400, 'InvalidRequestBody', `customizations.redactionFormat: ${err}`, 'customizations.redactionFormat');
}

function validateJob(raw: unknown, ctx: RoutesContext): JobRequest {
	if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new HttpError(400, 'InvalidRequestBody', 'The body must be a JSON object.');
	const r = raw as Untrusted;
	const op = r.operation ?? 'Surrogate';
	if (!['Redact', 'Surrogate', 'Tag'].includes(op))
		throw new HttpError(400, 'InvalidRequestBody', 'operation must be Redact, Surrogate or Tag.', 'operation');
	validateLocations(r, ctx);
	validateCustomizations(r.customizations, op);
	return {
		operation: op,
		sourceLocation: { location: r.sourceLocation.location, prefix: r.sourceLocation.prefix, extensions: r.sourceLocation.extensions ?? ['*'] },
		targetLocation: { location: r.targetLocation.location, prefix: r.targetLocation.prefix, overwrite: r.targetLocation.overwrite ?? false },
		customizations: r.customizations,
	};
}

/** The request handler: every route, after the token and api-version checks. */
export function routes(ctx: RoutesContext): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
	const authorize = tokenCheck(ctx.token);
	return async (req, res) => {
		const base = originOf(req, ctx.fallbackOrigin());
		// The path alone, against a fixed origin: '//other-host/...' stays a path.
		if (!req.url?.startsWith('/')) throw new HttpError(400, 'InvalidRequest', 'The request target must be a path.');
		const url = new URL(`http://localhost${req.url}`);
		if (ctx.closing()) throw new HttpError(503, 'ServiceUnavailable', 'The server is shutting down.');
		authorize(req);
		const version = url.searchParams.get('api-version');
		if (!version) throw new HttpError(400, 'MissingApiVersionParameter', 'The api-version query parameter is required.');
		if (!SUPPORTED_API_VERSIONS.includes(version))
			throw new HttpError(
				400,
				'UnsupportedApiVersion',
				`The api-version '${version.slice(0, 40)}' is not supported; use ${SUPPORTED_API_VERSIONS.join(', ')}.`,
			);
		const path = url.pathname;
		if (path === '/deid' && req.method === 'POST') return deidentifyText(req, res, await readJsonBody(req), ctx);
		if (path === '/jobs' && req.method === 'GET')
			return send(
				req,
				res,
				200,
				page(
					[...ctx.store.jobs.values()].map((s) => s.job).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
					url,
					base,
				),
			);
		const m = /^\/jobs\/([^/:]+)(:cancel|\/documents)?$/.exec(path);
		if (!m) throw new HttpError(404, 'NotFound', 'The resource was not found.');
		return jobRoute(req, res, { url, base, version, name: jobName(m[1]), sub: m[2] }, ctx);
	};
}

function jobName(encoded: string): string {
	try {
		return decodeURIComponent(encoded);
	} catch {
		throw new HttpError(400, 'InvalidJobName', 'The job name in the path is not valid percent-encoding.');
	}
}

interface JobPath {
	url: URL;
	base: string;
	version: string;
	name: string;
	/** ':cancel', '/documents' or none. */
	sub?: string;
}

async function jobRoute(req: IncomingMessage, res: ServerResponse, { url, base, version, name, sub }: JobPath, ctx: RoutesContext): Promise<void> {
	const s = ctx.store.jobs.get(name);
	if (!sub && req.method === 'PUT') {
		if (!JOB_NAME.test(name))
			throw new HttpError(400, 'InvalidJobName', 'Job names are 3–36 letters, digits, - or _, starting and ending with a letter or digit.');
		const spec = validateJob(await readJsonBody(req), ctx);
		if (s) throw new HttpError(409, 'JobAlreadyExists', 'A job with this name already exists.');
		const now = new Date().toISOString();
		const job: DeidentificationJob = { name, ...spec, status: 'NotStarted', createdAt: now, lastUpdatedAt: now };
		ctx.store.add(job);
		ctx.runner.enqueue(name);
		return send(req, res, 201, job, { 'operation-location': `${base}/jobs/${encodeURIComponent(name)}?api-version=${version}` });
	}
	if (!s) throw new HttpError(404, 'JobNotFound', 'Job not found.');
	if (!sub && req.method === 'GET') return send(req, res, 200, s.job, TERMINAL.has(s.job.status) ? {} : { 'retry-after': '1' });
	if (sub === '/documents' && req.method === 'GET') return send(req, res, 200, page(s.documents, url, base));
	if (sub === ':cancel' && req.method === 'POST') {
		if (!TERMINAL.has(s.job.status)) {
			s.cancelRequested = true;
			if (s.job.status === 'NotStarted') {
				s.job.status = 'Canceled';
				for (const d of s.documents) d.status = 'Canceled';
			}
			ctx.store.touch(s);
			// A running job finishes its current document, then becomes Canceled.
			for (let i = 0; i < 100 && !TERMINAL.has(s.job.status); i++) await new Promise((r) => setTimeout(r, 20));
		}
		return send(req, res, 200, s.job);
	}
	if (!sub && req.method === 'DELETE') {
		s.cancelRequested = true;
		ctx.store.delete(name);
		return send(req, res, 204);
	}
	throw new HttpError(405, 'MethodNotAllowed', 'The method is not allowed on this resource.');
}

/** POST /deid: one text, in a worker thread with a time budget, so the event loop stays free for other requests. */
async function deidentifyText(req: IncomingMessage, res: ServerResponse, raw: unknown, ctx: RoutesContext): Promise<void> {
	const r = (raw ?? {}) as Untrusted;
	if (typeof r.inputText !== 'string') throw new HttpError(400, 'InvalidRequestBody', 'inputText is required.', 'inputText');
	if (r.inputText.length > MAX_TEXT_CHARS)
		throw new HttpError(400, 'InvalidRequestBody', `inputText is longer than ${MAX_TEXT_CHARS} characters.`, 'inputText');
	const op: DeidOperation = r.operation ?? 'Surrogate';
	if (!['Redact', 'Surrogate', 'Tag'].includes(op)) {
		throw new HttpError(400, 'InvalidRequestBody', 'operation must be Redact, Surrogate or Tag.', 'operation');
	}
	const format = r.customizations?.redactionFormat;
	if (format !== undefined && (typeof format !== 'string' || validateRedactionFormat(format)))
		throw new HttpError(400, 'InvalidRequestBody', 'customizations.redactionFormat is invalid.', 'customizations.redactionFormat');
	const locale = r.customizations?.surrogateLocale;
	if (locale !== undefined && (typeof locale !== 'string' || locale.length > 16))
		throw new HttpError(400, 'InvalidRequestBody', 'customizations.surrogateLocale must be a locale name.', 'customizations.surrogateLocale');
	if (ctx.pool.queued() >= MAX_QUEUED_SYNC) throw new HttpError(429, 'TooManyRequests', 'The server is busy; retry later.');
	const out = await ctx.pool.run({
		text: r.inputText,
		operation: OPERATIONS[op],
		redactionFormat: format ?? '[{type}]',
		key: randomBytes(32),
		datePatient: 'sync',
		locale,
		entities: true,
	});
	if (!out.ok) throw outcomeError(out);
	const entities = out.entities;
	return send(req, res, 200, op === 'Tag' ? { taggerResult: { entities } } : { outputText: out.output, taggerResult: { entities } });
}
