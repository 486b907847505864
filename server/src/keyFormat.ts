/**
 * The one text format of a surrogate key, shared by `--key-file`, the extension's import and export, and
 * `deid serve`'s key file. Dependency-free so the client can use it through protocol.ts.
 *
 * - hex: 32 to 128 hexadecimal digits (16 to 64 bytes), as "Export Surrogate Key" writes (64 digits);
 * - base64: exactly 32 bytes in standard or URL-safe base64 (43 characters, or 44 with '=' padding).
 * A text that is all hex digits is always hex. Anything else (a passphrase, a short or cut key) is refused.
 */
export const KEY_FORMAT_HELP = 'a key file holds 64 hex digits (as "Export Surrogate Key" writes; 32 to 128 digits are accepted) or 32 bytes in base64';

export function parseKeyText(text: string): Uint8Array | undefined {
	const t = text.trim();
	if (/^[0-9a-fA-F]+$/.test(t)) {
		if (t.length < 32 || t.length > 128 || t.length % 2 !== 0) return undefined;
		const out = new Uint8Array(t.length / 2);
		for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
		return out;
	}
	const m = /^([A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?$/.exec(t);
	if (!m) return undefined;
	const body = m[1].replace(/-/g, '+').replace(/_/g, '/');
	const bytes = decodeBase64(body);
	// the last character may carry only 4 meaningful bits: a non-canonical ending is a typo, not a key
	return bytes && bytes.length === 32 && encodeBase64(bytes).slice(0, 43) === body ? bytes : undefined;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeBase64(s: string): Uint8Array | undefined {
	const out: number[] = [];
	let acc = 0;
	let bits = 0;
	for (const ch of s) {
		const v = ALPHABET.indexOf(ch);
		if (v < 0) return undefined;
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out.push((acc >> bits) & 0xff);
		}
	}
	return Uint8Array.from(out);
}

function encodeBase64(b: Uint8Array): string {
	let s = '';
	let acc = 0;
	let bits = 0;
	for (const x of b) {
		acc = ((acc << 8) | x) & 0xffffff;
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			s += ALPHABET[(acc >> bits) & 63];
		}
	}
	if (bits > 0) s += ALPHABET[(acc << (6 - bits)) & 63];
	return s;
}
