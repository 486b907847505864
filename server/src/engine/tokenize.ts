/** A word-level token. Kinds: 'w' letters (may hold inner ' and -), 'n' digits, 'p' any other single character. */
export interface Token {
	start: number;
	end: number;
	text: string;
	kind: 'w' | 'n' | 'p';
	/** Lower-case text (for dictionary look-ups). */
	lower: string;
	/** Index of the next non-space character after the token (for punctuation checks). */
}

// One character class per step and no nested quantifiers: linear on any input. Hyphens split words ("Stord-Painter" is two name words).
const TOKEN_RE = /[\p{L}\p{M}](?:[\p{L}\p{M}]|['’](?=[\p{L}\p{M}]))*|\d+|[^\s]/gu;

export function tokenize(text: string): Token[] {
	const tokens: Token[] = [];
	TOKEN_RE.lastIndex = 0;
	let m: RegExpExecArray | null;
	while ((m = TOKEN_RE.exec(text)) !== null) {
		const t = m[0];
		const c = t.charCodeAt(0);
		const kind: Token['kind'] = c >= 48 && c <= 57 ? 'n' : t.length > 1 || /\p{L}/u.test(t) ? 'w' : 'p';
		tokens.push({ start: m.index, end: m.index + t.length, text: t, kind, lower: t.toLowerCase() });
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
		if (t.text === t.text.toUpperCase()) upper++;
		else if (t.text[0] !== t.text[0].toLowerCase()) capitalised++;
	}
	if (words === 0) return 'mixed';
	if (upper / words > 0.6) return 'upper';
	if ((upper + capitalised) / words < 0.04) return 'lower';
	return 'mixed';
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
