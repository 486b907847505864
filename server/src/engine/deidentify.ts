import { detect } from './detect/detect';
import type { Dictionaries } from './dictionaries';
import { scanJson, splitLines, type JsonStringValue } from './formats/ndjson';
import { detectJsonValues, type DocumentFormat, type DocumentProblem } from './scan';
import { applyStrategy, type Policy } from './policy';
import { applyReplacements, DEFAULT_REDACTION_FORMAT, type Operation, type Replacement, type SurrogateContext } from './transform';
import type { DetectOptions, EntityType, Finding } from './types';

/** How far (in characters) a surrogate is compared with the originals around it. */
const CLASH_WINDOW = 4000;

/** Compiled once. */
const HAS_LETTER = /\p{L}/u;

export interface TransformOptions {
	operation: Operation;
	redactionFormat?: string;
	/** Needed for the surrogate operation and surrogate strategies. */
	surrogate?: SurrogateContext;
	/** Per-type strategies (types not listed follow the operation). */
	policy?: Policy;
}

export interface DeidentifyResult {
	output: string;
	/** Findings with offsets into the input. */
	findings: Finding[];
	problems: DocumentProblem[];
	counts: Partial<Record<EntityType, number>>;
}

/**
 * Constructed, not object literals (and the word index's lists are built by Array.of): a piece's replacements
 * and its word index live until the piece is written, and V8 pretenures literal sites whose objects survive
 * scavenges, which left them to full collections (see TokenRecord in tokenize.ts).
 */
class TextReplacement implements Replacement {
	constructor(
		public start: number,
		public end: number,
		public text: string,
	) {}
}

/** Replace a text's findings (non-overlapping, as detect returns them) under an operation or policy. */
export function transformText(text: string, findings: Finding[], t: TransformOptions): string {
	if (t.operation === 'tag') return text;
	const format = t.redactionFormat ?? DEFAULT_REDACTION_FORMAT;
	// A surrogate must not reproduce an original PHI word of the same note (Dr. Allred → "Hodges" beside Mrs. Hodges):
	// the findings within CLASH_WINDOW characters, which is the whole text for any ordinary note. (A long file is
	// not one note; counting all of its names would move most surrogates off their value's usual one.)
	// Built on first need (redaction never needs it).
	// word → sorted start offsets of the findings that hold it
	let near: Map<string, number[]> | undefined;
	const words = (s: string) => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 1);
	const clashes = (s: string, at: number) => {
		if (!near) {
			near = new Map();
			for (const f of [...findings].sort((a, b) => a.start - b.start)) {
				const v = text.slice(f.start, f.end);
				if (!HAS_LETTER.test(v)) continue;
				for (const w of words(v)) {
					const list = near.get(w);
					if (!list) near.set(w, Array.of(f.start));
					else if (list[list.length - 1] !== f.start) list.push(f.start);
				}
			}
		}
		// (an e-mail's or URL's fixed example domain is not compared)
		for (const w of words(s.replace(/@.*$|^https?:\/\/www\.example\.\w+/i, ''))) {
			const list = near.get(w);
			if (!list) continue;
			let lo = 0;
			let hi = list.length;
			while (lo < hi) {
				const mid = (lo + hi) >> 1;
				if (list[mid] < at - CLASH_WINDOW) lo = mid + 1;
				else hi = mid;
			}
			if (lo < list.length && list[lo] <= at + CLASH_WINDOW) return true;
		}
		return false;
	};
	// Claims (run-wide uniqueness): each value's own surrogate (the first attempt) is claimed under the value's unit.
	// A note-local variant (the surrogate was an original near it) is claimed under units of its own
	// (`avoid<salt>` + unit), so the folder job keeps it apart from every other value's surrogate too; only the
	// attempt that is written is claimed. In a name, only the words that clash change.
	const base = t.surrogate;
	const reps: Replacement[] = findings.map((f) => {
		const original = text.slice(f.start, f.end);
		let out = applyStrategy(f, original, t.operation, format, t.policy, base);
		if (base && out !== original && HAS_LETTER.test(out) && !/^[\d\W]*$/.test(original) && clashes(out, f.start)) {
			const person = f.type === 'Patient' || f.type === 'Doctor';
			let pending: [string, string, number][] = [];
			for (let salt = 1; salt <= 6 && clashes(out, f.start); salt++) {
				const tag = `avoid${salt}\u0000`;
				pending = [];
				const claim = base.claim && ((unit: string, key: string, s: number) => void pending.push([unit, key, s]));
				const avoid = { salt, clashes: (w: string) => clashes(w, f.start) };
				// a name changes word by word (inside); any other value is drawn again under a salted hash, its units
				// tagged (salted variants share the bounded memo, keyed by salt, so a value that clashes again costs a lookup)
				const sc: SurrogateContext = person
					? { ...base, claim, avoid }
					: {
							...base,
							avoid,
							memoPrefix: tag,
							hash: (d: string) => base.hash(`${d}\u0000avoid${salt}`),
							saltOf: base.saltOf && ((unit) => base.saltOf!(tag + unit)),
							claim: claim && ((unit, key, s) => claim(tag + unit, key, s)),
						};
				out = applyStrategy(f, original, t.operation, format, t.policy, sc);
			}
			for (const [unit, key, s] of pending) base.claim!(unit, key, s);
		}
		return new TextReplacement(f.start, f.end, out);
	});
	return applyReplacements(text, reps);
}

