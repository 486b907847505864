import {
	CLINICAL, CREDENTIALS, DOCTOR_ROLES, EXECUTIVE_TITLES, DOCTOR_TITLES, HOSPITAL_WORDS, MONTHS, PERSON_CONTEXT_BEFORE, PERSON_TITLES,
	PERSON_TITLES_ES, RELATIONS, STOPWORDS, STREET_SUFFIXES, UNITS, WEEKDAYS,
} from './lexicon';
import type { Token } from './tokenize';
import { isCapitalised } from './tokenize';
import type { EntityType } from '../types';
import { type DetectContext, type Emit, eponymOrColourAt, sameLine as tokensOnOneLine } from './context';
import {
	SENTENCE_OPENERS, NOT_NAME_AFTER_TITLE, AUX, AFTER_CLINICIAN, CONTACT_VERBS, ROLE_PREFIX, PHONE_LABELS,
	PERSON_LABELS, AMBIGUOUS_CREDENTIALS, PARENTHETICALS, PREDICATE_WORDS, PRE_VERB_ADVERBS, RELATIVE_VERBS,
} from './words';

/** Compiled once (the bundler turns inline Unicode-property literals into per-call constructors). */
const HAS_UPPER = /\p{Lu}/u;
// Hoisted too: a regular expression literal inside a loop builds a new object each time it is evaluated.
const SENTENCE_BREAK = /[.!?:\n]/;
const GAP_AFTER_INITIAL = /^\.?[ \t]{0,2}$/;
const GAP_SPACE = /^[ \t]{1,2}$/;
const GAP_SPACE_OR_HYPHEN = /^[ \t]{1,2}$|^-$/;
const GAP_DOT = /^\.[ \t]*$/;
const GAP_COMMA = /^,[ \t]*$/;
const GLUED_BEFORE_INITIAL = /[\p{L}\p{N}./]/u;

/** What the dictionaries and lexicons say about one word token. */
export interface WordInfo {
	/** The token's text without a possessive 's. */
	core: string;
	lower: string;
	first: boolean;
	firstRank: number;
	last: boolean;
	lastRank: number;
	other: boolean;
	/** English frequency tier (10 common … 70 rare), 99 when not an English word. */
	tier: number;
	/** Clinical term, stop word, unit, month, weekday, state or country: never a name by itself. */
	blocked: boolean;
	/** Blocked only because it is a clinical term (a title or credential beside it can still make it a name). */
	clinicalOnly: boolean;
	/** Blocked only as a month, weekday, unit, state or country that is also a person's name (May, Georgia, Weeks):
	 * a title, a relation or a name beside it still makes it a name. */
	soft: boolean;
	cap: boolean;
	/** Which cue lists the word is in (CUE_* bits): the main loop tests these instead of a dozen set look-ups per word. */
	cue: number;
	/** The learned scorer's number for the word's class, kept here when it first reads it (one look-up per token, not
	 * two); valid while the scorer's class store is the one of scorerGeneration. */
	scorerClass: number;
	scorerGeneration: number;
	/** A car make (without the possessive). */
	vehicleMake: boolean;
	/** The token (as written, lower case) can start a listed place name. */
	placeFirst: boolean;
}

const CUE_DOCTOR_TITLE = 1;
const CUE_TITLE = 2;
const CUE_CREDENTIAL = 4;
const CUE_RELATION = 8;
const CUE_ROLE = 16;
const CUE_CONTEXT = 32;
const CUE_AFTER_CLINICIAN = 64;
const CUE_CONTACT = 128;
const CUE_PHONE = 256;
const CUE_FAMILY = 512;
const PERSON_TITLES_ANY_ES = new Set([...PERSON_TITLES, ...PERSON_TITLES_ES]);

