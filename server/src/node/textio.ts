import type { DocumentFormat } from '../engine';

export type DecodeResult = { ok: true; text: string; bom: boolean } | { ok: false; reason: string };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decode a file's bytes as UTF-8 text, refusing binary content and invalid UTF-8 with a reason (never the content). */
export function decodeText(bytes: Uint8Array): DecodeResult {
	// UTF-16 is known by its byte-order mark (its NUL bytes would otherwise look binary)
	const utf16 =
		bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe
			? 'utf-16le'
			: bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff
				? 'utf-16be'
				: undefined;
	if (utf16) {
		try {
			const text = new TextDecoder(utf16, { fatal: true, ignoreBOM: true }).decode(bytes);
			return { ok: true, text: text.slice(1), bom: true };
		} catch {
			return { ok: false, reason: `invalid ${utf16.toUpperCase()} text` };
		}
	}
	const probe = bytes.subarray(0, Math.min(bytes.length, 8192));
	if (probe.includes(0)) return { ok: false, reason: 'binary file (contains NUL bytes)' };
	let text: string;
	try {
		text = decoder.decode(bytes);
	} catch {
		const at = firstInvalidUtf8(bytes);
		return { ok: false, reason: `invalid UTF-8 at byte ${at}` };
	}
	const bom = text.charCodeAt(0) === 0xfeff;
	return { ok: true, text: bom ? text.slice(1) : text, bom };
}

function firstInvalidUtf8(b: Uint8Array): number {
	let i = 0;
	while (i < b.length) {
		const c = b[i];
		const need = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
		if (need < 0) return i;
		for (let k = 1; k <= need; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
		i += need + 1;
	}
	return i;
}

const TEXT_EXT = new Set(['.txt', '.text', '.md', '.markdown', '.log', '.note', '.notes', '.csv', '.tsv']);
const NDJSON_EXT = new Set(['.ndjson', '.jsonl']);

/** The format a file is de-identified as, from its name; undefined for files we do not process. */
export function formatForPath(path: string): DocumentFormat | undefined {
	const dot = path.lastIndexOf('.');
	const ext = dot >= 0 ? path.slice(dot).toLowerCase() : '';
	if (NDJSON_EXT.has(ext)) return 'ndjson';
	if (TEXT_EXT.has(ext)) return 'text';
	return undefined;
}
