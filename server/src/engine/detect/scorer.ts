import {
	CLINICAL, CREDENTIALS, DOCTOR_ROLES, DOCTOR_TITLES, FACILITY_WORDS, HOSPITAL_WORDS, MONTHS, PERSON_CONTEXT_BEFORE, PERSON_TITLES,
	PLACE_VERBS, RELATIONS, STOPWORDS, STREET_SUFFIXES, UNITS, WEEKDAYS,
} from './lexicon';
import type { Token } from './tokenize';
import type { EntityType, Finding } from '../types';
import { type DetectContext, type Emit, eponymOrColourAt, tokenIndexAt } from './context';
import { DETERMINERS, PLACE_TYPES } from './words';
import { wordsOfText } from './names';

/**
 * A learned scorer for names and places: a multinomial logistic regression over hashed features of each word
 * token — what the dictionaries say about it (census rank bands, English frequency tier, gazetteers, clinical
 * vocabulary), its shape and the document's case style, the closed-class words and word classes around it on
 * its line, and which rule detectors fired on it and how strongly. It never sees a word's identity unless the
 * word is a common English word or a cue word, so no particular name or place can be learned. Weights come from
 * `npm run train` (scripts/train.ts), which redraws every name and place of the training notes each epoch.
 */
export interface ScorerModel {
	version: number;
	/** log2 of the hashed feature space. */
	bits: number;
	classes: readonly string[];
	/** A token is PHI when P(NAME) + P(PLACE) reaches this. */
	threshold: number;
	/** Sparse weights: feature index, then one weight per class. */
	weights: readonly number[];
}

export const CLASS_O = 0;
export const CLASS_NAME = 1;
export const CLASS_PLACE = 2;
export const CLASSES = ['O', 'NAME', 'PLACE'] as const;

/** What the scorer knows about one spelling, computed once per distinct token text. */
interface WordClass {
	flags: number;
	shape: number;
	firstBand: number;
	lastBand: number;
	tier: number;
	/** Hash of the lower-case word when it is a common English word or a cue word; 0 otherwise. */
	ident: number;
	/** What a neighbour contributes to context features. */
	desc: number;
	length: number;
	/** The features that depend on the word alone (unmasked hashes as int32: masking reads the same low bits). */
	own: Int32Array;
	/** Never a name or place on its own: a stop word that no census list holds. */
	skip: boolean;
	/** The word (with any possessive) is a car make. */
	vehicleMake: boolean;
}

const F_CLINICAL = 1;
const F_STOP = 2;
const F_MONTH = 4;
const F_WEEKDAY = 8;
const F_UNIT = 16;
const F_CITY = 32;
const F_STATE = 64;
const F_HOSPITAL = 128;
const F_STREET = 256;
const F_CREDENTIAL = 512;
const F_DOCTOR_TITLE = 1024;
const F_TITLE = 2048;
const F_RELATION = 4096;
const F_ROLE = 8192;
const F_CONTEXT = 16384;
const F_OTHER_NAME = 32768;
const F_POSSESSIVE = 65536;
const F_FACILITY = 131072;
const F_PLACE_VERB = 262144;
const FLAG_COUNT = 19;
const CUE_FLAGS =
	F_CREDENTIAL |
	F_DOCTOR_TITLE |
	F_TITLE |
	F_RELATION |
	F_ROLE |
	F_CONTEXT |
	F_HOSPITAL |
	F_FACILITY |
	F_PLACE_VERB |
	F_STREET |
	F_MONTH |
	F_WEEKDAY;

const TIERS = [10, 20, 35, 40, 50, 55, 60, 70, 99];

/** FNV-1a over UTF-16 code units. */
function hashString(s: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0 || 1;
}

/** Mixes two integers into one (a feature template and its value). */
export function mix(a: number, b: number): number {
	let h = Math.imul(a ^ 0x27d4eb2d, 0x9e3779b1) ^ b;
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
	return (h ^ (h >>> 16)) >>> 0;
}

function shapeOf(core: string): number {
	if (core.length === 1) return core === core.toLowerCase() ? 1 : 2;
	const upper = core.toUpperCase();
	const lower = core.toLowerCase();
	if (core === lower) return 3;
	if (core === upper) return 4;
	if (core[0] !== core[0].toLowerCase() && core.slice(1) === core.slice(1).toLowerCase()) return 5;
	return 6;
}

function band(rank: number | undefined, cuts: readonly number[]): number {
	if (rank === undefined) return 0;
	let b = 1;
	while (b <= cuts.length && rank > cuts[b - 1]) b++;
	return b;
}

const BIT_SKIP = 1;
const BIT_STATE = 2;
const BIT_VEHICLE_MAKE = 4;

