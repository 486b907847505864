import { createHash } from 'node:crypto';
import { textPieces } from '../engine/pieces';
import type { DocumentFormat, DocumentProblem, Finding } from '../engine';

/**
 * One region of an open document: a piece as the CLI and the folder job cut it (at a paragraph break, or a line
 * end for NDJSON, every ~16 K characters). Detection looks no further than its piece, so findings of a piece
 * depend only on its text: a piece whose text is unchanged keeps its findings, whatever changed around it.
 */
export interface Piece {
	start: number;
	end: number;
	/** 0-based line of `start` (NDJSON only: problems name their line; 0 for text). */
	line: number;
	/** Digest of the piece's text (the text itself would keep every old version of the document alive). */
	key: string;
}

/** What one piece yields, offsets relative to the piece. */
export interface PieceResult {
	findings: Finding[];
	/** json[i]: findings[i] lies inside a JSON string literal (not on a malformed line). */
	json: boolean[];
	problems: DocumentProblem[];
	/** The line the piece started at when scanned: problems hold absolute lines and messages. */
	line: number;
}

export function piecesOf(text: string, format: DocumentFormat): Piece[] {
	const out: Piece[] = [];
	let line = 0;
	let counted = 0;
	for (const p of textPieces(text, format)) {
		if (format === 'ndjson') {
			for (let i = text.indexOf('\n', counted); i >= 0 && i < p.start; i = text.indexOf('\n', i + 1)) line++;
			counted = p.start;
		}
		out.push({ start: p.start, end: p.start + p.text.length, line, key: createHash('sha1').update(p.text).digest('base64') });
	}
	return out;
}

/**
 * Findings of an open document's pieces by the digest of their text, for one set of options. `detected` counts the
 * pieces scanned (not taken from the cache), so tests can count work instead of timing it.
 */
export class PieceCache {
	private map = new Map<string, PieceResult>();
	private optionsKey = '';
	detected = 0;

	/** Forget everything when what detection depends on (settings, FHIR configuration, key) changed. */
	setOptions(key: string): void {
		if (key === this.optionsKey) return;
		this.optionsKey = key;
		this.map.clear();
	}

	get(p: Piece): PieceResult | undefined {
		const r = this.map.get(p.key);
		// problems carry their line number in the message: a moved piece with problems is scanned again
		return r && (r.problems.length === 0 || r.line === p.line) ? r : undefined;
	}

	put(p: Piece, r: PieceResult): void {
		this.detected++;
		this.map.set(p.key, r);
	}

	/** Keep only the pieces of the document as it is now. */
	retain(pieces: readonly Piece[]): void {
		const keep = new Set(pieces.map((p) => p.key));
		for (const k of this.map.keys()) if (!keep.has(k)) this.map.delete(k);
	}

	get size(): number {
		return this.map.size;
	}
}
