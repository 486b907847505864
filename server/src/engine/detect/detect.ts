import type { Dictionaries } from '../dictionaries';
import { dropGroupsAndEponyms } from './notNames';
import { type DetectContext, collector } from './context';
import { detectLocations, detectOccupations } from './locations';
import { detectNames } from './names';
import { detectFields } from './fields';
import { detectSubjects } from './subjects';
import { detectAddresses } from './addresses';
import { detectEuropeanAddresses } from './europeanAddresses';
import { detectAges, detectDates, detectIdentifiers, detectNetwork, detectPhones, detectZips } from './patterns';
import { documentCasing, tokenize, type Token } from './tokenize';
import { CLINICAL, STOPWORDS } from './lexicon';
import { calibrate, calibrationFor } from './calibration';
import { type ScorerModel, detectScored } from './scorer';
import namesEn from './model/names-en.json';
import type { DetectOptions, EntityType, Finding, Language } from '../types';
import { ES_WORDS, EN_WORDS } from './words';

// Hoisted: a regular expression literal inside a loop builds a new object each time it is evaluated.
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const TRIM_START = /[\s,.;:]/;
const TRIM_END = /[\s,;:]/;

export const DEFAULT_MIN_CONFIDENCE = 0.5;

/** Which type wins when two findings overlap with equal confidence (earlier wins). */
const PRIORITY: EntityType[] = [
	'Email', 'Url', 'IPAddress', 'SocialSecurity', 'Phone', 'Fax', 'Date', 'Age', 'MedicalRecord', 'HealthPlan', 'Account',
	'License', 'Vehicle', 'Device', 'BioID', 'Username', 'IDNum', 'Street', 'Zip', 'Doctor', 'Patient', 'Hospital',
	'Organization', 'City', 'State', 'CountryOrRegion', 'LocationOther', 'Profession',
];
const RANK = new Map(PRIORITY.map((t, i) => [t, i]));

/** Guess the language of a text from its commonest function words. */
export function guessLanguage(text: string): Language {
	return guessFromTokens(tokenize(text.length > 20000 ? text.slice(0, 20000) : text));
}

function guessFromTokens(tokens: readonly Token[]): Language {
	let es = 0;
	let en = 0;
	for (let i = 0; i < tokens.length && i < 4000; i++) {
		const t = tokens[i];
		if (t.kind !== 'w') continue;
		if (ES_WORDS.has(t.lower)) es++;
		if (EN_WORDS.has(t.lower)) en++;
	}
	return es > en * 1.2 && es >= 3 ? 'es' : 'en';
}

/**
 * Find PHI in a text. Pure: everything it needs comes in through its arguments.
 * Offsets are UTF-16 code units of `text`.
 */
export function detect(text: string, dicts: Dictionaries, options: DetectOptions = {}): Finding[] {
	return detectWith(text, dicts, options);
}

/** detect() with a given scorer model (null: none; undefined: the language's trained one). For training it. */
export function detectWith(text: string, dicts: Dictionaries, options: DetectOptions, scorer?: ScorerModel | null): Finding[] {
	if (!text) return [];
	const { ctx, raw } = detectRules(text, dicts, options);
	const model = options.scorer === false || scorer === null ? undefined : scorer ?? scorerFor(ctx.language);
	// (the scorer reads the rules' findings before it adds its own to the same list)
	if (model) detectScored(ctx, raw, model, collector(raw));
	return finalize(text, dropGroupsAndEponyms(text, yieldToAddresses(text, yieldToFacilities(text, withSaintPrefix(text, raw)))), options, ctx.language);
}

/** "St." / "Saint" / "Mt." right before a place's name, and the word before it on its line if any. */
const SAINT_BEFORE = /(?:(?<![\p{L}\p{N}])([\p{L}\p{N}]+)[ \t]{1,2}|^|[^\p{L}\p{N} \t][ \t]{0,2})((?:st|ste|saint|mt)\.?[ \t]{1,2})$/iu;

/**
 * A town or facility named after a saint or a mountain keeps its prefix: "St. Nelliston", "ST. MEDUSA", "Mt. Ida".
 * After a word that is no function word the "St" ends a street ("Main St. Albany").
 */