/**
 * The word classes of one dictionary set, numbered, with the fields the scorer reads for every token in flat
 * arrays by number. Reading them from each token's class object cost a cache miss per token and field group (a
 * tenth of the engine's time); the arrays are small and neighbouring classes share cache lines.
 */
class ClassStore {
	private static made = 0;
	/** Tells this store's numbers from an earlier store's (words keep the number they were given). */
	readonly generation = ++ClassStore.made;
	readonly ids = new Map<string, number>();
	readonly records: WordClass[] = [];
	/** BIT_SKIP, BIT_STATE, BIT_VEHICLE_MAKE */
	bits = new Uint8Array(1024);
	desc = new Int32Array(1024);
	/** shape | tier << 8 | firstBand << 16 | lastBand << 24 */
	facts = new Int32Array(1024);
	/** The three class sums of each class's own feature weights, for the weight table numbered ownFor. */
	own = new Float64Array(3 * 1024);
	ownFor = new Int32Array(1024);

	/** The number of the class of t's spelling, made when new. */
	idOf(t: Token, ctx: DetectContext): number {
		let id = this.ids.get(t.text);
		if (id === undefined) {
			const w = wordClass(t, ctx);
			id = this.records.length;
			if (id === this.bits.length) this.grow();
			this.records.push(w);
			this.bits[id] = (w.skip ? BIT_SKIP : 0) | (w.flags & F_STATE ? BIT_STATE : 0) | (w.vehicleMake ? BIT_VEHICLE_MAKE : 0);
			this.desc[id] = w.desc;
			this.facts[id] = w.shape | (w.tier << 8) | (w.firstBand << 16) | (w.lastBand << 24);
			this.ids.set(t.text, id);
		}
		return id;
	}

	private grow(): void {
		const size = this.bits.length * 2;
		const more = <T extends Uint8Array | Int32Array | Float64Array>(a: T, n: number): T => {
			const b = new (a.constructor as new (n: number) => T)(n);
			b.set(a);
			return b;
		};
		this.bits = more(this.bits, size);
		this.desc = more(this.desc, size);
		this.facts = more(this.facts, size);
		this.own = more(this.own, 3 * size);
		this.ownFor = more(this.ownFor, size);
	}
}

const STORES = new WeakMap<object, ClassStore>();

/** The dictionary set's class store; a new one past 200,000 spellings, so a long-running server's memory stays bounded. */
function classStore(ctx: DetectContext): ClassStore {
	let store = STORES.get(ctx.dicts);
	if (!store || store.ids.size > 200000) STORES.set(ctx.dicts, (store = new ClassStore()));
	return store;
}

