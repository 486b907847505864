import type { DocumentFormat } from './scan';

/**
 * Text is analysed in pieces of at most about this many characters, cut at a blank line, a line end or a space,
 * so memory follows the piece, not the file. Clinical notes are rarely longer, so they stay whole. Pieces this
 * small keep their token arrays out of V8's large-object space (see docs in the folder-job commit history).
 */
export const CHUNK_CHARS = 1 << 14;
/** An NDJSON line longer than this is refused (it would have to be held whole). */
export const MAX_LINE_CHARS = 64 << 20;

/** An NDJSON line too long to hold; the message names the limit, never content. */
export class LineTooLongError extends Error {
	constructor() {
		super(`a line is longer than ${MAX_LINE_CHARS >> 20} MB`);
	}
}

/**
 * Where the next piece ends: at the last paragraph break, line break or space in the second half of the first
 * CHUNK_CHARS characters (NDJSON: the last line end in them), so a piece never holds much more than CHUNK_CHARS
 * and no name or date is cut in two; -1 when more text is needed first. Depends only on the text from the
 * buffer's start, so a file streamed in any read sizes and a whole text cut by textPieces give the same pieces.
 */
export function cutPoint(buf: string, format: DocumentFormat): number {
	if (buf.length < CHUNK_CHARS) return -1;
	if (format === 'ndjson') {
		let nl = buf.lastIndexOf('\n', CHUNK_CHARS - 1);
		if (nl < 0) nl = buf.indexOf('\n', CHUNK_CHARS); // one line longer than a piece: it goes whole
		if (nl >= 0) return nl + 1;
		if (buf.length > MAX_LINE_CHARS) throw new LineTooLongError();
		return -1;
	}
	const floor = CHUNK_CHARS >> 1;
	for (const sep of ['\n\n', '\n', ' ']) {
		const at = buf.lastIndexOf(sep, CHUNK_CHARS - sep.length);
		if (at >= floor) return at + sep.length;
	}
	// no break in the window's second half: the first one after it, or a hard cut in a very long unbroken run
	const limit = CHUNK_CHARS * 4;
	for (let i = CHUNK_CHARS; i < buf.length && i < limit; i++) {
		const c = buf.charCodeAt(i);
		if (c === 32 || c === 10) return i + 1;
	}
	if (buf.length < limit) return -1;
	const c = buf.charCodeAt(limit - 1);
	return c >= 0xd800 && c < 0xdc00 ? limit - 1 : limit; // never between the halves of a surrogate pair
}

/**
 * A whole text in the pieces a streamed file is processed in (the same cut points), with their offsets: a
 * scan of a large file then costs what a piece costs, not what the whole file would.
 */
export function* textPieces(text: string, format: DocumentFormat): Generator<{ start: number; text: string }> {
	let at = 0;
	while (text.length - at > CHUNK_CHARS) {
		let cut = -1;
		try {
			// cutPoint reads no further than four pieces ahead (a line longer than that is read to its end)
			const ahead = format === 'ndjson' ? text.indexOf('\n', at + CHUNK_CHARS) : -1;
			cut = cutPoint(text.slice(at, Math.max(at + CHUNK_CHARS * 4, ahead + 1)), format);
		} catch {
			// an NDJSON line too long to cut: the rest goes as one piece
		}
		if (cut <= 0) break;
		yield { start: at, text: text.slice(at, at + cut) };
		at += cut;
	}
	yield { start: at, text: text.slice(at) };
}
