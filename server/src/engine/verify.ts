// The pure parts of verifying a folder job's output: the more sensitive detection options, where the job's own
// labels and masks lie, and the candidate values of a text whose keyed digests are compared with the job's claims.
import { DEFAULT_MIN_CONFIDENCE } from './detect/detect';
import { STOPWORDS } from './detect/lexicon';
import { DEFAULT_REDACTION_FORMAT } from './transform';
import { ENTITY_TYPES, type DetectOptions, type EntityType, type Finding } from './types';

/** How far below the reporting threshold the verify pass looks (calibrated confidence), and its floor. */
export const VERIFY_MARGIN = 0.25;
export const VERIFY_FLOOR = 0.2;
/** A value of more words or characters than this is no one value a job replaces (bounds the n-grams). */
export const MAX_GRAM_WORDS = 5;
export const MAX_GRAM_CHARS = 120;
/** A name word longer than this is no name (bounds the work on a long run of letters). */
const MAX_NAME_WORD = 40;

/** Place-like values are claimed whole, by type and normalised text (see surrogateFor in transform.ts). */
const GRAM_TYPES: readonly EntityType[] = ['City', 'Hospital', 'Organization', 'LocationOther', 'Street'];
const STREET_ONLY: readonly EntityType[] = ['Street'];
/** One-token values, claimed whole the same way. */
const TOKEN_TYPES: readonly EntityType[] = ['Email', 'Url', 'IPAddress'];