function wordClass(t: Token, ctx: DetectContext): WordClass {
	const possessive = /['’]s$/i.test(t.text) && t.text.length > 3;
	const core = possessive ? t.text.slice(0, -2) : t.text;
	const lower = core.toLowerCase();
	const d = ctx.dicts;
	const place = d.places.get(lower);
	let flags = 0;
	if (CLINICAL.has(lower)) flags |= F_CLINICAL;
	if (STOPWORDS.has(lower)) flags |= F_STOP;
	if (MONTHS.has(lower)) flags |= F_MONTH;
	if (WEEKDAYS.has(lower)) flags |= F_WEEKDAY;
	if (UNITS.has(lower)) flags |= F_UNIT;
	if (place === 'City') flags |= F_CITY;
	if (place === 'State' || place === 'CountryOrRegion') flags |= F_STATE;
	if (HOSPITAL_WORDS.has(lower)) flags |= F_HOSPITAL;
	if (STREET_SUFFIXES.has(lower)) flags |= F_STREET;
	if (CREDENTIALS.has(lower)) flags |= F_CREDENTIAL;
	if (DOCTOR_TITLES.has(lower)) flags |= F_DOCTOR_TITLE;
	if (PERSON_TITLES.has(lower)) flags |= F_TITLE;
	if (RELATIONS.has(lower)) flags |= F_RELATION;
	if (DOCTOR_ROLES.has(lower)) flags |= F_ROLE;
	if (PERSON_CONTEXT_BEFORE.has(lower)) flags |= F_CONTEXT;
	if (d.otherNames.has(lower)) flags |= F_OTHER_NAME;
	if (possessive) flags |= F_POSSESSIVE;
	if (FACILITY_WORDS.has(lower)) flags |= F_FACILITY;
	if (PLACE_VERBS.has(lower)) flags |= F_PLACE_VERB;
	const tierValue = d.englishWords.get(lower) ?? 99;
	let tier = TIERS.indexOf(tierValue);
	if (tier < 0) tier = TIERS.length;
	const first = d.firstNames.get(lower)?.rank;
	const last = d.lastNames.get(lower)?.rank;
	const shape = shapeOf(core);
	const ident = tierValue <= 35 || flags & (CUE_FLAGS | F_STOP) ? hashString(lower) : 0;
	const firstBand = band(first, [100, 500, 2000]);
	const lastBand = band(last, [500, 5000, 30000]);
	// a neighbour is its word when the word is common or a cue, else its class
	const coarse = (firstBand ? 1 : 0) | (lastBand ? 2 : 0) | (tierValue <= 50 ? 4 : tierValue < 99 ? 8 : 0) | (flags & F_CLINICAL ? 16 : 0) | (place ? 32 : 0);
	const desc = ident || mix(0x5151, shape * 64 + coarse);
	const length = Math.min(core.length, 9);
	const own = [mix(T_BIAS, 0)];
	for (let b = 0; b < FLAG_COUNT; b++) if (flags & (1 << b)) own.push(mix(T_FLAG, b));
	own.push(
		mix(T_FIRST, firstBand),
		mix(T_LAST, lastBand),
		mix(T_TIER, tier),
		mix(T_FIRST_TIER, firstBand * 16 + tier),
		mix(T_LAST_TIER, lastBand * 16 + tier),
	);
	if (ident) own.push(mix(T_IDENT, ident));
	own.push(mix(T_LENGTH, length * 8 + shape));
	const skip = (flags & F_STOP) !== 0 && !firstBand && !lastBand;
	const vehicleMake = d.vehicleMakes.has(t.lower);
	return { flags, shape, firstBand, lastBand, tier, ident, desc, length, own: Int32Array.from(own), skip, vehicleMake };
}

const NEWLINE = 0x4e4c;
const LINE_START = 0x5354;
const NUMBER = 0x4e55;

function punctDesc(t: Token): number {
	return mix(0x5050, t.text.charCodeAt(0));
}

// Feature templates
const T_BIAS = 1;
const T_FLAG = 2;
const T_SHAPE_CASE = 3;
const T_FIRST = 4;
const T_LAST = 5;
const T_TIER = 6;
const T_FIRST_TIER = 7;
const T_LAST_TIER = 8;
const T_IDENT = 9;
const T_LENGTH = 10;
const T_RULE = 11;
const T_RULE_CONF = 12;
const T_CONTEXT = 20;
const T_AROUND = 32;
const T_SHAPE_LEFT = 33;
const T_RULE_NEIGHBOUR = 40;
const T_FIRST_LAST_RIGHT = 41;
const T_LEFT_TIER = 42;
const T_RIGHT_TIER = 43;
const T_CASE_TIER = 45;

const CASINGS = { mixed: 1, lower: 2, upper: 3 } as const;

/** Per-token facts the features read: word classes and the strongest rule finding over each token. */
export interface ScorerInput {
	tokens: Token[];
	/** Each word token's class number in `store` (-1 for other tokens). */
	ids: Int32Array;
	store: ClassStore;
	/** Index into RULE_IDS of the most confident raw finding covering the token, or -1. */
	rule: Int32Array;
	ruleConf: Float32Array;
	/** The token is a word with letters that the scorer decides on. */
	scored: Uint8Array;
	/** What each token contributes to its neighbours' context features. */
	desc: Int32Array;
	/** A line break between the token before and this one. */
	breakBefore: Uint8Array;
	casing: number;
}

const ruleIds = new Map<string, number>();
function ruleId(detector: string, type: EntityType): number {
	const key = `${detector}\u0000${type}`;
	let id = ruleIds.get(key);
	if (id === undefined) ruleIds.set(key, (id = hashString(key)));
	return id;
}

/**
 * The typed arrays of one text's scoring, kept from text to text by detectScored: ten small typed arrays per text
 * cost about 1 µs each to allocate and collect, 4% of a pass over short notes. Arrays may be longer than the
 * text's token count; everything reads only the first tokens.length entries, which each text clears.
 */
class Scratch {
	private size = 0;
	ids = new Int32Array(0);
	scored = new Uint8Array(0);
	desc = new Int32Array(0);
	breakBefore = new Uint8Array(0);
	rule = new Int32Array(0);
	ruleConf = new Float32Array(0);
	positive = new Float32Array(0);
	kind = new Uint8Array(0);
	covered = new Uint8Array(0);

	/** Room for n tokens, the first n entries cleared. */
	ready(n: number): this {
		if (n > this.size) {
			this.size = Math.max(n, 2 * this.size, 256);
			const k = this.size;
			this.ids = new Int32Array(k);
			this.scored = new Uint8Array(k);
			this.desc = new Int32Array(k);
			this.breakBefore = new Uint8Array(k);
			this.rule = new Int32Array(k);
			this.ruleConf = new Float32Array(k);
			this.positive = new Float32Array(k);
			this.kind = new Uint8Array(k);
			this.covered = new Uint8Array(k);
		}
		this.ids.fill(-1, 0, n);
		this.scored.fill(0, 0, n);
		this.desc.fill(0, 0, n);
		this.breakBefore.fill(0, 0, n);
		this.rule.fill(-1, 0, n);
		this.ruleConf.fill(0, 0, n);
		this.positive.fill(0, 0, n);
		this.kind.fill(0, 0, n);
		this.covered.fill(0, 0, n);
		return this;
	}
}

/** detectScored's arrays (the engine runs one text at a time per thread). */
const SCRATCH = new Scratch();

/** What the features of each token of the text read. Without `scratch`, every array is new (training keeps them). */
export function scorerInput(ctx: DetectContext, raw: readonly Finding[], scratch?: Scratch): ScorerInput {
	const { tokens } = ctx;
	const n = tokens.length;
	const work = scratch ?? new Scratch().ready(n);
	const { ids, scored, desc, breakBefore } = work;
	const { text } = ctx;
	const words = wordsOfText(ctx);
	const store = classStore(ctx);
	const { generation } = store;
	for (let i = 0; i < n; i++) {
		const t = tokens[i];
		if (i > 0) for (let c = tokens[i - 1].end; c < t.start; c++) if (text.charCodeAt(c) === 10) {
			breakBefore[i] = 1;
			break;
		}
		if (t.kind === 'w') {
			// the name rules' facts about this token carry its class number once it has been read
			const info = words?.[i];
			let id: number;
			if (info && info.scorerGeneration === generation) id = info.scorerClass;
			else {
				id = store.idOf(t, ctx);
				if (info) {
					info.scorerClass = id;
					info.scorerGeneration = generation;
				}
			}
			ids[i] = id;
			scored[i] = store.bits[id] & BIT_SKIP ? 0 : 1;
			desc[i] = store.desc[id];
		} else desc[i] = t.kind === 'n' ? mix(NUMBER, Math.min(t.text.length, 5)) : punctDesc(t);
	}
	blockVocabulary(ctx, ids, store, scored);
	const { rule, ruleConf } = work;
	for (const f of raw) {
		const id = ruleId(f.detector, f.type) | 0;
		for (let i = tokenIndexAt(tokens, f.start); i < n && tokens[i].start < f.end; i++) {
			if (rule[i] === -1 || f.confidence > ruleConf[i]) {
				rule[i] = id;
				ruleConf[i] = f.confidence;
			}
		}
		// a finding that starts inside a token also covers it
		const k = tokenIndexAt(tokens, f.start) - 1;
		if (k >= 0 && tokens[k].end > f.start && (rule[k] === -1 || f.confidence > ruleConf[k])) {
			rule[k] = id;
			ruleConf[k] = f.confidence;
		}
	}
	return { tokens, ids, store, rule, ruleConf, scored, desc, breakBefore, casing: CASINGS[ctx.casing] };
}

/** The class of token i, if it is a word. */
function classOf(input: ScorerInput, i: number): WordClass | undefined {
	const id = input.ids[i];
	return id >= 0 ? input.store.records[id] : undefined;
}

const YEAR = /^(?:19|20)\d\d$/;
const SENTENCE_END = new Set(['.', '!', '?', ':', ';']);
const ONE_BLANK = /^[ \t]$/;

/**
 * Words that are no name or place where they stand, whatever their context: the parts of a hyphenated clinical
 * eponym ("Jackson-Pratt drain", "Cheyne-Stokes"), a car's make and model ("2012 Honda Civic"), and states and
 * countries, which are no Safe Harbor identifiers alone (the rules report them below the default threshold).
 */
function blockVocabulary(ctx: DetectContext, ids: Int32Array, store: ClassStore, scored: Uint8Array): void {
	const { tokens, dicts } = ctx;
	const n = tokens.length;
	for (let i = 0; i < n; i++) {
		if (ids[i] < 0 || !scored[i]) continue;
		const bits = store.bits[ids[i]];
		if (bits & BIT_STATE) scored[i] = 0;
		const t = tokens[i];
		if (
			i + 2 < n &&
			tokens[i + 1].text === '-' &&
			tokens[i + 1].start === t.end &&
			tokens[i + 2].start === tokens[i + 1].end &&
			tokens[i + 2].kind === 'w' &&
			CLINICAL.has(`${t.lower}-${tokens[i + 2].lower}`)
		) {
			scored[i] = 0;
			scored[i + 2] = 0;
		}
		if (bits & BIT_VEHICLE_MAKE) {
			const year = i > 0 && YEAR.test(tokens[i - 1].text);
			const model = i + 1 < n && dicts.vehicleModels.has(tokens[i + 1].lower);
			if (year || model) scored[i] = 0;
			if (model) scored[i + 1] = 0;
		}
	}
}

/** The descriptor of the token at offset `step` (±1…3) from i on i's line: its class, punctuation, a line edge. */
function neighbour(input: ScorerInput, i: number, step: number): number {
	const n = input.tokens.length;
	let j = i;
	if (step > 0) {
		for (let k = 0; k < step; k++) {
			if (++j >= n) return LINE_START;
			if (input.breakBefore[j]) return NEWLINE;
		}
	} else {
		for (let k = 0; k < -step; k++) {
			if (j - 1 < 0) return LINE_START;
			if (input.breakBefore[j]) return NEWLINE;
			j--;
		}
	}
	return input.desc[j];
}

function confBand(c: number): number {
	return c >= 0.9 ? 5 : c >= 0.8 ? 4 : c >= 0.7 ? 3 : c >= 0.6 ? 2 : c >= 0.5 ? 1 : 0;
}

/** Writes the feature indices of token i into out (length returned): the word's own, then its context's. */
export function tokenFeatures(input: ScorerInput, i: number, mask: number, out: Int32Array, rules = true): number {
	const { own } = classOf(input, i)!;
	let n = 0;
	for (let k = 0; k < own.length; k++) out[n++] = own[k] & mask;
	return contextFeatures(input, i, mask, out, n, rules);
}

/** Writes the features of token i that depend on more than the word into out from n (the new length returned). */
function contextFeatures(input: ScorerInput, i: number, mask: number, out: Int32Array, n: number, rules: boolean): number {
	const facts = input.store.facts[input.ids[i]];
	const shape = facts & 0xff;
	const tier = (facts >>> 8) & 0xff;
	const firstBand = (facts >>> 16) & 0xff;
	const lastBand = facts >>> 24;
	out[n++] = mix(T_SHAPE_CASE, shape * 4 + input.casing) & mask;
	out[n++] = mix(T_CASE_TIER, input.casing * 16 + tier) & mask;
	const r = rules ? input.rule[i] : -1;
	if (r !== -1) {
		out[n++] = mix(T_RULE, r) & mask;
		out[n++] = mix(T_RULE_CONF, mix(r, confBand(input.ruleConf[i]))) & mask;
	} else out[n++] = mix(T_RULE, 0) & mask;
	const l1 = neighbour(input, i, -1);
	const l2 = l1 === NEWLINE || l1 === LINE_START ? l1 : neighbour(input, i, -2);
	const l3 = l2 === NEWLINE || l2 === LINE_START ? l2 : neighbour(input, i, -3);
	const r1 = neighbour(input, i, 1);
	const r2 = r1 === NEWLINE || r1 === LINE_START ? r1 : neighbour(input, i, 2);
	const r3 = r2 === NEWLINE || r2 === LINE_START ? r2 : neighbour(input, i, 3);
	out[n++] = mix(T_CONTEXT - 3, l3) & mask;
	out[n++] = mix(T_CONTEXT - 2, l2) & mask;
	out[n++] = mix(T_CONTEXT - 1, l1) & mask;
	out[n++] = mix(T_CONTEXT + 1, r1) & mask;
	out[n++] = mix(T_CONTEXT + 2, r2) & mask;
	out[n++] = mix(T_CONTEXT + 3, r3) & mask;
	out[n++] = mix(T_AROUND, mix(l1, r1)) & mask;
	out[n++] = mix(T_SHAPE_LEFT, mix(l1, shape * 4 + input.casing)) & mask;
	out[n++] = mix(T_FIRST_LAST_RIGHT, mix(firstBand * 8 + lastBand, r1)) & mask;
	// the same context reads differently before an ordinary word and before a rare one ("NP aware", "NP Mantle")
	const kindOfWord = tier * 16 + firstBand * 4 + (lastBand ? 1 : 0);
	out[n++] = mix(T_LEFT_TIER, mix(l1, kindOfWord)) & mask;
	out[n++] = mix(T_RIGHT_TIER, mix(r1, kindOfWord)) & mask;
	// what the rules said about the words beside it
	if (rules) {
		if (i > 0 && input.rule[i - 1] !== -1 && input.ruleConf[i - 1] >= 0.5) out[n++] = mix(T_RULE_NEIGHBOUR - 1, input.rule[i - 1]) & mask;
		if (i + 1 < input.tokens.length && input.rule[i + 1] !== -1 && input.ruleConf[i + 1] >= 0.5)
			out[n++] = mix(T_RULE_NEIGHBOUR + 1, input.rule[i + 1]) & mask;
	}
	return n;
}

export const MAX_FEATURES = 64;
const FEATURES = new Int32Array(MAX_FEATURES);

/**
 * The model's weights, keyed by feature index: a bitmap of the indices that carry a weight and, per 32-bit word
 * of it, how many come before, so a lookup is a bit test and a popcount. A dense table of every index would be
 * 3 MB, and reading it at random was the scorer's main cost (cache misses); this one is about 40 KB plus the
 * weights, and every weight and every sum stay what they were.
 */
interface WeightTable {
	/** Tells tables apart in ClassStore.ownFor (from 1). */
	serial: number;
	present: Int32Array;
	before: Int32Array;
	values: Float32Array;
}

const TABLES = new WeakMap<ScorerModel, WeightTable>();
let tablesMade = 0;
function table(model: ScorerModel): WeightTable {
	let t = TABLES.get(model);
	if (t) return t;
	const k = model.classes.length;
	const size = 1 << model.bits;
	const w = model.weights;
	const stride = k + 1;
	const last = Math.floor((w.length - stride) / stride) * stride;
	// Built once per thread before the first text is scored, so in cold code: typed arrays and plain loops, not a
	// Map (which made this a third of the first text's time). Read from the end: the last entry of an index wins,
	// as in the sparse list's order.
	const present = new Int32Array(Math.max(1, size >>> 5));
	const seen = new Int32Array(present.length);
	// where each index's winning entry starts
	const winners = new Int32Array(last / stride + 1);
	let won = 0;
	for (let i = last; i >= 0; i -= stride) {
		const index = w[i];
		if (!(index >= 0 && index < size)) continue;
		const word = index >>> 5;
		const bit = 1 << (index & 31);
		if (seen[word] & bit) continue;
		seen[word] |= bit;
		winners[won++] = i;
		let zero = true;
		for (let c = 1; c <= k; c++) if (w[i + c] !== 0) zero = false;
		if (!zero) present[word] |= bit;
	}
	const before = new Int32Array(present.length);
	let count = 0;
	for (let b = 0; b < present.length; b++) {
		before[b] = count;
		count += popcount(present[b]);
	}
	const values = new Float32Array(count * k);
	for (let j = 0; j < won; j++) {
		const i = winners[j];
		const slot = slotOf(present, before, w[i]);
		if (slot >= 0) for (let c = 0; c < k; c++) values[slot * k + c] = w[i + 1 + c];
	}
	t = { serial: ++tablesMade, present, before, values };
	TABLES.set(model, t);
	return t;
}

function popcount(x: number): number {
	x -= (x >>> 1) & 0x55555555;
	x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
	x = (x + (x >>> 4)) & 0x0f0f0f0f;
	return Math.imul(x, 0x01010101) >>> 24;
}

/** Where feature `index`'s weights start (in units of one class row), or -1 when it has none. */
function slotOf(present: Int32Array, before: Int32Array, index: number): number {
	const word = present[index >>> 5];
	const bit = 1 << (index & 31);
	return word & bit ? before[index >>> 5] + popcount(word & (bit - 1)) : -1;
}

/** Class probabilities of token i. */
export function probabilities(
	scores: Float64Array,
	weights: Float32Array | Float64Array,
	features: Int32Array,
	count: number,
	classes: number,
	out: Float64Array,
): void {
	scores.fill(0);
	for (let f = 0; f < count; f++) {
		const base = features[f] * classes;
		for (let c = 0; c < classes; c++) scores[c] += weights[base + c];
	}
	let max = -Infinity;
	for (let c = 0; c < classes; c++) max = Math.max(max, scores[c]);
	let sum = 0;
	for (let c = 0; c < classes; c++) sum += out[c] = Math.exp(scores[c] - max);
	for (let c = 0; c < classes; c++) out[c] /= sum;
}

const NAME_TYPES = new Set<EntityType>(['Patient', 'Doctor']);
const GAP_IN_RUN = /^(?:[ \t]{1,2}|\.[ \t]{0,2}|-)$/;

/** Word flags that stop a word from continuing a name as its surname. */
const NOT_SURNAME =
	F_CLINICAL | F_STOP | F_CREDENTIAL | F_RELATION | F_ROLE | F_TITLE | F_DOCTOR_TITLE | F_MONTH | F_WEEKDAY | F_UNIT | F_HOSPITAL | F_FACILITY | F_STREET;

/**
 * Each scored token's probability of being a name or place (`positive`), and which of the two is likelier. Models
 * have the three classes of CLASSES (npm run train writes them), summed in locals: the sums and softmax of
 * probabilities(), in the same order, without an array's loads and stores.
 */
function scoreTokens(input: ScorerInput, model: ScorerModel, n: number, work: Scratch): { positive: Float32Array; kind: Uint8Array } {
	if (model.classes.length !== CLASSES.length) throw new Error(`a scorer model has the classes ${CLASSES.join(', ')}`);
	const weights = table(model);
	const { present, before, values } = weights;
	const { store } = input;
	const mask = (1 << model.bits) - 1;
	const { positive, kind } = work;
	for (let i = 0; i < n; i++) {
		if (!input.scored[i]) continue;
		// A word's own features come first and are the same wherever it stands: their sums are kept for its class,
		// added in the same order, so every sum is what it was.
		const id = input.ids[i];
		if (store.ownFor[id] !== weights.serial) ownSums(store, id, weights, mask);
		let s0 = store.own[3 * id];
		let s1 = store.own[3 * id + 1];
		let s2 = store.own[3 * id + 2];
		const count = contextFeatures(input, i, mask, FEATURES, 0, true);
		for (let f = 0; f < count; f++) {
			const slot = slotOf(present, before, FEATURES[f]);
			if (slot < 0) continue;
			const base = slot * 3;
			s0 += values[base];
			s1 += values[base + 1];
			s2 += values[base + 2];
		}
		const max = Math.max(Math.max(Math.max(-Infinity, s0), s1), s2);
		const e0 = Math.exp(s0 - max);
		const e1 = Math.exp(s1 - max);
		const e2 = Math.exp(s2 - max);
		const sum = e0 + e1 + e2;
		const pName = e1 / sum;
		const pPlace = e2 / sum;
		positive[i] = pName + pPlace;
		kind[i] = pPlace > pName ? CLASS_PLACE : CLASS_NAME;
	}
	return { positive, kind };
}

/** Sums a class's own feature weights per class into the store, for the table `weights`. */
function ownSums(store: ClassStore, id: number, weights: WeightTable, mask: number): void {
	const { present, before, values } = weights;
	const { own } = store.records[id];
	let s0 = 0;
	let s1 = 0;
	let s2 = 0;
	for (let k = 0; k < own.length; k++) {
		const slot = slotOf(present, before, own[k] & mask);
		if (slot < 0) continue;
		const base = slot * 3;
		s0 += values[base];
		s1 += values[base + 1];
		s2 += values[base + 2];
	}
	store.own[3 * id] = s0;
	store.own[3 * id + 1] = s1;
	store.own[3 * id + 2] = s2;
	store.ownFor[id] = weights.serial;
}

/** Tokens already reported by a rule as a name or place, and the rule's type. */
function ruleCoverage(tokens: readonly Token[], raw: readonly Finding[], work: Scratch): { covered: Uint8Array; coveredType: (EntityType | undefined)[] } {
	const n = tokens.length;
	const { covered } = work;
	const coveredType: (EntityType | undefined)[] = new Array(n);
	for (const f of raw) {
		if (f.confidence < 0.5 || !(NAME_TYPES.has(f.type) || PLACE_TYPES.has(f.type))) continue;
		for (let i = tokenIndexAt(tokens, f.start); i < n && tokens[i].start < f.end; i++) {
			covered[i] = 1;
			coveredType[i] = f.type;
		}
	}
	return { covered, coveredType };
}

/**
 * Scores every word token and emits runs of tokens the model calls a name or a place that the rules left out
 * (or found below the reporting threshold). Runs take in neighbouring rule findings of the same kind so that one
 * value is one finding.
 */
export function detectScored(ctx: DetectContext, raw: readonly Finding[], model: ScorerModel, emit: Emit): void {
	const { tokens, text } = ctx;
	const n = tokens.length;
	if (!n) return;
	const work = SCRATCH.ready(n);
	const input = scorerInput(ctx, raw, work);
	const { positive, kind } = scoreTokens(input, model, n, work);
	unscoreNonNames(ctx, input.breakBefore, positive, model.threshold * 0.5);
	const { covered, coveredType } = ruleCoverage(tokens, raw, work);
	// A run is a sequence of tokens each at least weakly called a name or place (or reported by a rule), joined
	// by blanks, a hyphen or an initial's period; it is emitted when one of its tokens is strongly called and
	// no rule reported it: the neighbours of a confident name word are taken in at the lower bar.
	const low = model.threshold * 0.5;
	const strong = (i: number) => positive[i] >= model.threshold;
	const weak = (i: number) => positive[i] >= low || covered[i] === 1;
	const next = (j: number): number => {
		let k2 = j + 1;
		if (k2 < n && tokens[k2].text === '.' && tokens[k2].start === tokens[j].end) k2++;
		if (k2 >= n || tokens[k2].kind !== 'w' || !GAP_IN_RUN.test(text.slice(tokens[j].end, tokens[k2].start))) return -1;
		return k2;
	};
	// "John White": a census name written as a name right after a confident name word continues it, even when it
	// is an ordinary word too
	const surnameAfter = (j: number, k2: number): boolean => {
		const w = classOf(input, k2);
		if (!w || !input.scored[k2] || positive[j] < model.threshold || kind[j] !== CLASS_NAME || !(w.lastBand || w.firstBand)) return false;
		if (w.flags & NOT_SURNAME) return false;
		return input.casing !== CASINGS.mixed || w.shape === 5;
	};
	for (let i = 0; i < n; i++) {
		if (!input.scored[i] || !weak(i)) continue;
		let fresh = false;
		let best = 0;
		let place = 0;
		let name = 0;
		// a run that takes in a rule's finding keeps the rule's type ("rockville maryland": a town, not a person)
		let ruleType: EntityType | undefined;
		let j: number;
		for (let k2 = i; ; ) {
			ruleType ??= coveredType[k2];
			if (strong(k2)) {
				if (!covered[k2]) fresh = true;
				best = Math.max(best, positive[k2]);
				if (kind[k2] === CLASS_PLACE) place++;
				else name++;
			}
			j = k2;
			k2 = next(k2);
			if (k2 < 0 || !(weak(k2) || surnameAfter(j, k2))) break;
		}
		if (fresh) {
			const type = ruleType ?? (place > name ? placeType(input, i, j) : nameType(input, i, j));
			// an initial's period is part of the name ("Anna S.")
			const dot = tokens[j].text.length === 1 && tokens[j + 1]?.text === '.' && tokens[j + 1].start === tokens[j].end;
			emit(tokens[i].start, dot ? tokens[j + 1].end : tokens[j].end, type, scoreToConfidence(best, model.threshold), 'name-scorer');
		}
		i = j;
	}
}

/**
 * Words the model may call a name that mean none where they stand: an instrument's eponym or a colour ("Gail risk
 * score", "rose colored"), and a sentence's first word right before a determiner, a verb ("Mark the site", "Bill
 * this visit"). Applied after scoring, so training sees every candidate.
 */
function unscoreNonNames(ctx: DetectContext, breakBefore: Uint8Array, positive: Float32Array, low: number): void {
	const { tokens, text } = ctx;
	const n = tokens.length;
	for (let i = 0; i < n; i++) {
		// a word below the weak bar changes no run: only the others are worth the look
		if (positive[i] < low || tokens[i].kind !== 'w') continue;
		const eponym = eponymOrColourAt(text, tokens, i);
		for (let k = 0; k < eponym; k++) positive[i + k] = 0;
		const starts = i === 0 || breakBefore[i] === 1 || SENTENCE_END.has(tokens[i - 1].text);
		if (
			starts &&
			i + 1 < n &&
			tokens[i + 1].kind === 'w' &&
			DETERMINERS.has(tokens[i + 1].lower) &&
			ONE_BLANK.test(text.slice(tokens[i].end, tokens[i + 1].start))
		)
			positive[i] = 0;
	}
}

/** Confidence on the rule detectors' scale: the threshold maps to 0.62, certainty to 0.95. */
function scoreToConfidence(p: number, threshold: number): number {
	return 0.62 + (0.95 - 0.62) * Math.min(1, Math.max(0, (p - threshold) / (1 - threshold)));
}

function nameType(input: ScorerInput, i: number, j: number): EntityType {
	const { tokens } = input;
	let b = i - 1;
	if (b >= 0 && tokens[b].text === '.') b--;
	const before = b >= 0 ? classOf(input, b) : undefined;
	let a = j + 1;
	if (a < tokens.length && tokens[a].text === ',') a++;
	const after = a < tokens.length ? classOf(input, a) : undefined;
	if (before && before.flags & (F_DOCTOR_TITLE | F_ROLE)) return 'Doctor';
	if (after && after.flags & F_CREDENTIAL) return 'Doctor';
	return 'Patient';
}

function placeType(input: ScorerInput, i: number, j: number): EntityType {
	for (let k = i; k <= j; k++) {
		const w = classOf(input, k);
		if (w && w.flags & (F_HOSPITAL | F_FACILITY)) return 'Hospital';
	}
	if (i === j && classOf(input, i) && classOf(input, i)!.flags & F_CITY) return 'City';
	return 'LocationOther';
}