function withSaintPrefix(text: string, raw: Finding[]): Finding[] {
	return raw.map((f) => {
		if (!PROPAGATED_PLACES.has(f.type) || f.start === 0) return f;
		const m = SAINT_BEFORE.exec(text.slice(Math.max(0, f.start - 30), f.start));
		if (!m || (m[1] && !STOPWORDS.has(m[1].toLowerCase()))) return f;
		return { ...f, start: f.start - m[2].length };
	});
}

/** The learned name-and-place scorer of a language, when one has been trained (npm run train). */
function scorerFor(language: Language): ScorerModel | undefined {
	return language === 'en' ? (namesEn as ScorerModel) : undefined;
}

/** The rule detectors' raw findings (before the scorer, overlap resolution and thresholds), with their context. */
export function detectRules(text: string, dicts: Dictionaries, options: DetectOptions = {}): { ctx: DetectContext; raw: Finding[] } {
	const tokens = tokenize(text);
	const language = !options.language || options.language === 'auto' ? guessFromTokens(tokens) : options.language;
	// The Spanish profile follows MEDDOCAN's notion of PHI: every age, and countries.
	const profileOptions = language === 'es' && options.ages === undefined ? { ...options, ages: 'all' as const } : options;
	const ctx: DetectContext = { text, tokens, casing: documentCasing(tokens), language, dicts, options: profileOptions };
	const raw: Finding[] = [];
	const emit = collector(raw);
	detectFields(ctx, emit);
	detectNetwork(ctx, emit);
	detectPhones(ctx, emit);
	detectIdentifiers(ctx, emit);
	detectDates(ctx, emit);
	detectAges(ctx, emit);
	detectZips(ctx, emit);
	detectAddresses(ctx, emit);
	if (ctx.language === 'en') detectEuropeanAddresses(ctx, emit);
	detectLocations(ctx, emit);
	detectOccupations(ctx, emit);
	detectNames(ctx, emit);
	detectSubjects(ctx, emit);
	propagatePlaces(ctx, raw, emit);
	propagatePhrases(ctx, raw, emit);
	return { ctx, raw };
}

const ADDRESS_DETECTORS = new Set(['address', 'field-address']);
const ADDRESS_GAP = /^[\s,]*$/;

/**
 * An address found in its parts (street, town, state, postal code) owns its span: what other detectors found
 * across it (a labelled field's whole value, a street run that reaches into the town) keeps only its parts
 * outside the address, so merging does not join the parts again into one value of one type. Inside, the parts
 * cover every character but the commas and blanks between them.
 */
function yieldToAddresses(text: string, raw: Finding[]): Finding[] {
	const parts = raw.filter((f) => ADDRESS_DETECTORS.has(f.detector)).sort((a, b) => a.start - b.start);
	if (!parts.length) return raw;
	// addresses: runs of parts with only separators between them
	const blocks: [number, number][] = [];
	for (const p of parts) {
		const last = blocks[blocks.length - 1];
		if (last && p.start <= last[1] + 8 && (p.start <= last[1] || ADDRESS_GAP.test(text.slice(last[1], p.start)))) last[1] = Math.max(last[1], p.end);
		else blocks.push([p.start, p.end]);
	}
	const out: Finding[] = [];
	for (const f of raw) {
		if (ADDRESS_DETECTORS.has(f.detector)) {
			out.push(f);
			continue;
		}
		// the first block that ends after f starts
		let lo = 0;
		let hi = blocks.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (blocks[mid][1] <= f.start) lo = mid + 1;
			else hi = mid;
		}
		if (lo >= blocks.length || blocks[lo][0] >= f.end) {
			out.push(f);
			continue;
		}
		let at = f.start;
		for (let k = lo; k < blocks.length && blocks[k][0] < f.end; k++) {
			keepPiece(text, f, at, blocks[k][0], out);
			at = Math.max(at, blocks[k][1]);
		}
		keepPiece(text, f, at, f.end, out);
	}
	return out;
}

function keepPiece(text: string, f: Finding, start: number, end: number, out: Finding[]): void {
	while (start < end && TRIM_START.test(text[start])) start++;
	while (end > start && TRIM_END.test(text[end - 1])) end--;
	if (end - start >= 2) out.push({ ...f, start, end });
}

const PROPAGATED_PLACES = new Set<EntityType>(['Hospital', 'LocationOther', 'City']);