/** Constructed, not an object literal, so V8 does not pretenure it (see TokenRecord in tokenize.ts). */
class Candidate {
	constructor(
		public type: EntityType,
		public confidence: number,
		public detector: string,
	) {}
}
const PHONE_AFTER_LABEL = /^[ \t]{0,2}(?:#|no\.?|number)?[ \t]{0,2}[:#]?[ \t]{0,2}\(?\d{3}\)?[ \t.-]{0,2}\d{3}/i;
/** Titles of several people: the names they stand before are joined by "and". */
const PLURAL_TITLES = new Set(['drs', 'doctors', 'messrs']);
/** Abbreviations that are also titles: MS (mental status), MR (mitral regurgitation). */
const AMBIGUOUS_TITLES = new Set(['ms', 'mr']);

const CACHES = new WeakMap<object, Map<string, Map<string, WordInfo>>>();
function wordCache(ctx: DetectContext): Map<string, WordInfo> {
	let byLang = CACHES.get(ctx.dicts);
	if (!byLang) CACHES.set(ctx.dicts, (byLang = new Map()));
	let m = byLang.get(ctx.language);
	if (!m || m.size > 200000) byLang.set(ctx.language, (m = new Map()));
	return m;
}

export function wordInfo(t: Token, ctx: DetectContext): WordInfo {
	let core = t.text;
	let lower = t.lower;
	const poss = /['’]s$/i.exec(core);
	if (poss) {
		core = core.slice(0, -2);
		lower = lower.slice(0, -2);
	}
	const d = ctx.dicts;
	const givenEntry = d.firstNames.get(lower);
	const surnameEntry = d.lastNames.get(lower);
	// In Spanish text an ordinary Spanish word is "common" unless it is also a Spanish given name or surname.
	const tier = ctx.language === 'es'
		? d.spanishWords.has(lower) && !d.spanishNames.has(lower) ? 30 : d.englishWords.get(lower) ?? 99
		: d.englishWords.get(lower) ?? 99;
	const clinical = CLINICAL.has(lower);
	const place = d.places.get(lower);
	const softBlock =
		UNITS.has(lower) ||
		MONTHS.has(lower) ||
		WEEKDAYS.has(lower) ||
		place === 'State' ||
		place === 'CountryOrRegion' ||
		(STREET_SUFFIXES.has(lower) && lower.length > 3);
	// ordinal indicators mark abbreviations ("NºCol", "Nª"), never names
	const hardBlock =
		lower.length < 2 ||
		STOPWORDS.has(lower) ||
		CREDENTIALS.has(lower) ||
		EXECUTIVE_TITLES.has(lower) ||
		HOSPITAL_WORDS.has(lower) ||
		/[ºª]/.test(lower);
	const otherBlock = softBlock || hardBlock;
	const cue =
		(DOCTOR_TITLES.has(lower) ? CUE_DOCTOR_TITLE : 0) |
		((ctx.language === 'es' ? PERSON_TITLES_ANY_ES : PERSON_TITLES).has(lower) ? CUE_TITLE : 0) |
		(CREDENTIALS.has(lower) ? CUE_CREDENTIAL : 0) |
		(RELATIONS.has(lower) ? CUE_RELATION : 0) |
		(ROLE_PREFIX.has(lower) ? CUE_ROLE : 0) |
		(PERSON_CONTEXT_BEFORE.has(lower) ? CUE_CONTEXT : 0) |
		(AFTER_CLINICIAN.has(lower) ? CUE_AFTER_CLINICIAN : 0) |
		(CONTACT_VERBS.has(lower) ? CUE_CONTACT : 0) |
		(PHONE_LABELS.has(lower) ? CUE_PHONE : 0) |
		(lower === 'family' ? CUE_FAMILY : 0);
	const isName = givenEntry !== undefined || surnameEntry !== undefined || d.otherNames.has(lower) || (ctx.language === 'es' && d.spanishNames.has(lower));
	return {
		scorerClass: -1,
		scorerGeneration: 0,
		soft: softBlock && !hardBlock && !clinical && isName && lower.length >= 3,
		core,
		lower,
		first: givenEntry !== undefined || (ctx.language === 'es' && d.spanishNames.has(lower)),
		firstRank: givenEntry?.rank ?? 1e6,
		last: surnameEntry !== undefined,
		lastRank: surnameEntry?.rank ?? 1e6,
		other: d.otherNames.has(lower),
		tier,
		blocked: clinical || otherBlock,
		clinicalOnly: clinical && !otherBlock,
		cap: isCapitalised(core),
		cue,
		vehicleMake: d.vehicleMakes.has(lower),
		placeFirst: d.placeFirstWords.has(t.lower),
	};
}

/**
 * Person names. Evidence, strongest first: a title before (Dr., Mrs.), a credential after (", RN"), a role or
 * relation before ("NP", "daughter"), "aware"/"notified" after, a known first name followed by a surname, a
 * dictionary name that is not an ordinary word and is capitalised where the document uses case; then chaining
 * to neighbouring name-like words and initials, coordination ("Suzette and Hank"), and, once a word is a name
 * in a document, its other occurrences there.
 */
export function detectNames(ctx: DetectContext, emit: Emit): void {
	const s = new NameScan(ctx);
	for (let i = 0; i < s.n; i++) {
		const w = s.info[i];
		if (!w) continue;
		if (titleRule(s, i, w)) continue;
		credentialRule(s, i, w);
		relationRule(s, i, w);
		roleRule(s, i, w);
		toldClinicianRule(s, i, w);
		contactOpenerRule(s, i, w);
		relationAfterRule(s, i, w);
		initialRule(s, i);
		lowerInitialRule(s, i, w);
		pairedInitialsRule(s, i, w);
		phoneOwnerRule(s, i, w);
		dictionaryRule(s, i, w);
	}
	// Chains: neighbours of names (surnames, initials), coordination ("Suzette and Hank"), repeated passes.
	for (let pass = 0; pass < 3; pass++) {
		for (let i = 0; i < s.n; i++) {
			const c = s.cand[i];
			if (!c || c.confidence < 0.5) continue;
			chainNeighbours(s, i, c);
			coordinationRule(s, i, c);
			backwardCoordinationRule(s, i, c);
		}
	}
	propagateKnown(s);
	emitRuns(s, emit);
}

const BLANKS = /^[ \t]{1,2}$/;

/** One text's word facts and name candidates, with the tests every rule below shares. */
class NameScan {
	readonly tokens: readonly Token[];
	readonly text: string;
	readonly n: number;
	readonly casing: DetectContext['casing'];
	readonly mixed: boolean;
	/** In a lower-case note a capitalised word (not ALL CAPS) stands out as much as it does in normal text. */
	readonly lowerDoc: boolean;
	readonly titles: ReadonlySet<string>;
	readonly info: (WordInfo | undefined)[];
	readonly cand: (Candidate | undefined)[];

	constructor(readonly ctx: DetectContext) {
		this.tokens = ctx.tokens;
		this.text = ctx.text;
		this.n = ctx.tokens.length;
		this.casing = ctx.casing;
		this.mixed = ctx.casing === 'mixed';
		this.lowerDoc = ctx.casing === 'lower';
		this.titles = ctx.language === 'es' ? PERSON_TITLES_ANY_ES : PERSON_TITLES;
		this.info = readWords(ctx);
		this.cand = new Array(this.n);
	}

	mark(i: number, type: EntityType, confidence: number, detector: string): void {
		const c = this.cand[i];
		if (!c || c.confidence < confidence)
			this.cand[i] = new Candidate(c && c.type === 'Doctor' && type === 'Patient' ? 'Doctor' : type, confidence, detector);
		else if (type === 'Doctor' && c.type === 'Patient' && confidence >= c.confidence - 0.1) c.type = 'Doctor';
	}
	gapText(a: number, b: number): string {
		return this.text.slice(this.tokens[a].end, this.tokens[b].start);
	}
	/** Only one or two blanks between tokens a and b. */
	blanks(a: number, b: number): boolean {
		return BLANKS.test(this.gapText(a, b));
	}
	/** The word right after token j, one or two blanks away, or -1. */
	wordAfter(j: number): number {
		const k = this.nextW(j);
		return k >= 0 && this.blanks(j, k) ? k : -1;
	}
	sameLine(a: number, b: number): boolean {
		return tokensOnOneLine(this.text, this.tokens, a, b);
	}
	/** Next word token, skipping the given punctuation, on the same line. */
	nextW(i: number, allowPunct = ''): number {
		const { tokens, n } = this;
		let j = i + 1;
		while (j < n && tokens[j].kind === 'p' && allowPunct.includes(tokens[j].text)) j++;
		return j < n && tokens[j].kind === 'w' && this.sameLine(i, j) ? j : -1;
	}
	prevW(i: number, allowPunct = ''): number {
		const { tokens } = this;
		let j = i - 1;
		while (j >= 0 && tokens[j].kind === 'p' && allowPunct.includes(tokens[j].text)) j--;
		return j >= 0 && tokens[j].kind === 'w' && this.sameLine(j, i) ? j : -1;
	}
	nameDict(w: WordInfo): boolean {
		return w.first || w.last || w.other;
	}
	/** No candidate yet, or only one below the reporting threshold (stronger evidence may still raise it). */
	open(j: number): boolean {
		return !this.cand[j] || this.cand[j]!.confidence < 0.5;
	}
	capCue(w: WordInfo): boolean {
		return (this.mixed || this.lowerDoc) && w.cap && w.core !== w.core.toUpperCase();
	}
	common(w: WordInfo): boolean {
		return w.tier <= 50;
	}
	capOk(w: WordInfo): boolean {
		return !this.mixed || w.cap;
	}
	isInitial(j: number): boolean {
		const { tokens } = this;
		const w = this.info[j];
		// "C/ Alcalá" and "S/N" are abbreviations, not initials
		if (tokens[j + 1]?.text === '/' && tokens[j + 1].start === tokens[j].end) return false;
		return (!!w && w.core.length === 1 && HAS_UPPER.test(w.core)) || (!!w && w.core.length === 1 && !this.mixed && tokens[j + 1]?.text === '.');
	}
	/** A word that can be a surname next to strong evidence. */
	surnameLike(w: WordInfo): boolean {
		return !w.blocked && !STOPWORDS.has(w.lower) && this.capOk(w) && (w.tier > 50 || this.nameDict(w)) && w.core.length >= 2;
	}
	/** A word that can stand beside a name in a coordination ("X and Dr. Y"): name-like, and no title, role, relation or verb. */
	coordinable(w: WordInfo): boolean {
		return (
			this.surnameLike(w) &&
			!DOCTOR_TITLES.has(w.lower) &&
			!this.titles.has(w.lower) &&
			!AUX.has(w.lower) &&
			!DOCTOR_ROLES.has(w.lower) &&
			!RELATIONS.has(w.lower)
		);
	}
}

/** Each text's word facts by token (readWords), for the scorer that runs after the name rules on the same tokens. */
const TEXT_WORDS = new WeakMap<readonly Token[], (WordInfo | undefined)[]>();

/** The word facts readWords found for this text's tokens, if the name rules have run on it. */
export function wordsOfText(ctx: DetectContext): readonly (WordInfo | undefined)[] | undefined {
	return TEXT_WORDS.get(ctx.tokens);
}

/** Each text's dictionary facts by token (wordsOf). */
const BASE_WORDS = new WeakMap<readonly Token[], (WordInfo | undefined)[]>();

/**
 * What the dictionaries say about each word token of the text (undefined for punctuation and numbers), read once
 * per text for every detector: a dictionary look-up per token costs a hash and several cache misses.
 */
export function wordsOf(ctx: DetectContext): readonly (WordInfo | undefined)[] {
	let info = BASE_WORDS.get(ctx.tokens);
	if (info) return info;
	const { tokens } = ctx;
	const n = tokens.length;
	info = new Array(n);
	// Words repeat: look each distinct spelling up once (per dictionary set and language).
	const seen = wordCache(ctx);
	for (let i = 0; i < n; i++) {
		const t = tokens[i];
		if (t.kind !== 'w') continue;
		let w = seen.get(t.text);
		if (!w) {
			w = wordInfo(t, ctx);
			seen.set(t.text, w);
		}
		info[i] = w;
	}
	BASE_WORDS.set(tokens, info);
	return info;
}

/**
 * The words' dictionary facts (wordsOf), with the words of hyphenated clinical compounds and of vehicle makes and
 * models blocked.
 */
function readWords(ctx: DetectContext): (WordInfo | undefined)[] {
	const { tokens, text } = ctx;
	const n = tokens.length;
	const info = wordsOf(ctx).slice();
	// Hyphenated clinical compounds ("Jackson-Pratt drain", "Cheyne-Stokes breathing") are vocabulary, not names.
	for (let i = 0; i + 2 < n; i++) {
		if (
			info[i] &&
			info[i + 2] &&
			tokens[i + 1].text === '-' &&
			tokens[i + 1].start === tokens[i].end &&
			tokens[i + 2].start === tokens[i + 1].end &&
			CLINICAL.has(`${info[i]!.lower}-${info[i + 2]!.lower}`)
		) {
			info[i] = { ...info[i]!, blocked: true, clinicalOnly: false };
			info[i + 2] = { ...info[i + 2]!, blocked: true, clinicalOnly: false };
		}
	}
	// An instrument's eponym or a colour ("GAIL RISK SCORE", "Rose colored rash") is no name there.
	for (let i = 0; i < n; i++) {
		const k = info[i] ? eponymOrColourAt(text, tokens, i) : 0;
		for (let j = i; j < i + k; j++) if (info[j]) info[j] = { ...info[j]!, blocked: true, clinicalOnly: false, soft: false };
	}
	// A car's make after its model year or before its model ("2012 Honda Civic", "Ford Focus") names a vehicle,
	// not a person: the make and the model are no names there.
	for (let i = 0; i < n; i++) {
		const w = info[i];
		if (!w || !w.vehicleMake) continue;
		const p = i > 0 ? tokens[i - 1] : undefined;
		const year = !!p && /^(?:19|20)\d\d$/.test(p.text) && /^[ \t]{1,2}$/.test(text.slice(p.end, tokens[i].start));
		const k = i + 1 < n && tokens[i + 1].kind === 'w' && /^[ \t-]{1,2}$/.test(text.slice(tokens[i].end, tokens[i + 1].start)) ? i + 1 : -1;
		const model = k >= 0 && !!info[k] && ctx.dicts.vehicleModels.has(info[k]!.lower);
		if (!year && !model) continue;
		info[i] = { ...w, blocked: true, clinicalOnly: false, soft: false };
		if (model) info[k] = { ...info[k]!, blocked: true, clinicalOnly: false, soft: false };
	}
	TEXT_WORDS.set(ctx.tokens, info);
	return info;
}

/** 1. Titles: "Dr. Small", "MRS BROWN", "mr nicholson", "Dr. L. Ruuska". True when the word is settled. */
function titleRule(s: NameScan, i: number, w: WordInfo): boolean {
	const { tokens, mixed, info } = s;
	if (w.cue & (CUE_DOCTOR_TITLE | CUE_TITLE)) {
		const isDoc = (w.cue & CUE_DOCTOR_TITLE) !== 0;
		const type: EntityType = isDoc ? 'Doctor' : 'Patient';
		const j = s.nextW(i, '.');
		if (j >= 0 && s.isInitial(j)) {
			const k = s.nextW(j, '.');
			if (k >= 0 && info[k] && s.surnameLike(info[k]!) && !s.common(info[k]!) && !AUX.has(info[k]!.lower)) {
				s.mark(j, type, 0.9, 'name-title');
				s.mark(k, type, 0.9, 'name-title');
				return true;
			}
			s.mark(j, type, 0.85, 'name-title');
			return true;
		}
		// "Dr. o rourke": an Irish O' written apart
		if (j >= 0 && info[j]!.lower === 'o') {
			const k = s.nextW(j);
			if (k >= 0 && /^[ \t]$/.test(s.gapText(j, k)) && info[k]!.last && !s.common(info[k]!)) {
				s.mark(j, type, 0.9, 'name-title');
				s.mark(k, type, 0.9, 'name-title');
				return true;
			}
		}
		const wj = j >= 0 ? info[j] : undefined;
		// A capitalised dictionary name after a title is a name even when it is also a word (Dr. May, Mrs. Day).
		const capName = !!wj && (mixed ? wj.cap : wj.soft) && s.nameDict(wj) && !CREDENTIALS.has(wj.lower) && !HOSPITAL_WORDS.has(wj.lower);
		// letters joined to digits by a hyphen ("MS KXT-4471", "MR ABC-123") are a code: a plate or an identifier
		const code =
			j >= 0 &&
			tokens[j + 1]?.text === '-' &&
			tokens[j + 1].start === tokens[j].end &&
			tokens[j + 2]?.kind === 'n' &&
			tokens[j + 2].start === tokens[j + 1].end;
		if (
			wj &&
			!code &&
			(capName || (!STOPWORDS.has(wj.lower) && !NOT_NAME_AFTER_TITLE.has(wj.lower) && !UNITS.has(wj.lower) && !CREDENTIALS.has(wj.lower)))
		) {
			// Doctors' titles are unambiguous; Mr/Ms/Mrs are also abbreviations (MS = mental status, MR = mitral
			// regurgitation), so the word after them must look like a name.
			// Written as a title ("Mr." / "Ms.", in a note that uses case, before a capitalised listed name) they
			// are no abbreviation: "Ms. Young", "Mr. Price".
			const writtenAsTitle =
				(mixed && w.core === w.core[0].toUpperCase() + w.core.slice(1).toLowerCase() && tokens[i + 1]?.text === '.' && wj.cap && s.nameDict(wj)) ||
				// without case to go by: "MR. YOUNG IS RESTING", a listed name with its title's period, as a sentence's subject
				(!mixed && tokens[i + 1]?.text === '.' && tokens[i + 1].start === tokens[i].end && s.nameDict(wj) && subjectOfPredicate(s, j));
			const ambiguousTitle = AMBIGUOUS_TITLES.has(w.lower) && !writtenAsTitle;
			const looksName = (mixed && wj.cap) || s.nameDict(wj) || wj.tier > 50;
			const softOk = (wj.soft || capName) && (!mixed || wj.cap);
			const ok = isDoc
				? !(wj.tier <= 20 && !s.nameDict(wj) && !wj.cap)
				: looksName &&
					(!wj.blocked || softOk || (wj.clinicalOnly && mixed && wj.cap && !ambiguousTitle)) &&
					(!ambiguousTitle || (!s.common(wj) && (!wj.blocked || softOk) && (!mixed || wj.cap)));
			if (ok && !(mixed && !wj.cap && s.common(wj) && !s.nameDict(wj))) s.mark(j, type, 0.95, 'name-title');
		}
	}
	return false;
}

/** 2. Credentials after: "Jane Roe, RN", "Smith MD", "Bernard Foley CRT". */
function credentialRule(s: NameScan, i: number, w: WordInfo): void {
	const { tokens, text, mixed, info } = s;
	if (w.cue & CUE_CREDENTIAL && (w.core === w.core.toUpperCase() || /^[A-Z]/.test(w.core)) && w.lower.length >= 2) {
		const j = s.prevW(i, ',');
		const wj = j >= 0 ? info[j] : undefined;
		const ambiguous = AMBIGUOUS_CREDENTIALS.has(w.lower);
		const zipAfter = /^,?[ \t]{1,3}\d{5}/.test(text.slice(tokens[i].end, tokens[i].end + 9));
		const jj = j >= 0 ? s.prevW(j, '.-') : -1;
		const firstBefore = jj >= 0 && !!info[jj] && (info[jj]!.first || s.isInitial(jj));
		const ambiguousOk =
			!ambiguous || (!!wj && w.lower !== 'pt' && w.lower !== 'ot' && ((s.nameDict(wj) && !s.common(wj)) || (wj.tier > 50 && firstBefore)));
		const wordOk =
			!!wj &&
			(!s.common(wj)
				? s.nameDict(wj) || wj.tier > 50 || (mixed && wj.cap)
				: s.nameDict(wj) && !ambiguous && (firstBefore || (mixed && wj.cap) || (!mixed && wj.tier > 35)));
		if (
			wj &&
			!zipAfter &&
			ambiguousOk &&
			wordOk &&
			!DOCTOR_ROLES.has(wj.lower) &&
			!STOPWORDS.has(wj.lower) &&
			!AUX.has(wj.lower) &&
			(!wj.blocked || (wj.clinicalOnly && mixed && wj.cap)) &&
			s.capOk(wj)
		) {
			s.mark(j, 'Doctor', 0.9, 'name-credential');
		}
	}
}

/** 3. Relations: "daughter Emily", "pt's wife: Rose", "son bill", "Family: Son, Ed,". */
function relationRule(s: NameScan, i: number, w: WordInfo): void {
	const { tokens, text, mixed, info } = s;
	if (w.cue & CUE_RELATION) {
		const j = s.nextW(i, ':,-(');
		const wj = j >= 0 ? info[j] : undefined;
		// A capitalised name-dictionary word right after the relation is its name even when it is also a word or
		// an abbreviation ("son Rob", "Son, Ed,").
		const capName =
			!!wj &&
			s.capCue(wj) &&
			s.nameDict(wj) &&
			(!wj.blocked || wj.clinicalOnly || wj.soft) &&
			!RELATIONS.has(wj.lower) &&
			!DOCTOR_ROLES.has(wj.lower);
		const adverb = !!wj && (PARENTHETICALS.has(wj.lower) || PRE_VERB_ADVERBS.has(wj.lower)) && !(mixed && wj.cap);
		if (wj && (!wj.blocked || (wj.soft && wj.cap) || capName) && !AUX.has(wj.lower) && !adverb && s.capOk(wj) && wj.core.length >= 2) {
			const punctAfter = /^[ \t]*(?:[,.;:)(\n&-]|and\b|$)/i.test(text.slice(tokens[j].end, tokens[j].end + 6));
			const dictOk = wj.first || capName || (!s.common(wj) && (wj.other || wj.last));
			const unknownOk = !s.nameDict(wj) && wj.tier > 50 && wj.core.length >= 3 && ((mixed && wj.cap) || (!mixed && punctAfter));
			if (dictOk || unknownOk) s.mark(j, 'Patient', 0.85, 'name-relation');
		}
		// "HIS WIFE, CHASE, AT THE BEDSIDE": a listed name set off by commas right after the relation is the relative's
		// name in any case style, even when it is also an everyday word; a parenthetical word is not ("wife, however,")
		if (
			wj &&
			s.nameDict(wj) &&
			(!wj.blocked || wj.soft) &&
			(!mixed || wj.cap) &&
			!PARENTHETICALS.has(wj.lower) &&
			!AUX.has(wj.lower) &&
			!RELATIONS.has(wj.lower) &&
			!DOCTOR_ROLES.has(wj.lower) &&
			APPOSITIVE_BEFORE.test(text.slice(tokens[i].end, tokens[j].start)) &&
			APPOSITIVE_AFTER.test(text.slice(tokens[j].end, tokens[j].end + 4))
		) {
			s.mark(j, 'Patient', 0.85, 'name-relation');
		}
		// "SON SIN WENT BACK HOME", "oldest son held was in": in a note without case, a listed name right after the
		// relation is the relative's name even when it is also a word, when what follows is said of a person
		if (
			wj &&
			!mixed &&
			s.nameDict(wj) &&
			(!wj.blocked || wj.soft) &&
			s.blanks(i, j) &&
			!ordinaryWord(wj.lower) &&
			!PRE_VERB_ADVERBS.has(wj.lower) &&
			(subjectOfPredicate(s, j) || followedBy(s, j, RELATIVE_VERBS))
		) {
			s.mark(j, 'Patient', 0.8, 'name-relation');
		}
	}
}

/** Whether the word after token j, one or two blanks away, is in `set`. */
function followedBy(s: NameScan, j: number, set: ReadonlySet<string>): boolean {
	const k = s.wordAfter(j);
	return k >= 0 && set.has(s.info[k]!.lower);
}

/** Whether the word at token j is followed by what is said of a subject ("is resting", "called", "made aware"). */
function subjectOfPredicate(s: NameScan, j: number): boolean {
	const k = s.wordAfter(j);
	if (k < 0) return false;
	const lower = s.info[k]!.lower;
	return PREDICATE_WORDS.has(lower) || CONTACT_VERBS.has(lower) || AFTER_CLINICIAN.has(lower) || lower === 'made';
}

/** A stop word, clinical term, auxiliary, parenthetical, relation or role: no name where a rule expects one. */
function ordinaryWord(lower: string): boolean {
	return STOPWORDS.has(lower) || CLINICAL.has(lower) || AUX.has(lower) || PARENTHETICALS.has(lower) || RELATIONS.has(lower) || DOCTOR_ROLES.has(lower);
}

const APPOSITIVE_BEFORE = /^[ \t]*,[ \t]*$/;
const APPOSITIVE_AFTER = /^[ \t]*,/;

/** 4. Roles and contact verbs before: "NP Carol", "per Patty", "discussed with Dr…". */
function roleRule(s: NameScan, i: number, w: WordInfo): void {
	const { mixed, info } = s;
	if (w.cue & (CUE_ROLE | CUE_CONTEXT)) {
		let j = s.nextW(i, ':,');
		if (j >= 0 && ['with', 'by', 'to', 'from'].includes(info[j]!.lower)) j = s.nextW(j);
		const wj = j >= 0 ? info[j] : undefined;
		const role = (w.cue & CUE_ROLE) !== 0 && (w.core === w.core.toUpperCase() || !mixed);
		if (wj && !wj.blocked && !AUX.has(wj.lower) && s.capOk(wj) && (wj.first || ((wj.other || wj.last) && !s.common(wj))) && (role || !s.common(wj))) {
			s.mark(j, 'Doctor', role ? 0.85 : 0.75, 'name-context');
			// "pharmacist Ann Beers": a listed surname right after the given name continues it
			const k = role && wj.first ? s.wordAfter(j) : -1;
			const wk = k >= 0 ? info[k] : undefined;
			if (wk && wk.last && s.surnameLike(wk) && !CLINICAL.has(wk.lower) && !AUX.has(wk.lower)) {
				s.mark(k, 'Doctor', 0.85, 'name-context');
			}
		} else if (
			// "NP WHITE MADE AWARE", "seen by np hunt.": a role's abbreviation before a common census surname that is
			// also a word, as the subject of what follows or ending the sentence
			wj &&
			role &&
			!wj.blocked &&
			!AUX.has(wj.lower) &&
			!CLINICAL.has(wj.lower) &&
			!PARENTHETICALS.has(wj.lower) &&
			!PRE_VERB_ADVERBS.has(wj.lower) &&
			((wj.last && wj.lastRank <= 5000 && (subjectOfPredicate(s, j) || sentenceEndsAfter(s, j))) ||
				// "NP WEARY AWARE": before the clinician being told, any listed name
				((wj.last || wj.first) && !STOPWORDS.has(wj.lower) && beingTold(s, j)))
		) {
			s.mark(j, 'Doctor', 0.8, 'name-context');
		}
	}
}

/** Whether "aware", "notified", "paged" or "made aware" follows the word at token j, one or two blanks away. */
function beingTold(s: NameScan, j: number): boolean {
	const k = s.wordAfter(j);
	if (k < 0) return false;
	return AFTER_CLINICIAN.has(s.info[k]!.lower) || (s.info[k]!.lower === 'made' && followedBy(s, k, AFTER_CLINICIAN));
}

/** Whether the word at token j ends its sentence ("seen by np hunt."). */
function sentenceEndsAfter(s: NameScan, j: number): boolean {
	const t = s.tokens[j + 1];
	return !!t && t.text === '.' && t.start === s.tokens[j].end && /^(?:\s|$)/.test(s.text.slice(t.end, t.end + 1));
}

/** 5. "X aware", "X notified": a clinician being told. */
function toldClinicianRule(s: NameScan, i: number, w: WordInfo): void {
	const { info } = s;
	if (w.cue & CUE_AFTER_CLINICIAN) {
		const j = s.prevW(i);
		const wj = j >= 0 ? info[j] : undefined;
		if (
			wj &&
			s.open(j) &&
			!wj.blocked &&
			s.capOk(wj) &&
			!STOPWORDS.has(wj.lower) &&
			(s.nameDict(wj) || wj.tier > 50) &&
			!s.common(wj) &&
			wj.core.length >= 3 &&
			!RELATIONS.has(wj.lower) &&
			!DOCTOR_ROLES.has(wj.lower)
		) {
			s.mark(j, 'Doctor', 0.75, 'name-context');
		}
		// "W. BOOK AWARE", "john white notified": an initial or a listed given name, then a listed surname, even
		// one that is also a word, right before the clinician being told
		const m = wj?.lower === 'made' && s.blanks(j, i) ? s.prevW(j) : j;
		const wm = m >= 0 ? info[m] : undefined;
		const h = wm ? givenBefore(s, m) : -1;
		if (
			h >= 0 &&
			wm!.last &&
			!wm!.blocked &&
			s.capOk(wm!) &&
			wm!.core.length >= 3 &&
			!ordinaryWord(wm!.lower) &&
			s.blanks(m, j === m ? i : j)
		) {
			s.mark(h, 'Doctor', 0.8, 'name-context');
			s.mark(m, 'Doctor', 0.8, 'name-context');
		}
	}
}

/**
 * The given name or initial right before token j on its line ("W. Book", "John White"), or -1: an initial with
 * its period, or a listed given name that is no common word (unless it is among the most given), title, role or
 * relation.
 */
function givenBefore(s: NameScan, j: number): number {
	const { tokens, info } = s;
	let h = j - 1;
	if (h >= 1 && tokens[h].text === '.' && tokens[h].start === tokens[h - 1].end && s.blanks(h, j)) {
		return s.isInitial(h - 1) && s.sameLine(h - 1, j) ? h - 1 : -1;
	}
	h = s.prevW(j);
	const wh = h >= 0 ? info[h] : undefined;
	if (!wh || !s.blanks(h, j)) return -1;
	const given =
		wh.first &&
		wh.firstRank <= 1000 &&
		(wh.tier > 50 || wh.firstRank <= 300) &&
		!wh.blocked &&
		!AUX.has(wh.lower) &&
		s.capOk(wh) &&
		!STOPWORDS.has(wh.lower) &&
		!RELATIONS.has(wh.lower) &&
		!DOCTOR_ROLES.has(wh.lower) &&
		!DOCTOR_TITLES.has(wh.lower) &&
		!PERSON_TITLES.has(wh.lower);
	return given ? h : -1;
}

/** "social: bob visited", "Sue called": a first name opening a clause before a contact verb. */
function contactOpenerRule(s: NameScan, i: number, w: WordInfo): void {
	const { tokens, text, info } = s;
	if (w.cue & CUE_CONTACT) {
		const j = s.prevW(i);
		const wj = j >= 0 ? info[j] : undefined;
		const opensClause = j >= 0 && (j === 0 || /[:;.!?\n][ \t]*$/.test(text.slice(tokens[j - 1].start, tokens[j].start)));
		if (
			wj &&
			opensClause &&
			s.open(j) &&
			s.capOk(wj) &&
			!wj.blocked &&
			wj.first &&
			wj.firstRank <= 1000 &&
			wj.core.length >= 3 &&
			!AUX.has(wj.lower) &&
			!STOPWORDS.has(wj.lower) &&
			!RELATIONS.has(wj.lower) &&
			!DOCTOR_ROLES.has(wj.lower) &&
			!DOCTOR_TITLES.has(wj.lower)
		) {
			s.mark(j, 'Patient', 0.7, 'name-context');
		}
	}
}

/** "Hank Przybylo (son)", "KEEP ROMERO FAMILY AWARE": a name before its relation. */
function relationAfterRule(s: NameScan, i: number, w: WordInfo): void {
	const { tokens, mixed, info } = s;
	if ((w.cue & CUE_RELATION && i > 0 && tokens[i - 1].text === '(') || (w.cue & CUE_FAMILY && (!mixed || w.cap))) {
		const j = s.prevW(i, '(');
		const wj = j >= 0 ? info[j] : undefined;
		if (wj && s.surnameLike(wj) && !s.common(wj) && !AUX.has(wj.lower) && !RELATIONS.has(wj.lower))
			s.mark(j, 'Patient', w.lower === 'family' ? 0.7 : 0.85, 'name-relation');
	}
}

/** Initials before a surname: "W. MAROTTA", "D. Phyl". */
function initialRule(s: NameScan, i: number): void {
	const { tokens, text, mixed, info } = s;
	const glued = i > 0 && tokens[i - 1].end === tokens[i].start;
	if (
		s.isInitial(i) &&
		!glued &&
		tokens[i + 1]?.text === '.' &&
		/ $/.test(text.slice(tokens[i + 1].end, tokens[i + 1].end + 1)) &&
		(!mixed || HAS_UPPER.test(tokens[i].text))
	) {
		const j = s.nextW(i, '.');
		const wj = j >= 0 ? info[j] : undefined;
		if (
			wj &&
			s.surnameLike(wj) &&
			!s.common(wj) &&
			!AUX.has(wj.lower) &&
			wj.core.length >= 3 &&
			(s.nameDict(wj) || wj.tier === 99) &&
			!/^\d/.test(text.slice(tokens[j].end, tokens[j].end + 1))
		) {
			s.mark(i, 'Doctor', 0.6, 'name-initial');
			s.mark(j, 'Doctor', 0.6, 'name-initial');
		}
	}
}

/** Lower-case initials: "(d. renna and j. o'brien)", "q. lander rrt". */
function lowerInitialRule(s: NameScan, i: number, w: WordInfo): void {
	const { tokens, text, casing, info } = s;
	if (
		w.core.length === 1 &&
		casing !== 'upper' &&
		!GLUED_BEFORE_INITIAL.test(text[tokens[i].start - 1] ?? '') &&
		!HAS_UPPER.test(w.core) &&
		tokens[i + 1]?.text === '.' &&
		/ $/.test(text.slice(tokens[i + 1].end, tokens[i + 1].end + 1))
	) {
		const j = s.nextW(i, '.');
		const wj = j >= 0 ? info[j] : undefined;
		const k = j >= 0 ? s.nextW(j, ',') : -1;
		const credential = k >= 0 && CREDENTIALS.has(info[k]!.lower) && !AMBIGUOUS_CREDENTIALS.has(info[k]!.lower);
		if (wj && !wj.blocked && !AUX.has(wj.lower) && wj.core.length >= 4 && wj.last && (wj.tier === 99 || credential)) {
			s.mark(i, 'Doctor', 0.65, 'name-initial');
			s.mark(j, 'Doctor', 0.65, 'name-initial');
		}
	}
}

/**
 * Two people written as initial and surname, joined by "and" ("nsg (d. crumble and j. edman) verified", "witnessed
 * by K. Price and J. Hunt"): both surnames are listed, even when they are words too; organisms ("S. aureus and E.
 * coli") have no listed surname.
 */
function pairedInitialsRule(s: NameScan, i: number, w: WordInfo): void {
	if (w.lower !== 'and' && w.lower !== '&') return;
	const { tokens, info } = s;
	const left = s.prevW(i);
	const right = i + 3 < s.n && tokens[i + 2]?.text === '.' ? i + 3 : -1;
	if (left < 2 || right < 0 || tokens[left - 1].text !== '.' || !s.blanks(left, i)) return;
	const initials = [left - 2, i + 1];
	for (const k of initials) {
		const t = tokens[k];
		if (t.kind !== 'w' || t.text.length !== 1 || tokens[k + 1].start !== t.end || !s.blanks(k + 1, k + 2)) return;
	}
	if (!s.blanks(i, i + 1) || !s.sameLine(left - 2, right)) return;
	for (const k of [left, right]) {
		const wk = info[k];
		if (
			!wk ||
			!wk.last ||
			(wk.blocked && !wk.soft) ||
			!s.capOk(wk) ||
			wk.core.length < 3 ||
			STOPWORDS.has(wk.lower) ||
			CLINICAL.has(wk.lower) ||
			AUX.has(wk.lower) ||
			UNITS.has(wk.lower)
		)
			return;
	}
	for (const k of [left - 2, left, i + 1, right]) s.mark(k, 'Doctor', 0.8, 'name-initial');
}

/** Whose number it is: "Lopie Certusi cell# 410-322-1419", "Mary Smith home: (555) 201-3344". */
function phoneOwnerRule(s: NameScan, i: number, w: WordInfo): void {
	const { tokens, text, info } = s;
	if (w.cue & CUE_PHONE && PHONE_AFTER_LABEL.test(text.slice(tokens[i].end, tokens[i].end + 16))) {
		let j = s.prevW(i, ',:-');
		let first = -1;
		for (let words = 0; j >= 0 && words < 3; words++) {
			const wj = info[j]!;
			const person =
				!wj.blocked &&
				!AUX.has(wj.lower) &&
				!RELATIONS.has(wj.lower) &&
				!DOCTOR_ROLES.has(wj.lower) &&
				!PHONE_LABELS.has(wj.lower) &&
				wj.core.length >= 2;
			if (!person || !s.capOk(wj) || (s.common(wj) && !(wj.first && s.capCue(wj))) || !(s.nameDict(wj) || wj.tier === 99)) break;
			first = j;
			j = s.prevW(j);
		}
		for (let k = first; k >= 0 && k < i; k++) if (info[k] && !PHONE_LABELS.has(info[k]!.lower)) s.mark(k, 'Patient', 0.7, 'name-phone');
	}
}

/** 6. Dictionary evidence: listed names, full names, case. */
function dictionaryRule(s: NameScan, i: number, w: WordInfo): void {
	const { tokens, text, mixed, lowerDoc, info, ctx } = s;
	if (!w.blocked && w.core.length >= 3 && s.nameDict(w)) {
		const j = s.nextW(i);
		const wj = j >= 0 ? info[j] : undefined;
		// Case is evidence in normal text, and for a capitalised word in a lower-case note.
		const cased = mixed || (lowerDoc && s.capCue(w));
		const fullName =
			w.first && !AUX.has(w.lower) && !!wj && !wj.blocked && !AUX.has(wj.lower) &&
			(!s.common(w)
				? cased ? w.cap && wj.cap && (wj.last || wj.other || wj.tier > 50) : (wj.last || wj.other) && !s.common(wj)
				: w.tier >= 35 && (cased ? w.cap && wj.cap : true) && wj.tier === 99 && wj.core.length >= 4 && (wj.last || wj.other || !s.nameDict(wj)));
		if (fullName && wj && (!s.common(wj) || (cased && wj.cap))) {
			const conf = s.common(w) ? 0.6 : 0.85;
			s.mark(i, 'Patient', conf, 'name-full');
			s.mark(j, 'Patient', conf, 'name-full');
		} else if (!s.common(w)) {
			let conf: number;
			if (cased) {
				// Short all-capital words in normal text are abbreviations (IP, ED, OR), not names.
				if (!w.cap || (w.core.length <= 3 && w.core === w.core.toUpperCase())) conf = 0;
				else {
					const prev = i > 0 ? tokens[i - 1] : undefined;
					const sentenceStart = !prev || SENTENCE_BREAK.test(text.slice(prev.end, tokens[i].start)) || SENTENCE_OPENERS.has(prev.text);
					conf = w.first ? 0.72 : w.last && w.lastRank < 30000 ? 0.62 : 0.55;
					if (sentenceStart) conf -= 0.1;
					if (w.tier <= 60) conf -= 0.1;
				}
			} else {
				conf = w.first && w.firstRank < 1000 && w.tier > 70 && w.core.length >= 4 ? 0.5 : 0.4;
			}
			// A known town that is also a surname (Barcelona, Warren) is left to the place detectors.
			if (ctx.language === 'es' && ctx.dicts.places.get(w.lower) === 'City') conf -= 0.15;
			if (conf > 0) s.mark(i, 'Patient', conf, 'name-dict');
		}
	}
}

/** 7. A name's neighbours: surnames, first names and initials beside it. */
function chainNeighbours(s: NameScan, i: number, c: Candidate): void {
	const { mixed, lowerDoc, titles, info } = s;
	for (const dir of [1, -1] as const) {
		// initials: "W. Marotta", "Q. LANDER"
		const j = dir === 1 ? s.nextW(i, '.-') : s.prevW(i, '.-');
		if (j < 0 || !s.open(j)) continue;
		const wj = info[j]!;
		const gap = dir === 1 ? s.gapText(i, j) : s.gapText(j, i);
		if (s.isInitial(j) && (dir === -1 ? GAP_AFTER_INITIAL.test(gap) : GAP_SPACE.test(gap))) {
			s.mark(j, c.type, c.confidence - 0.05, 'name-chain');
			continue;
		}
		if (!GAP_SPACE_OR_HYPHEN.test(gap)) continue;
		// an initial starts a name: only a first name goes before it ("Mary J. Smith", not "CARAFATE-W. MAROTTA")
		if (dir === -1 && info[i]!.core.length === 1 && (!wj.first || gap === '-')) continue;
		// in a lower-case note a capitalised name's neighbours are capitalised too
		if (lowerDoc && info[i]!.cap && !wj.cap) continue;
		if (
			STOPWORDS.has(wj.lower) ||
			DOCTOR_ROLES.has(wj.lower) ||
			RELATIONS.has(wj.lower) ||
			DOCTOR_TITLES.has(wj.lower) ||
			titles.has(wj.lower) ||
			PERSON_LABELS.has(wj.lower)
		)
			continue;
		// a verb-like word ("will", "younger") continues a name only when it is written as one
		if (AUX.has(wj.lower) && !(mixed && wj.cap && s.nameDict(wj) && c.confidence >= 0.8)) continue;
		// A common census surname right after a given name that a title introduced is that person's surname, in notes
		// without case too, when it is also a word or a clinical eponym ("DR. JOHN WHITE", "mrs. ruby bishop"; a verb
		// or an auxiliary after the given name is filtered above, "Gail risk score" was blocked apart).
		const titledSurname =
			dir === 1 &&
			c.detector === 'name-title' &&
			info[i]!.first &&
			wj.last &&
			wj.lastRank <= TITLED_SURNAME_RANK &&
			(!wj.blocked || wj.clinicalOnly) &&
			GAP_SPACE.test(gap);
		const softOk = wj.soft && s.capOk(wj) && c.confidence >= 0.8;
		if (wj.blocked && !(wj.clinicalOnly && mixed && wj.cap && s.nameDict(wj)) && !softOk && !titledSurname) continue;
		const titleSeed = c.detector === 'name-title' || c.detector === 'name-credential';
		const strongFirst = wj.first && c.confidence >= 0.8 && dir === -1;
		if (
			s.capOk(wj) &&
			(wj.tier > 50 || strongFirst || wj.soft || titledSurname || (s.nameDict(wj) && (!s.common(wj) || s.capCue(wj))) || (titleSeed && s.capCue(wj)))
		) {
			s.mark(j, c.type, Math.min(c.confidence, 0.85) - 0.05, 'name-chain');
		}
	}
}

/** Census surnames up to this rank continue a titled given name even when they are words (Young, White, Hunt). */
const TITLED_SURNAME_RANK = 5000;

/** Coordination: "Dr. Griffin and Swackhamer", "Sons Smokey, Morris and Roger". */
function coordinationRule(s: NameScan, i: number, c: Candidate): void {
	const { info } = s;
	const k = s.nextW(i, ',');
	if (k >= 0 && ['and', '&', 'or', 'y'].includes(info[k]?.lower ?? '') || (k >= 0 && s.gapText(i, k).includes(','))) {
		const m = info[k]?.lower === 'and' || info[k]?.lower === '&' || info[k]?.lower === 'or' || info[k]?.lower === 'y' ? s.nextW(k) : k;
		const wm = m >= 0 ? info[m] : undefined;
		// after a title ("DRS JOSEPH AND ROBBINSON") an unknown word that is no English word is a name too
		const titled = c.detector === 'name-title' && wm?.tier === 99 && wm.core.length >= 4;
		// a plural title names two people of its kind: "Drs Edmund and Hang", "DRS YOUNG AND PRICE" (listed names
		// that are words too), whatever the word alone suggested
		const title = c.detector === 'name-title' ? s.prevW(i, '.') : -1;
		const plural = title >= 0 && PLURAL_TITLES.has(info[title]!.lower) && k !== m;
		if (
			wm &&
			s.open(m) &&
			s.coordinable(wm) &&
			(!s.common(wm) || (wm.first && (c.detector === 'name-relation' || c.type === 'Patient'))) &&
			(wm.first || wm.other || wm.last || s.capCue(wm) || titled)
		) {
			s.mark(m, c.type, Math.min(c.confidence, 0.8) - 0.1, 'name-chain');
		}
		if (
			plural &&
			wm &&
			s.capOk(wm) &&
			(s.nameDict(wm) || (wm.tier === 99 && wm.core.length >= 3)) &&
			wm.core.length >= 2 &&
			(!wm.blocked || wm.soft) &&
			!AUX.has(wm.lower) &&
			!STOPWORDS.has(wm.lower) &&
			!RELATIONS.has(wm.lower) &&
			!DOCTOR_ROLES.has(wm.lower)
		) {
			s.mark(m, c.type, Math.min(c.confidence, 0.8) - 0.1, 'name-chain');
		}
	}
}

/** Backward coordination with a titled name: "Bea Tura and Drs Joseph", "KIM and Dr. Lee". */
function backwardCoordinationRule(s: NameScan, i: number, c: Candidate): void {
	const { titles, info } = s;
	if (c.detector === 'name-title') {
		const title = s.prevW(i, '.');
		const conj = title >= 0 && (DOCTOR_TITLES.has(info[title]!.lower) || titles.has(info[title]!.lower)) ? s.prevW(title) : -1;
		const p = conj >= 0 && (info[conj]!.lower === 'and' || info[conj]!.lower === '&') ? s.prevW(conj, ',') : -1;
		const wp = p >= 0 ? info[p]! : undefined;
		if (wp && s.open(p) && s.coordinable(wp) && ((wp.tier === 99 && wp.core.length >= 3) || (s.nameDict(wp) && !s.common(wp)))) {
			s.mark(p, c.type, Math.min(c.confidence, 0.8) - 0.1, 'name-chain');
		}
	}
}

/** 8. One sense per document: a word found as a name with good evidence is a name wherever it recurs. */
function propagateKnown(s: NameScan): void {
	const { n, mixed, info, cand } = s;
	const known = new Map<string, Candidate>();
	for (let i = 0; i < n; i++) {
		const c = cand[i];
		const w = info[i];
		if (c && w && c.confidence >= 0.8 && c.detector !== 'name-chain' && w.core.length >= 3 && !s.common(w) && !w.blocked) {
			if (!known.has(w.lower) || known.get(w.lower)!.confidence < c.confidence) known.set(w.lower, c);
		}
	}
	if (known.size) {
		for (let i = 0; i < n; i++) {
			const w = info[i];
			if (!w || cand[i]) continue;
			const c = known.get(w.lower);
			if (!c) continue;
			if (s.common(w) && mixed && !w.cap) continue;
			if (w.blocked && !w.clinicalOnly) continue;
			s.mark(i, c.type, 0.7, 'name-propagated');
		}
	}
}

/** Runs of name words ("Marie Munroe", "M. Okafor", "OKAFOR, MARGARET", "Stord-Painter") as one finding, typed Doctor when any word has clinician evidence. */
function emitRuns(s: NameScan, emit: Emit): void {
	const { tokens, n, info, cand } = s;
	for (let i = 0; i < n; i++) {
		const c = cand[i];
		if (!c) continue;
		let type = c.type;
		let conf = c.confidence;
		let detector = c.detector;
		let j = i;
		for (;;) {
			const k = s.nextW(j, '.,-');
			if (k < 0 || !cand[k]) break;
			const gap = s.gapText(j, k);
			const afterInitial = info[j]!.core.length === 1 && GAP_DOT.test(gap);
			const lastFirst = GAP_COMMA.test(gap) && info[j]!.last && info[k]!.first;
			const hyphenOk = gap === '-' && info[k]!.cap === info[j]!.cap && !info[j]!.blocked && !info[k]!.blocked;
			if (!GAP_SPACE.test(gap) && !hyphenOk && !afterInitial && !lastFirst) break;
			if (cand[k]!.type === 'Doctor') type = 'Doctor';
			if (cand[k]!.confidence > conf) {
				conf = cand[k]!.confidence;
				detector = cand[k]!.detector;
			}
			j = k;
		}
		// an initial's period is part of the name ("Dr. Anna S.")
		const initialDot = info[j]!.core.length === 1 && tokens[j + 1]?.text === '.' && tokens[j + 1].start === tokens[j].end;
		emit(tokens[i].start, initialDot ? tokens[j + 1].end : tokens[j].start + info[j]!.core.length, type, conf, detector);
		i = j;
	}
}
