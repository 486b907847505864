/**
 * The one text format of a surrogate key, shared by `--key-file`, the extension's import and export, and
 * `deid serve`'s key file (Node only: the CLI, the server and the extension host).
 *
 * - hex: 32 to 128 hexadecimal digits (16 to 64 bytes), as "Export Surrogate Key" writes (64 digits);
 * - base64: exactly 32 bytes in standard or URL-safe base64 (43 characters, or 44 with '=' padding).
 * A text that is all hex digits is always hex. Anything else (a passphrase, a short or cut key) is refused.
 */
export const KEY_FORMAT_HELP = 'a key file holds 64 hex digits (as "Export Surrogate Key" writes; 32 to 128 digits are accepted) or 32 bytes in base64';

export function parseKeyText(text: string): Uint8Array | undefined {
	const t = text.trim();
	if (/^[0-9a-fA-F]+$/.test(t)) return t.length >= 32 && t.length <= 128 && t.length % 2 === 0 ? Buffer.from(t, 'hex') : undefined;
	if (!/^(?:[A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?$/.test(t)) return undefined;
	const bytes = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
	// the last character carries only 4 meaningful bits: a non-canonical ending is a typo, not a key
	return bytes.length === 32 && bytes.toString('base64url') === t.replace(/=$/, '').replace(/\+/g, '-').replace(/\//g, '_') ? bytes : undefined;
}