/**
 * A facility name found by its head ("Hospital Universitario de Getafe") owns its span: what other detectors
 * found across it (a city inside it, "Dr. Peset" in "Hospital Dr. Peset", a street run that starts at the name)
 * keeps only its parts outside the name.
 */
function yieldToFacilities(text: string, raw: Finding[]): Finding[] {
	const fac = raw.filter((f) => f.detector === 'facility-es');
	if (!fac.length) return raw;
	const out: Finding[] = [];
	for (const f of raw) {
		const g = f.detector === 'facility-es' ? undefined : fac.find((x) => f.start < x.end && x.start < f.end);
		if (!g) {
			out.push(f);
			continue;
		}
		const keep = (start: number, end: number) => {
			while (start < end && TRIM_START.test(text[start])) start++;
			while (end > start && TRIM_END.test(text[end - 1])) end--;
			if (end - start >= 2) out.push({ ...f, start, end });
		};
		if (f.start < g.start) keep(f.start, g.start);
		if (f.end > g.end) keep(g.end, f.end);
	}
	return out;
}

/** One sense per document: a place word found with context is a place wherever else it occurs in the text. */
function propagatePlaces(ctx: DetectContext, raw: Finding[], emit: ReturnType<typeof collector>): void {
	const words = new Map<string, EntityType>();
	for (const f of raw) {
		// (the words of a facility name are generic: "Universitario", "General")
		if (!PROPAGATED_PLACES.has(f.type) || f.confidence < 0.6 || f.detector === 'facility-es') continue;
		for (const m of ctx.text.slice(f.start, f.end).matchAll(/[\p{L}][\p{L}'’]{1,}/gu)) {
			const w = m[0].toLowerCase();
			if ((ctx.dicts.englishWords.get(w) ?? 99) <= 60 || STOPWORDS.has(w) || CLINICAL.has(w)) continue;
			words.set(w, f.type);
		}
	}
	if (!words.size) return;
	for (const t of ctx.tokens) {
		if (t.kind !== 'w') continue;
		const type = words.get(t.lower);
		if (!type) continue;
		if (ctx.casing === 'mixed' && t.text[0] === t.text[0].toLowerCase()) continue;
		emit(t.start, t.end, type, 0.6, 'place-propagated');
	}
}

/**
 * A facility or place name of several words found with context ("Warren Grant Hospital") names the same place
 * wherever the whole phrase recurs in the text ("sent to Warren Grant EW"), even when its words are ordinary.
 */
function propagatePhrases(ctx: DetectContext, raw: Finding[], emit: ReturnType<typeof collector>): void {
	// first word → phrases (as word lists) starting with it
	const byFirst = new Map<string, { words: string[]; type: EntityType }[]>();
	const seen = new Set<string>();
	for (const f of raw) {
		if (!PROPAGATED_PLACES.has(f.type) || f.confidence < 0.6 || f.detector === 'facility-es' || f.end - f.start > 60) continue;
		const phrase = ctx.text.slice(f.start, f.end);
		if (!/\s/.test(phrase)) continue;
		const words = phrase.toLowerCase().split(/\s+/).filter(Boolean);
		const key = words.join(' ');
		if (words.length < 2 || words.length > 5 || seen.has(key)) continue;
		// bounded, so the search stays linear in the text whatever it holds
		if (seen.size >= 512) break;
		seen.add(key);
		// the phrase as the tokenizer sees it (punctuation such as "St." is a token of its own)
		const toks = tokenize(key).map((t) => t.lower);
		const list = byFirst.get(toks[0]) ?? [];
		if (list.length >= 16) continue;
		list.push({ words: toks, type: f.type });
		byFirst.set(toks[0], list);
	}
	if (!byFirst.size) return;
	const { tokens, text } = ctx;
	for (let i = 0; i < tokens.length; i++) {
		const list = byFirst.get(tokens[i].lower);
		if (!list) continue;
		for (const { words, type } of list) {
			let ok = i + words.length <= tokens.length;
			for (let k = 1; ok && k < words.length; k++) {
				const gap = text.slice(tokens[i + k - 1].end, tokens[i + k].start);
				ok = tokens[i + k].lower === words[k] && /^[ \t]{0,3}$/.test(gap);
			}
			if (ok) emit(tokens[i].start, tokens[i + words.length - 1].end, type, 0.6, 'place-propagated');
		}
	}
}

/** Calibration (see calibration.ts), thresholds, allow list, deny list, then overlap resolution. */
export function finalize(text: string, raw: Finding[], options: DetectOptions, language: Language = 'en'): Finding[] {
	const min = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
	const byType = options.minConfidenceByType ?? {};
	const allow = new Set((options.allowList ?? []).map((a) => a.trim().toLowerCase()).filter(Boolean));
	// Thresholds apply to calibrated confidences; overlaps are resolved on the detectors' own scores (the mapping is
	// monotone, but steps can tie scores that the detectors ranked), then the merged findings are calibrated.
	const table = calibrationFor(language);
	const cal = (f: Finding) => (options.calibrate === false || f.detector === 'deny-list' ? f.confidence : calibrate(f.confidence, table));
	const kept = raw.filter((f) => {
		if (cal(f) < (byType[f.type] ?? min)) return false;
		if (allow.size && allow.has(text.slice(f.start, f.end).toLowerCase())) return false;
		return true;
	});
	for (const entry of options.denyList ?? []) kept.push(...findDenied(text, entry.text, entry.type));
	const merged = mergeOverlaps(kept);
	for (const f of merged) f.confidence = cal(f);
	return allow.size ? merged.filter((f) => f.detector === 'deny-list' || !allow.has(text.slice(f.start, f.end).toLowerCase())) : merged;
}

function isWordChar(c: string | undefined): boolean {
	return c !== undefined && LETTER_OR_DIGIT.test(c);
}

/** Whole-word, case-insensitive occurrences of a deny-list entry. */
export function findDenied(text: string, needle: string, type: EntityType): Finding[] {
	const out: Finding[] = [];
	const n = needle.trim().toLowerCase();
	if (!n) return out;
	const hay = text.toLowerCase();
	// toLowerCase keeps UTF-16 length for nearly all text; fall back to exact matching when it does not.
	const sameLength = hay.length === text.length;
	const source = sameLength ? hay : text;
	const target = sameLength ? n : needle.trim();
	let i = source.indexOf(target);
	while (i >= 0) {
		const end = i + target.length;
		if (!isWordChar(text[i - 1]) && !isWordChar(text[end])) out.push({ start: i, end, type, confidence: 1, detector: 'deny-list' });
		i = source.indexOf(target, end);
	}
	return out;
}

/**
 * The longest span merging may build. A chain of overlapping findings ("Jan 1 Jan 1 …", where every "Jan 1" and
 * "1 Jan" overlap) would otherwise become one finding as long as the text, and a value's transform is not meant
 * for that (no real value is this long: addresses, names and facility names are well under 200 characters).
 */
export const MAX_MERGED_SPAN = 256;

/**
 * Overlapping findings become one finding over their union, so no fragment of a value is left behind; the
 * type comes from the most confident member (ties: the more specific type). A union that would pass
 * MAX_MERGED_SPAN is cut where the current finding ends, and the member that overflows goes on from there as the
 * next finding: every character stays covered, by adjacent findings that do not overlap.
 */
export function mergeOverlaps(findings: Finding[]): Finding[] {
	if (findings.length === 0) return [];
	const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
	const out: Finding[] = [];
	let cur = { ...sorted[0] };
	for (let i = 1; i < sorted.length; i++) {
		const f = sorted[i];
		if (f.start < cur.end && f.end > cur.end && f.end - cur.start > MAX_MERGED_SPAN) {
			out.push(cur);
			cur = { ...f, start: cur.end };
			continue;
		}
		if (f.start < cur.end) {
			cur.end = Math.max(cur.end, f.end);
			if (better(f, cur)) {
				cur.type = f.type;
				cur.detector = f.detector;
			}
			cur.confidence = Math.max(cur.confidence, f.confidence);
		} else {
			out.push(cur);
			cur = { ...f };
		}
	}
	out.push(cur);
	return out;
}

function better(a: Finding, b: Finding): boolean {
	if (a.detector === 'deny-list' !== (b.detector === 'deny-list')) return a.detector === 'deny-list';
	if (Math.abs(a.confidence - b.confidence) > 0.05) return a.confidence > b.confidence;
	return (RANK.get(a.type) ?? 99) < (RANK.get(b.type) ?? 99);
}