const WORD = /[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu;
/** What lies between two words of one value: blanks, or one of , . & - with blanks ("St. Mary's", "Smith & Co"). */
const GAP = /^(?:[ \t]{1,3}|[ \t]?[,.&-][ \t]{0,2})$/;
const DIGITS = /^\d+$/;
const HAS_LETTER = /\p{L}/u;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const TOKEN = /\S+/g;
const TOKEN_SHAPE = /@|:\/\/|^www\.|^\d{1,3}(?:\.\d{1,3}){3}|:[0-9a-f]*:/i;
const TRAILING = /[.,;:)\]>'"]+$/;
const LEADING = /^[(<['"]+/;

/** As transform.ts normalises a value before it is claimed. */
const normalise = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** The detection options of the verify pass: every threshold VERIFY_MARGIN lower (not below VERIFY_FLOOR). */
export function sensitiveOptions(d: DetectOptions): DetectOptions {
	const lower = (x: number) => Math.max(Math.min(x, VERIFY_FLOOR), x - VERIFY_MARGIN);
	const byType: Partial<Record<EntityType, number>> = {};
	for (const [t, v] of Object.entries(d.minConfidenceByType ?? {})) if (v !== undefined) byType[t as EntityType] = lower(v);
	return { ...d, minConfidence: lower(d.minConfidence ?? DEFAULT_MIN_CONFIDENCE), minConfidenceByType: byType };
}

export interface Span {
	start: number;
	end: number;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regular expression for the labels a redaction format writes ("[PATIENT]", "<doctor>", "*****"). */
export function labelPattern(format = DEFAULT_REDACTION_FORMAT): RegExp {
	const parts = format.split(/(\{type\}|\{Type\}|\{TYPE\}|\{len\})/);
	let re = '';
	for (let i = 0; i < parts.length; i++) {
		const p = parts[i];
		if (p === '{type}') re += `(?:${ENTITY_TYPES.map((t) => escapeRe(t.toLowerCase())).join('|')})`;
		else if (p === '{Type}') re += `(?:${ENTITY_TYPES.map(escapeRe).join('|')})`;
		else if (p === '{TYPE}') re += `(?:${ENTITY_TYPES.map((t) => escapeRe(t.toUpperCase())).join('|')})`;
		else if (p === '{len}') continue;
		else if (parts[i + 1] === '{len}' && p.length > 0) re += escapeRe(p.slice(0, -1)) + `(?:${escapeRe(p.slice(-1))})+`;
		else re += escapeRe(p);
	}
	return new RegExp(re, 'g');
}

/** Masks of any policy: a run of three or more of one mask character. */
const MASK = /([*#xX█■•_])\1{2,}/g;

/** Where a job's labels and masks lie in a text, sorted and disjoint. */
export function labelSpans(text: string, format?: string): Span[] {
	const out: Span[] = [];
	for (const re of [labelPattern(format), MASK]) {
		re.lastIndex = 0;
		for (let m = re.exec(text); m; m = re.exec(text)) {
			if (m[0].length === 0) {
				re.lastIndex++;
				continue;
			}
			// (a mask of x's inside a word is a word)
			if (re === MASK && /[xX]/.test(m[1]) && (HAS_LETTER.test(text[m.index - 1] ?? '') || HAS_LETTER.test(text[m.index + m[0].length] ?? ''))) continue;
			out.push({ start: m.index, end: m.index + m[0].length });
		}
	}
	return union(out);
}

/** Sorted union of spans (touching ones join). */
export function union(spans: Span[]): Span[] {
	const all = [...spans].sort((a, b) => a.start - b.start);
	const out: Span[] = [];
	for (const s of all) {
		const last = out[out.length - 1];
		if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
		else out.push({ start: s.start, end: s.end });
	}
	return out;
}

/**
 * The parts of a finding outside the given spans (sorted, disjoint) that still hold a letter or digit: what is
 * left of it once the job's own text is taken out. Linear over findings and spans taken together in order.
 */
export function outside(text: string, findings: readonly Finding[], spans: readonly Span[]): Finding[] {
	const out: Finding[] = [];
	let s = 0;
	for (const f of [...findings].sort((a, b) => a.start - b.start)) {
		while (s < spans.length && spans[s].end <= f.start) s++;
		let at = f.start;
		for (let k = s; k < spans.length && spans[k].start < f.end; k++) {
			if (spans[k].start > at) push(at, spans[k].start);
			at = Math.max(at, spans[k].end);
		}
		if (at < f.end) push(at, f.end);
		function push(start: number, end: number) {
			if (HAS_LETTER_OR_DIGIT.test(text.slice(start, end))) out.push({ ...f, start, end });
		}
	}
	return out;
}

/** What a candidate stands for: an original value (a claim's unit), a surrogate the job wrote (a claim's key), or either. */
export type CandidateRole = 'unit' | 'key' | 'both';

/**
 * Every candidate value of a text in the form a job claims values (before the keyed digest): each word as a name
 * word (units by first-name kind, key alone), word n-grams of up to MAX_GRAM_WORDS words as place-like values,
 * and e-mail/URL/IP-like tokens. Linear: at most MAX_GRAM_WORDS n-grams of at most MAX_GRAM_CHARS per word.
 * Returns the work done (characters and candidates), for tests that count steps.
 */
export function forEachCandidate(
	text: string,
	visit: (start: number, end: number, candidate: string, role: CandidateRole, type: EntityType) => void,
	/** Words of ordinary writing ("small", "walker"): as one word never taken for a replaced original (a surname
	 * that is also a word is left to the detector, which reads its context). */
	common: (lowerWord: string) => boolean = () => false,
): number {
	let steps = 0;
	const words: Span[] = [];
	WORD.lastIndex = 0;
	for (let m = WORD.exec(text); m; m = WORD.exec(text)) {
		words.push({ start: m.index, end: m.index + m[0].length });
		steps += m[0].length;
	}
	for (let i = 0; i < words.length; i++) {
		const w = words[i];
		if (w.end - w.start <= MAX_NAME_WORD) {
			const word = text.slice(w.start, w.end);
			if (HAS_LETTER.test(word)) {
				const lowerWord = word.toLowerCase();
				if (lowerWord.length > 2 && !common(lowerWord))
					for (const kind of ['f', 'm', 's']) visit(w.start, w.end, `name\u0000${kind}\u0000${lowerWord}`, 'unit', 'Patient');
				visit(w.start, w.end, `name\u0000${lowerWord}`, 'key', 'Patient');
				steps += 4;
			}
		}
		// A place-like value starts and ends with no function word, holds no line break or other punctuation between
		// its words, and only a street starts with a number: other n-grams are never one claimed value.
		const first = text.slice(w.start, w.end).toLowerCase();
		if (STOPWORDS.has(first)) continue;
		const types = DIGITS.test(first) ? STREET_ONLY : GRAM_TYPES;
		for (let j = i; j < words.length && j < i + MAX_GRAM_WORDS; j++) {
			const end = words[j].end;
			if (end - w.start > MAX_GRAM_CHARS) break;
			if (j > i) {
				steps += words[j].start - words[j - 1].end;
				if (!GAP.test(text.slice(words[j - 1].end, words[j].start))) break;
				if (STOPWORDS.has(text.slice(words[j].start, words[j].end).toLowerCase())) continue;
			}
			const norm = normalise(text.slice(w.start, end));
			steps += end - w.start;
			// a value may end with its abbreviation's period ("Main St.")
			const dotted = text.charCodeAt(end) === 46;
			// (one short or ordinary word is no place of its own, as above)
			const role: CandidateRole = j === i && (norm.length <= 2 || common(norm)) ? 'key' : 'both';
			for (const t of types) {
				visit(w.start, end, `${t}\u0000${norm}`, role, t);
				if (dotted) visit(w.start, end + 1, `${t}\u0000${norm}.`, role, t);
				steps += dotted ? 2 : 1;
			}
		}
	}
	TOKEN.lastIndex = 0;
	for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
		steps++;
		if (m[0].length > MAX_GRAM_CHARS || !TOKEN_SHAPE.test(m[0])) continue;
		const lead = LEADING.exec(m[0])?.[0].length ?? 0;
		const core = m[0].slice(lead).replace(TRAILING, '');
		if (!core) continue;
		const start = m.index + lead;
		const norm = normalise(core);
		for (const t of TOKEN_TYPES) visit(start, start + core.length, `${t}\u0000${norm}`, 'both', t);
		steps += core.length + TOKEN_TYPES.length;
	}
	return steps;
}
