// HTTP plumbing of `deid serve`: errors in the Azure API's shape, JSON bodies, bearer tokens, paging, origins.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_VERSION, type ApiError } from '../azure/deidClient';

export const SUPPORTED_API_VERSIONS = [API_VERSION];
const MAX_BODY_BYTES = 50 * 1024;

/** A failure answered with the API's status, error code and message (never a document's text). */
export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly target?: string,
	) {
		super(message);
	}
}

function headersFor(req: IncomingMessage): Record<string, string> {
	const h: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'api-supported-versions': SUPPORTED_API_VERSIONS.join(', ') };
	const requestId = req.headers['x-ms-client-request-id'];
	if (typeof requestId === 'string') h['x-ms-client-request-id'] = requestId;
	return h;
}

export function send(req: IncomingMessage, res: ServerResponse, status: number, body?: unknown, extra: Record<string, string> = {}): void {
	const h = { ...headersFor(req), ...extra };
	if (body === undefined) {
		delete h['content-type'];
		res.writeHead(status, h).end();
	} else res.writeHead(status, h).end(JSON.stringify(body));
}

export function sendError(req: IncomingMessage, res: ServerResponse, e: HttpError): void {
	const error: ApiError = { code: e.code, message: e.message, ...(e.target ? { target: e.target } : {}) };
	send(
		req,
		res,
		e.status,
		{ error },
		{
			'x-ms-error-code': e.code,
			...(e.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
			...(e.status === 429 ? { 'retry-after': '1' } : {}),
		},
	);
}

/** The request's JSON body, at most MAX_BODY_BYTES. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
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

/** Checks the bearer token in constant time. */
export function tokenCheck(token: string): (req: IncomingMessage) => void {
	const expected = Buffer.from(token, 'utf8');
	return (req) => {
		const h = req.headers.authorization;
		if (!h || !/^Bearer\s+\S/i.test(h)) throw new HttpError(401, 'Unauthorized', 'A bearer token is required.');
		const given = Buffer.from(h.replace(/^Bearer\s+/i, ''), 'utf8');
		if (given.length !== expected.length || !timingSafeEqual(given, expected))
			throw new HttpError(403, 'Forbidden', 'The token is not valid for this server.');
	};
}

/** One page of a list, with the API's maxpagesize and continuationToken parameters. */
export function page<T>(items: T[], url: URL, base: string): { value: T[]; nextLink?: string } {
	const max = Math.min(Math.max(Number(url.searchParams.get('maxpagesize') ?? 20) || 20, 1), 100);
	const token = url.searchParams.get('continuationToken');
	const start = token ? Number(Buffer.from(token, 'base64').toString('utf8')) || 0 : 0;
	const value = items.slice(start, start + max);
	if (start + max >= items.length) return { value };
	const next = new URL(base + url.pathname);
	next.searchParams.set('api-version', url.searchParams.get('api-version')!);
	next.searchParams.set('maxpagesize', String(max));
	next.searchParams.set('continuationToken', Buffer.from(String(start + max)).toString('base64'));
	return { value, nextLink: next.toString() };
}

/** The origin clients reached us at (for operation-location and nextLink), from a well-formed Host header. */
export function originOf(req: IncomingMessage, fallback: string): string {
	const host = req.headers.host;
	if (host === undefined) return fallback;
	if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$/.test(host))
		throw new HttpError(400, 'InvalidHostHeader', 'The Host header is not a valid host.');
	try {
		return new URL(`http://${host}`).origin;
	} catch {
		throw new HttpError(400, 'InvalidHostHeader', 'The Host header is not a valid host.');
	}
}
