import type { Dictionaries } from '../dictionaries';
import type { DetectOptions, EntityType, Finding, Language } from '../types';
import type { Casing, Token } from './tokenize';
import { COLOUR_DESCRIPTORS, INSTRUMENT_HEADS } from './lexicon';

/** Everything a detector may read, computed once per text. */
export interface DetectContext {
	text: string;
	tokens: Token[];
	casing: Casing;
	language: Language;
	dicts: Dictionaries;
	options: DetectOptions;
	/** Token index covering each UTF-16 offset is not stored; use tokenAt(). */
}

export type Emit = (start: number, end: number, type: EntityType, confidence: number, detector: string) => void;

/**
 * A detector's finding before overlaps are merged. Constructed, not an object literal, so V8 does not pretenure it
 * (see TokenRecord in tokenize.ts): a text's raw findings all live until the text is done.
 */
class RawFinding implements Finding {
	constructor(
		public start: number,
		public end: number,
		public type: EntityType,
		public confidence: number,
		public detector: string,
	) {}
}

export function collector(out: Finding[]): Emit {
	return (start, end, type, confidence, detector) => {
		if (end > start) out.push(new RawFinding(start, end, type, confidence, detector));
	};
}

/**
 * Every match of a global pattern in the text, as String.prototype.matchAll finds them from the start, in an
 * array. matchAll copies the pattern on each call; over the eighty-odd patterns a note goes through, that was
 * about 4% of the engine's time. The matches are all found before the caller's loop runs, so the loop may use the
 * same pattern again; lastIndex is left at 0.
 */
export function matchesOf(re: RegExp, text: string): RegExpExecArray[] {
	if (!re.global) throw new TypeError('matchesOf needs a global pattern');
	const out: RegExpExecArray[] = [];
	re.lastIndex = 0;
	let m: RegExpExecArray | null;
	while ((m = re.exec(text)) !== null) {
		out.push(m);
		// an empty match moves on by one character (a whole code point in unicode mode), as matchAll does
		if (m[0].length === 0) {
			const i = re.lastIndex;
			const c = text.charCodeAt(i);
			const pair = re.unicode && c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
			re.lastIndex = i + (pair ? 2 : 1);
		}
	}
	re.lastIndex = 0;
	return out;
}

/** Index of the first token starting at or after offset (binary search). */
export function tokenIndexAt(tokens: readonly Token[], offset: number): number {
	let lo = 0;
	let hi = tokens.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (tokens[mid].start < offset) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** Lower-case words (letters only) in the `n` tokens before index i, nearest first. */
export function wordsBefore(tokens: readonly Token[], i: number, n: number): string[] {
	const out: string[] = [];
	for (let j = i - 1; j >= 0 && out.length < n; j--) {
		if (tokens[j].kind === 'w') out.push(tokens[j].lower);
		else if (tokens[j].kind === 'n') out.push('#');
	}
	return out;
}

// Hoisted: a regular expression literal inside a loop builds a new object each time it is evaluated.
const LETTER = /[\p{L}]/u;
const WORD_CHAR_AFTER = /[\p{L}%/]/u;

/**
 * How many words from token i are an instrument's eponym ("Gail risk score": 2, "Gleason grade": 1) or a colour
 * ("rose colored", "amber-tinged": 1): no person is meant there, whatever the word's other senses. 0 otherwise.
 */
export function eponymOrColourAt(text: string, tokens: readonly Token[], i: number): number {
	const n = tokens.length;
	const t = tokens[i];
	const after = i + 1 < n && tokens[i + 1].text === '-' && tokens[i + 1].start === t.end ? i + 2 : i + 1;
	if (after < n && tokens[after].kind === 'w' && COLOUR_DESCRIPTORS.has(tokens[after].lower) && tokens[after].start - t.end <= 1) return 1;
	const head = i + 1 < n && tokens[i + 1].lower === 'risk' ? i + 2 : i + 1;
	if (
		head < n &&
		tokens[head].kind === 'w' &&
		INSTRUMENT_HEADS.has(tokens[head].lower) &&
		BLANKS.test(text.slice(tokens[head - 1].end, tokens[head].start))
	)
		return head - i;
	return 0;
}
const BLANKS = /^[ \t]{1,2}$/;

/** Whether tokens a and b (a before b) stand on the same line: no line break between them. */
export function sameLine(text: string, tokens: readonly Token[], a: number, b: number): boolean {
	for (let k = tokens[a].end, e = tokens[b].start; k < e; k++) if (text.charCodeAt(k) === 10) return false;
	return true;
}

/** The lower-case word right before offset (skipping spaces and the given punctuation), or ''. */
export function prevWord(text: string, offset: number, skip = ' \t:#.-'): string {
	let i = offset - 1;
	while (i >= 0 && skip.includes(text[i])) i--;
	const end = i + 1;
	while (i >= 0 && LETTER.test(text[i]) && end - i < 40) i--;
	return text.slice(i + 1, end).toLowerCase();
}

/** The lower-case word right after offset (skipping spaces), or ''. */
export function nextWord(text: string, offset: number, skip = ' \t'): string {
	let i = offset;
	while (i < text.length && skip.includes(text[i])) i++;
	const start = i;
	while (i < text.length && WORD_CHAR_AFTER.test(text[i]) && i - start < 40) i++;
	return text.slice(start, i).toLowerCase();
}