/**
 * De-identify a whole document. Plain text: findings replaced in place. NDJSON: each string value is
 * de-identified and re-encoded, so every line stays valid JSON; a malformed line is treated as plain text (so
 * nothing in it passes through unexamined) and reported as a problem.
 */
export function deidentifyDocument(
	text: string,
	format: DocumentFormat,
	dicts: Dictionaries,
	detectOptions: DetectOptions,
	t: TransformOptions,
): DeidentifyResult {
	const counts: Partial<Record<EntityType, number>> = {};
	const count = (fs: Finding[]) => fs.forEach((f) => (counts[f.type] = (counts[f.type] ?? 0) + 1));
	if (format === 'text') {
		const findings = detect(text, dicts, detectOptions);
		count(findings);
		return { output: transformText(text, findings, t), findings, problems: [], counts };
	}
	const findings: Finding[] = [];
	const problems: DocumentProblem[] = [];
	const out: string[] = [];
	let at = 0;
	splitLines(text).forEach((line, lineNo) => {
		out.push(text.slice(at, line.start));
		at = line.start + line.text.length;
		if (line.text.trim() === '') {
			out.push(line.text);
			return;
		}
		const res = scanJson(line.text);
		if (!res.ok) {
			problems.push({
				line: lineNo,
				start: line.start,
				end: at,
				message: `Line ${lineNo + 1} is not valid JSON (${res.error.message} at column ${res.error.offset + 1}); it was de-identified as plain text.`,
			});
			const fs = detect(line.text, dicts, detectOptions);
			count(fs);
			findings.push(...fs.map((f) => ({ ...f, start: f.start + line.start, end: f.end + line.start })));
			out.push(transformText(line.text, fs, t));
			return;
		}
		const per = detectJsonValues(res.strings, dicts, detectOptions);
		res.strings.forEach((s, j) => {
			if (!s.value) return;
			count(per[j]);
			for (const f of per[j]) findings.push({ ...f, start: line.start + s.offsets[f.start], end: line.start + s.offsets[f.end] });
		});
		out.push(replaceInValues(line.text, res.strings, per, t));
	});
	out.push(text.slice(at));
	return { output: out.join(''), findings, problems, counts };
}

/**
 * NDJSON de-identified with findings already decided (document offsets, as scanDocument reports them, after a
 * review's decisions): each finding goes into the string value that holds it and that value is re-encoded, so
 * every line stays valid JSON. A finding outside every string value (a key, a number, JSON syntax) cannot be
 * replaced there and is counted in `outside`; a malformed line is treated as plain text.
 */
export function transformNdjson(text: string, findings: readonly Finding[], t: TransformOptions): { output: string; outside: number } {
	const sorted = [...findings].sort((a, b) => a.start - b.start);
	let next = 0;
	let outside = 0;
	const out: string[] = [];
	let at = 0;
	for (const line of splitLines(text)) {
		out.push(text.slice(at, line.start));
		at = line.start + line.text.length;
		const mine: Finding[] = [];
		while (next < sorted.length && sorted[next].start < at) {
			const f = sorted[next++];
			if (f.start >= line.start) mine.push({ ...f, start: f.start - line.start, end: Math.min(f.end, at) - line.start });
			else outside++;
		}
		const res = mine.length ? scanJson(line.text) : undefined;
		if (!res || !mine.length) {
			out.push(line.text);
			continue;
		}
		if (!res.ok) {
			out.push(transformText(line.text, mine, t));
			continue;
		}
		// each finding into the value that holds it, in the value's own offsets
		let k = 0;
		const perValue = res.strings.map((s) => {
			const open = s.offsets[0];
			const close = s.offsets[s.value.length];
			const inValue: Finding[] = [];
			while (k < mine.length && mine[k].start < open) (outside++, k++);
			while (k < mine.length && mine[k].start < close) {
				const f = mine[k++];
				const v = { ...f, start: valueIndex(s.offsets, f.start), end: valueIndex(s.offsets, Math.min(f.end, close)) };
				if (v.end > v.start) inValue.push(v);
			}
			return inValue;
		});
		outside += mine.length - k;
		out.push(replaceInValues(line.text, res.strings, perValue, t));
	}
	out.push(text.slice(at));
	return { output: out.join(''), outside };
}

/**
 * A valid JSON line with each string value's findings (offsets in the decoded value) replaced and the value
 * re-encoded, so the line stays valid JSON. The tag operation leaves the line as it is.
 */
function replaceInValues(line: string, strings: readonly JsonStringValue[], perValue: readonly Finding[][], t: TransformOptions): string {
	if (t.operation === 'tag') return line;
	const reps: Replacement[] = [];
	strings.forEach((s, j) => {
		if (!s.value || !perValue[j].length) return;
		// The string literal spans from the opening quote (offsets[0]-1 or, for "", the closing quote) to the closing quote.
		reps.push({
			start: findOpeningQuote(line, s.offsets[0]),
			end: s.offsets[s.value.length] + 1,
			text: JSON.stringify(transformText(s.value, perValue[j], t)),
		});
	});
	return applyReplacements(line, reps);
}

/** The first code unit of a decoded value whose source offset is at or after `raw` (binary search). */
function valueIndex(offsets: Int32Array, raw: number): number {
	let lo = 0;
	let hi = offsets.length - 1;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (offsets[mid] < raw) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

function findOpeningQuote(line: string, firstCharOffset: number): number {
	// offsets[0] is the first character of the value (or its escape); the quote is the character before it.
	return line[firstCharOffset - 1] === '"' ? firstCharOffset - 1 : line.lastIndexOf('"', firstCharOffset - 1);
}
