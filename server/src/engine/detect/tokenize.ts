/** A word-level token. Kinds: 'w' letters (may hold inner apostrophes), 'n' digits, 'p' any other single character. */
export interface Token {
	start: number;
	end: number;
	text: string;
	kind: 'w' | 'n' | 'p';
	/** Lower-case text (for dictionary look-ups). */
	lower: string;
}

/**
 * A constructor, not an object literal: V8 pretenures a literal's allocation site once most of its objects
 * survive scavenges (a text's tokens do), and old-generation tokens are freed only by full collections.
 */
class TokenRecord implements Token {
	constructor(
		public start: number,
		public end: number,
		public text: string,
		public kind: Token['kind'],
		public lower: string,
	) {}
}

// One character class per step and no nested quantifiers: linear on any input.
// Hyphens split words ("Stord-Painter" is two name words).
const ANY_LETTER = /\p{L}/u;
const TOKEN_RE = /[\p{L}\p{M}](?:[\p{L}\p{M}]|['’](?=[\p{L}\p{M}]))*|\d+|[^\s]/gu;

/** The reference tokenizer (one regular expression); tokenize() must give the same tokens, faster. */
export function tokenizeWithRegex(text: string): Token[] {
	const tokens: Token[] = [];
	TOKEN_RE.lastIndex = 0;
	let m: RegExpExecArray | null;
	while ((m = TOKEN_RE.exec(text)) !== null) {
		const t = m[0];
		const c = t.charCodeAt(0);
		const kind: Token['kind'] = c >= 48 && c <= 57 ? 'n' : t.length > 1 || ANY_LETTER.test(t) ? 'w' : 'p';
		tokens.push(new TokenRecord(m.index, m.index + t.length, t, kind, t.toLowerCase()));
	}
	return tokens;
}

const LETTER_RE = /^[\p{L}\p{M}]$/u;
const SPACE_RE = /^\s$/u;
const letterCache = new Map<number, boolean>();
const spaceCache = new Map<number, boolean>();
function isLetterCodePoint(cp: number): boolean {
	if (cp < 128) return (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
	let v = letterCache.get(cp);
	if (v === undefined) letterCache.set(cp, (v = LETTER_RE.test(String.fromCodePoint(cp))));
	return v;
}
function isSpaceCodePoint(cp: number): boolean {
	if (cp < 128) return cp === 32 || (cp >= 9 && cp <= 13);
	let v = spaceCache.get(cp);
	if (v === undefined) spaceCache.set(cp, (v = SPACE_RE.test(String.fromCodePoint(cp))));
	return v;
}

/** Words (letters with inner apostrophes), digit runs and single other characters, in one pass over the text. */
export function tokenize(text: string): Token[] {
	const tokens: Token[] = [];
	const n = text.length;
	let i = 0;
	const push = (start: number, end: number, kind: Token['kind']) => {
		const t = text.slice(start, end);
		tokens.push(new TokenRecord(start, end, t, kind, kind === 'n' ? t : t.toLowerCase()));
	};
	while (i < n) {
		const cp = text.codePointAt(i)!;
		const width = cp > 0xffff ? 2 : 1;
		if (isSpaceCodePoint(cp)) {
			i += width;
			continue;
		}
		if (cp >= 48 && cp <= 57) {
			let j = i + 1;
			while (j < n) {
				const digit = text.charCodeAt(j);
				if (digit >= 48 && digit <= 57) j++;
				else break;
			}
			push(i, j, 'n');
			i = j;
			continue;
		}
		if (isLetterCodePoint(cp)) {
			let j = i + width;
			while (j < n) {
				const next = text.codePointAt(j)!;
				if (isLetterCodePoint(next)) j += next > 0xffff ? 2 : 1;
				// an apostrophe (straight or curly) between letters stays inside the word
				else if ((next === 39 || next === 0x2019) && j + 1 < n && isLetterCodePoint(text.codePointAt(j + 1)!)) j += 1;
				else break;
			}
			push(i, j, 'w');
			i = j;
			continue;
		}
		// any other single character (a whole code point); a lone letter-like symbol counts as a word
		push(i, i + width, 'p');
		i += width;
	}
	return tokens;
}

export type Casing = 'upper' | 'lower' | 'mixed';

/** Whether a document is written mostly in capitals, mostly in lower case, or normally. */
export function documentCasing(tokens: readonly Token[]): Casing {
	let words = 0;
	let upper = 0;
	let capitalised = 0;
	for (const t of tokens) {
		if (t.kind !== 'w' || t.text.length < 2) continue;
		words++;
		if (isAllUpper(t.text)) upper++;
		else if (startsUpper(t.text)) capitalised++;
	}
	if (words === 0) return 'mixed';
	if (upper / words > 0.6) return 'upper';
	if ((upper + capitalised) / words < 0.04) return 'lower';
	return 'mixed';
}

/** s === s.toUpperCase(), without building the upper-case copy for ASCII text. */
export function isAllUpper(s: string): boolean {
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c >= 97 && c <= 122) return false;
		if (c >= 128) return s === s.toUpperCase();
	}
	return true;
}

/** Whether the first character changes in lower case (s[0] !== s[0].toLowerCase()). */
function startsUpper(s: string): boolean {
	const c = s.charCodeAt(0);
	if (c < 128) return c >= 65 && c <= 90;
	return s[0] !== s[0].toLowerCase();
}

export function isTitleCase(s: string): boolean {
	const f = s[0];
	return f !== f.toLowerCase() && s.length > 1 && s.slice(1) !== s.slice(1).toUpperCase();
}

export function isAllCaps(s: string): boolean {
	return s === s.toUpperCase() && s !== s.toLowerCase();
}

export function isCapitalised(s: string): boolean {
	const f = s[0];
	return f !== f.toLowerCase();
}
