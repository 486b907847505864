// Checks `deid serve` applies to what a client sends: storage locations (only the configured account's blob
// endpoint, so the server never signs a request to another host), blob prefixes and names (no way out of the
// container), the bearer token's strength, and the server key that per-job surrogate keys derive from.
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';

/** A configuration `deid serve` refuses to start with; the message is for the user (paths and reasons, no secrets). */
export class ServeConfigError extends Error {
	override name = 'ServeConfigError';
}

export interface StorageAccount {
	account: string;
	key: string;
	/** The account's blob endpoint (origin plus path, e.g. Azurite's /devstoreaccount1), without a trailing slash. */
	endpoint: URL;
}

export function parseConnectionString(cs: string): StorageAccount {
	const parts = Object.fromEntries(cs.split(';').filter(Boolean).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
	if (!parts.AccountName || !parts.AccountKey) throw new ServeConfigError('the storage connection string needs AccountName and AccountKey');
	let endpoint: URL;
	try {
		endpoint = new URL(
			parts.BlobEndpoint ||
				`${parts.DefaultEndpointsProtocol || 'https'}://${parts.AccountName}.blob.${parts.EndpointSuffix || 'core.windows.net'}`,
		);
	} catch {
		throw new ServeConfigError('the storage connection string has an invalid BlobEndpoint');
	}
	if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:')
		throw new ServeConfigError("the storage connection string's BlobEndpoint must be http or https");
	endpoint.pathname = endpoint.pathname.replace(/\/+$/, '');
	endpoint.search = '';
	endpoint.hash = '';
	return { account: parts.AccountName, key: parts.AccountKey, endpoint };
}

/** Azure container names: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit. */
const CONTAINER = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * The canonical URL of the container a job location names, or why it is refused: it must be a container directly
 * under the account's blob endpoint (same scheme, host and port), without credentials, query or fragment, and
 * in the allow-list when there is one.
 */
export function containerUrl(location: string, endpoint: URL, allowed?: readonly string[]): { url: string } | { problem: string } {
	let u: URL;
	try {
		u = new URL(location);
	} catch {
		return { problem: 'must be a container URL' };
	}
	if (u.protocol !== endpoint.protocol || u.host !== endpoint.host) return { problem: 'must be a container of the storage account this server uses' };
	if (u.username || u.password || u.search || u.hash || location.includes('?') || location.includes('#'))
		return { problem: 'must not carry credentials, a query or a fragment' };
	const base = endpoint.pathname.replace(/\/+$/, '');
	if (!u.pathname.startsWith(base + '/')) return { problem: 'must be a container of the storage account this server uses' };
	const name = u.pathname.slice(base.length + 1).replace(/\/$/, '');
	if (!CONTAINER.test(name)) return { problem: 'must name one container (3-63 lowercase letters, digits or hyphens) directly under the account' };
	if (allowed && !allowed.includes(name)) return { problem: 'names a container this server may not use' };
	return { url: `${endpoint.origin}${base}/${name}` };
}

function segmentProblem(seg: string): string | undefined {
	const dots = seg.replace(/%2e/gi, '.');
	if (dots === '.' || dots === '..') return 'has a . or .. segment';
	return undefined;
}

/**
 * Why a blob name prefix is refused: backslashes, control characters, a leading /, empty segments (//), . or ..
 * segments (also percent-encoded). A trailing / is a folder prefix; the empty prefix is the whole container.
 */
export function prefixProblem(prefix: string): string | undefined {
	if (prefix === '') return undefined;
	if (prefix.length > 1024) return 'is longer than 1024 characters';
	if (prefix.includes('\\')) return 'has a backslash';
	if (/[\u0000-\u001f\u007f]/.test(prefix)) return 'has a control character';
	if (prefix.startsWith('/')) return 'is absolute (starts with /)';
	const segs = prefix.split('/');
	for (let i = 0; i < segs.length; i++) {
		if (segs[i] === '' && i < segs.length - 1) return 'has an empty segment (//)';
		const p = segmentProblem(segs[i]);
		if (p) return p;
	}
	return undefined;
}

/** Why a blob name (listed in the source, or derived for the target) is refused: as prefixes, and no trailing /. */
export function blobNameProblem(name: string): string | undefined {
	if (name === '' || name.endsWith('/')) return 'is empty or ends with /';
	return prefixProblem(name);
}

/**
 * Why a bearer token is too weak to protect a server on a network: fewer than 32 characters, characters outside
 * printable ASCII, a repeating pattern, or under 128 bits by its character frequencies (length × Shannon entropy
 * with the Miller–Madow small-sample correction, an estimate that random tokens from e.g. `openssl rand -base64 32`
 * pass easily).
 */
export function tokenProblem(token: string): string | undefined {
	const hint = 'use a random token of at least 32 characters, e.g. from `openssl rand -base64 32`';
	if (token.length < 32) return `the bearer token has ${token.length} characters; ${hint}`;
	if (token.length > 1024) return 'the token is longer than 1024 characters';
	if (/[^\x21-\x7e]/.test(token)) return `the token may only hold printable ASCII characters without spaces; ${hint}`;
	for (let p = 1; p <= token.length / 2; p++) if (token.slice(p) === token.slice(0, token.length - p)) return `the token repeats a pattern; ${hint}`;
	const counts = new Map<string, number>();
	for (const c of token) counts.set(c, (counts.get(c) ?? 0) + 1);
	let bits = 0;
	for (const n of counts.values()) bits -= n * Math.log2(n / token.length);
	// Counted frequencies understate a short sample's entropy: without the Miller–Madow correction about 1 in 6,000
	// random 32-character base64url tokens (192 bits) measured under 128 and was refused.
	bits += (counts.size - 1) / (2 * Math.LN2);
	if (bits < 128) return `the token has too little variety (about ${Math.floor(bits)} bits, 128 needed); ${hint}`;
	return undefined;
}

/**
 * The server key in the state directory: created 0600 on first start; refused when group or others may read it
 * (whoever can read it can recompute every job's surrogate key).
 */
export function loadServerKey(path: string): Buffer {
	let created = false;
	try {
		writeFileSync(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
		created = true;
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
			throw new ServeConfigError(`cannot create the server key file ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
	}
	if (!created && process.platform !== 'win32') {
		const mode = statSync(path).mode & 0o777;
		if (mode & 0o077)
			throw new ServeConfigError(
				`the server key file ${path} may be read by group or others (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 on it (and consider deleting it, which changes the surrogates of unfinished jobs)`,
			);
	}
	const hex = readFileSync(path, 'utf8').trim();
	if (!/^[0-9a-f]{64}$/.test(hex)) throw new ServeConfigError(`the server key file ${path} is not 64 hex digits`);
	return Buffer.from(hex, 'hex');
}

/** A job's surrogate key: derived from the server key, the job's name and its random salt (both kept in the state). */
export function jobKey(serverKey: Uint8Array, name: string, salt: string): Buffer {
	return createHmac('sha256', serverKey).update(`deid-serve-job\u0000${name}\u0000${salt}`).digest();
}
