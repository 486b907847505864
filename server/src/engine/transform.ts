import type { Dictionaries } from './dictionaries';
import { FACILITY_WORDS, MONTHS, NAME_CONNECTORS, PROFESSIONS_EN, PROFESSIONS_ES } from './lexicon';
import type { EntityType, Operation } from './types';
import { STREET_WORDS } from './detectors/addresses';

/** Compiled once (the bundler turns inline Unicode-property literals into per-call constructors). */
const HAS_LETTER = /\p{L}/u;

/** Keyed hash (HMAC-SHA256 in production), injected so the engine stays pure and tests deterministic. */
export type KeyedHash = (data: string) => Uint8Array;

export type { Operation };

export const DEFAULT_REDACTION_FORMAT = '[{TYPE}]';

/** Check an Azure-style redaction format: at most 16 characters, each variable at most once. */
export function validateRedactionFormat(format: string): string | undefined {
	if (format.length === 0 || format.length > 16) return 'The redaction format must have 1 to 16 characters.';
	for (const v of ['{type}', '{Type}', '{TYPE}', '{len}']) {
		if (format.split(v).length > 2) return `The variable ${v} may appear only once in the redaction format.`;
	}
	if (format.startsWith('{len}')) return 'The variable {len} must follow the character it repeats (for example *{len}).';
	return undefined;
}

/**
 * Apply an Azure redaction format: {type} lower case, {Type} as named, {TYPE} upper case, and {len} repeats the
 * character before it to the length of the original value.
 */
export function formatRedaction(format: string, type: EntityType, original: string): string {
	let out = format.replace('{type}', type.toLowerCase()).replace('{Type}', type).replace('{TYPE}', type.toUpperCase());
	const at = out.indexOf('{len}');
	if (at > 0) {
		const ch = out[at - 1];
		out = out.slice(0, at - 1) + ch.repeat(Math.max(1, [...original].length)) + out.slice(at + 5);
	}
	return out;
}

/** Same-length mask that keeps line breaks. */
export function maskSameLength(original: string, ch = '*'): string {
	return original.replace(/[^\r\n]/g, ch);
}

/** Deterministic choices from a keyed hash of (type, normalised value). */
class Picker {
	/** Hashed on first use: a picker that is never asked costs nothing. */
	private bytes: Uint8Array | undefined;
	private i = 0;
	constructor(
		private readonly hash: KeyedHash,
		private seed: string,
	) {}
	next(): number {
		if (!this.bytes) this.bytes = this.hash(this.seed);
		if (this.i + 4 > this.bytes.length) {
			// a long seed (a long value) goes on from its digest: hashed whole again on every refill, it made picks
			// for the words of one long value cost the square of its length
			// (the first block already is a keyed digest of the seed: it stands for it without hashing it again)
			if (this.seed.length > FPE_COMPACT) this.seed = `picker\u0000${hexDigest(this.bytes)}`;
			this.bytes = this.hash(this.seed + ':' + this.bytes.join(','));
			this.i = 0;
		}
		const b = this.bytes;
		const v = ((b[this.i] << 24) | (b[this.i + 1] << 16) | (b[this.i + 2] << 8) | b[this.i + 3]) >>> 0;
		this.i += 4;
		return v;
	}
	int(n: number): number {
		return n <= 0 ? 0 : this.next() % n;
	}
	pick<T>(list: readonly T[]): T {
		return list[this.int(list.length)];
	}
}

function applyCase(template: string, value: string): string {
	if (template.length > 1 && template === template.toUpperCase() && template !== template.toLowerCase()) return value.toUpperCase();
	if (template === template.toLowerCase() && template !== template.toUpperCase()) return value.toLowerCase();
	return value;
}

/**
 * Values of Feistel round functions over small domains, per keyed hash (the hash function stands for its key;
 * one table per use). Bounded: past the limit a table starts again.
 */
const ROUND_CACHES = new Map<string, WeakMap<KeyedHash, Map<string, unknown>>>();
function roundCache<T>(use: string, hash: KeyedHash): Map<string, T> {
	let byHash = ROUND_CACHES.get(use);
	if (!byHash) ROUND_CACHES.set(use, (byHash = new WeakMap()));
	let c = byHash.get(hash);
	if (!c || c.size >= 200_000) byHash.set(hash, (c = new Map()));
	return c as Map<string, T>;
}

/**
 * Values of the format-preserving Feistel rounds over halves of at most three characters (years, ages, short
 * codes), per keyed hash, shape and round, keyed by the half's digits packed into a number (no key string to
 * build and hash on the hot path of numbers). Bounded like the round caches.
 */
interface FpeTables {
	shapes: Map<string, Map<number, readonly number[]>[]>;
	size: number;
}
const FPE_TABLES = new WeakMap<KeyedHash, FpeTables>();
/** The tables of one key and shape (one map per round), and the key's tables (for their size). */
function fpeRounds(hash: KeyedHash, shape: string): { tables: FpeTables; byRound: Map<number, readonly number[]>[] } {
	let tables = FPE_TABLES.get(hash);
	if (!tables || tables.size >= 200_000) FPE_TABLES.set(hash, (tables = { shapes: new Map(), size: 0 }));
	let byRound = tables.shapes.get(shape);
	if (!byRound) tables.shapes.set(shape, (byRound = []));
	return { tables, byRound };
}

/** Values longer than this go through the format-preserving rounds by digest (see shapeSurrogate). */
const FPE_COMPACT = 64;

function hexDigest(b: Uint8Array): string {
	let s = '';
	for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
	return s;
}

/**
 * Replace digits with digits and letters with letters of the same case; punctuation and length stay. The map is
 * a keyed permutation of all values of the same shape (a character-wise Feistel network, then one step along
 * the permuted order: E⁻¹(E(x) + 1)), so two different values never share a surrogate, in any run under the same
 * key, and no value maps to itself.
 */
export function shapeSurrogate(original: string, hash: KeyedHash): string {
	// positions, radices and values of the letters and digits; the shape names each class ("999-AAA")
	const at: number[] = [];
	const radix: number[] = [];
	const val: number[] = [];
	let shape = '';
	for (let i = 0; i < original.length; i++) {
		const c = original.charCodeAt(i);
		if (c >= 48 && c <= 57) {
			at.push(i);
			radix.push(10);
			val.push(c - 48);
			shape += '9';
		} else if (c >= 97 && c <= 122) {
			at.push(i);
			radix.push(26);
			val.push(c - 97);
			shape += 'a';
		} else if (c >= 65 && c <= 90) {
			at.push(i);
			radix.push(26);
			val.push(c - 65);
			shape += 'A';
		} else {
			// copied as is, code unit by code unit (so an astral character stays whole)
			const ch = original[i];
			shape += ch === '9' || ch === 'a' || ch === 'A' ? '\\' + ch : ch;
		}
	}
	const n = val.length;
	if (n === 0) return original;
	const half = n >> 1 || n; // one position: a single half, a keyed shift
	const rounds = n === 1 ? 1 : 8;
	// A long value's shape and halves enter the round function as digests: hashed whole into every block, they
	// made the cost grow with the square of the length (each of ~n/32 blocks hashed ~n characters).
	const compact = original.length > FPE_COMPACT;
	const shapeKey = compact ? hexDigest(hash(`fpe shape\u0000${shape}`)) : shape;
	// a round function over a small domain (a half of three characters or fewer: years, ages, short codes) is kept
	const { tables, byRound } = fpeRounds(hash, shapeKey);
	const prefix = compact ? `fpe\u0001${shapeKey}\u0000` : `fpe\u0000${shape}\u0000`;
	const prf = (round: number, y: number[], flo: number, fhi: number, len: number): readonly number[] => {
		// values are below 32 (radix 10 or 26), and a shape and round fix the half's length: the packing is one-to-one
		const small = fhi - flo <= 3;
		let key = 0;
		if (small) {
			for (let i = flo; i < fhi; i++) key = key * 32 + y[i];
			const hit = byRound[round]?.get(key);
			if (hit) return hit;
		}
		let x = '';
		for (let i = flo; i < fhi; i++) x += i === flo ? String(y[i]) : ',' + y[i];
		if (compact) x = hexDigest(hash(`fpe half\u0000${x}`));
		const out: number[] = [];
		for (let block = 0; out.length < len; block++) {
			const b = hash(`${prefix}${round}\u0000${block}\u0000${x}`);
			for (let j = 0; j < b.length - 1 && out.length < len; j += 2) out.push((b[j] << 8) | b[j + 1]);
		}
		if (small) {
			(byRound[round] ??= new Map()).set(key, out);
			tables.size++;
		}
		return out;
	};
	const feistel = (y: number[], inverse: boolean): void => {
		for (let k = 0; k < rounds; k++) {
			const r = inverse ? rounds - 1 - k : k;
			// even rounds change the first half from the second; odd rounds the second from the first
			const even = r % 2 === 0;
			const lo = even ? 0 : half;
			const hi = even ? half : n;
			if (hi <= lo) continue;
			const f = even ? prf(r, y, half, n, hi - lo) : prf(r, y, 0, half, hi - lo);
			for (let i = lo; i < hi; i++) y[i] = (((y[i] + (inverse ? -f[i - lo] : f[i - lo])) % radix[i]) + radix[i]) % radix[i];
		}
	};
	const y = val;
	feistel(y, false);
	for (let i = n - 1; i >= 0; i--) {
		y[i] = (y[i] + 1) % radix[i];
		if (y[i] !== 0) break;
	}
	feistel(y, true);
	let out = '';
	let from = 0;
	for (let i = 0; i < n; i++) {
		const pos = at[i];
		const c = original.charCodeAt(pos);
		out += original.slice(from, pos) + String.fromCharCode((radix[i] === 10 ? 48 : c >= 97 ? 97 : 65) + y[i]);
		from = pos + 1;
	}
	return out + original.slice(from);
}

/**
 * Three-digit ZIP prefixes whose areas held 20,000 people or fewer (HHS de-identification guidance, 2000 census):
 * under Safe Harbor they become 000.
 */
export const RESTRICTED_ZIP3: ReadonlySet<string> = new Set(['036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830', '831', '878', '879', '884', '890', '893']);

/** Pad like the original component: two digits only when it was written with a leading zero. */
const pad = (n: number, len: number | string) => (typeof len === 'string' ? (len.length === 2 && len[0] === '0' ? String(n).padStart(2, '0') : String(n)) : String(n).padStart(len, '0'));

/**
 * The digit style of a numeric month/day pair: zero-padded when either field has a leading zero or both have two
 * digits (03/14 → 04/04), unpadded when either has one digit (3/14 → 4/4).
 */
function fieldWidth(a: string, b: string): (n: number) => string {
	const padded = a.startsWith('0') || b.startsWith('0') || (a.length === 2 && b.length === 2);
	return (n) => (padded ? String(n).padStart(2, '0') : String(n));
}

/** Shift a date by `days`, keeping its written pattern; undefined when the value is not a parseable date. */
export function shiftDate(original: string, days: number): string | undefined {
	const shift = (y: number, m: number, d: number) => {
		const t = Date.UTC(y, m - 1, Math.min(d, 28 + 3)) + days * 86400000;
		const dt = new Date(t);
		return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
	};
	let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(.*)$/s.exec(original);
	if (m) {
		const r = shift(+m[1], +m[2], +m[3]);
		return `${r.y}-${pad(r.m, m[2].length)}-${pad(r.d, m[3].length)}${m[4]}`;
	}
	m = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$/.exec(original);
	if (m) {
		const yy = m[4].length === 2 ? 2000 + +m[4] - (+m[4] > 40 ? 100 : 0) : +m[4];
		if (+m[1] > 12) return undefined;
		const r = shift(yy, +m[1], +m[3]);
		const y = m[4].length === 2 ? pad(r.y % 100, 2) : String(r.y);
		const f = fieldWidth(m[1], m[3]);
		return `${f(r.m)}${m[2]}${f(r.d)}${m[2]}${y}`;
	}
	m = /^(\d{1,2})\/(\d{1,2})$/.exec(original);
	if (m) {
		if (+m[1] > 12) return undefined;
		const r = shift(2001, +m[1], +m[2]);
		const f = fieldWidth(m[1], m[2]);
		return `${f(r.m)}/${f(r.d)}`;
	}
	m = /^(\d{4})$/.exec(original);
	if (m) {
		const years = Math.round(days / 365.25);
		return String(+m[1] + (years === 0 ? (days >= 0 ? 1 : -1) : years));
	}
	// "12-Jan-2020", "4 Nov 2020", "10 Janvier", "5 de enero de 2021": day first, month name kept in its language
	m = /^(\d{1,2})(st|nd|rd|th|º)?([\s-]+(?:de\s+)?)([\p{L}]+)(\.?)(?:([\s,-]+(?:de\s+)?)(\d{4}|\d{2}))?$/u.exec(original);
	if (m && MONTHS.has(m[4].toLowerCase())) {
		const yy = m[7] ? (m[7].length === 2 ? 2000 + Number(m[7]) : Number(m[7])) : 2001;
		const r = shift(yy, MONTHS.get(m[4].toLowerCase())!, Number(m[1]));
		const name = monthNameLike(r.m, m[4]);
		const year = m[7] ? (m[7].length === 2 ? pad(r.y % 100, 2) : String(r.y)) : '';
		return `${pad(r.d, m[1])}${m[2] ? ordinal(r.d) : ''}${m[3]}${name}${m[5]}${m[7] ? m[6] + year : ''}`;
	}
	m = /^([A-Za-zéû]+)(\.?)(\s+)(\d{1,2})(st|nd|rd|th)?(?:(,?\s+)(\d{4}))?$/.exec(original);
	if (m && MONTHS.has(m[1].toLowerCase())) {
		const r = shift(m[7] ? +m[7] : 2001, MONTHS.get(m[1].toLowerCase())!, +m[4]);
		const name = monthName(r.m, m[1]);
		const ord = m[5] ? ordinal(r.d) : '';
		return `${name}${m[2]}${m[3]}${r.d}${ord}${m[7] ? m[6] + r.y : ''}`;
	}
	return undefined;
}

const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
function monthName(m: number, template: string): string {
	const full = EN_MONTHS[m - 1];
	const abbreviated = template.length <= 4 && template.toLowerCase() !== 'june' && template.toLowerCase() !== 'july';
	return applyCase(template, abbreviated ? full.slice(0, template.length === 4 ? 4 : 3) : full);
}
/** The month's name in the template's language and form (falls back to English). */
function monthNameLike(month: number, template: string): string {
	const lower = template.toLowerCase();
	for (const list of [EN_MONTHS, ES_MONTHS, FR_MONTHS, DE_MONTHS]) {
		const idx = list.findIndex((x) => x.toLowerCase() === lower || (lower.length <= 4 && x.toLowerCase().startsWith(lower)));
		if (idx >= 0) {
			const full = list[month - 1];
			const out = (lower.length <= 4 && list[idx].length > lower.length ? full.slice(0, template.length) : full).toLowerCase();
			if (template === template.toUpperCase()) return out.toUpperCase();
			return template[0] === template[0].toUpperCase() ? out[0].toUpperCase() + out.slice(1) : out;
		}
	}
	return monthName(month, template);
}
const ES_MONTHS = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'];
const FR_MONTHS = ['Janvier', 'Février', 'Mars', 'Avril', 'Mai', 'Juin', 'Juillet', 'Août', 'Septembre', 'Octobre', 'Novembre', 'Décembre'];
const DE_MONTHS = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];

function ordinal(d: number): string {
	if (d % 100 >= 11 && d % 100 <= 13) return 'th';
	return ['th', 'st', 'nd', 'rd'][d % 10] ?? 'th';
}

export interface SurrogateContext {
	dicts: Dictionaries;
	hash: KeyedHash;
	/** Days to shift dates by (one offset per patient in folder jobs). */
	dateShiftDays: number;
	/** Optional cache of computed surrogates (same key and offset only). */
	memo?: Map<string, string>;
	/** Distinguishes memo entries of differently salted hashes sharing one memo. */
	memoPrefix?: string;
	/** What replaces an age over 89 (default "90+"). */
	ageOver89?: string;
	/** Surrogate locale (en-US default; en-GB, fr-CA, fr-FR, de-DE, es-ES). */
	locale?: string;
	/**
	 * Run-wide uniqueness (folder jobs): the salt of a surrogate unit (0 unless a collision moved it), and a
	 * recorder of every unit's surrogate key. See {@link SURROGATE_UNIT_TYPES}.
	 */
	saltOf?: (unit: string) => number;
	claim?: (unit: string, key: string, salt: number) => void;
	/**
	 * Note-local variants of name words (a word's surrogate is an original near it): `clashes` tells which words
	 * need one; `salt` counts the attempts.
	 */
	avoid?: { salt: number; clashes: (word: string) => boolean };
}

/**
 * Types whose surrogates come from word lists (names, places, addresses on the web): their uniqueness within a
 * run is checked by the folder job through claims. Identifier shapes, listed states, countries and professions
 * are unique by construction (keyed permutations); dates shift and ages over 89 and ZIP codes generalise, so
 * those are not claimed.
 */
export const SURROGATE_UNIT_TYPES: ReadonlySet<EntityType> = new Set(['Patient', 'Doctor', 'City', 'Hospital', 'Organization', 'LocationOther', 'Street', 'Email', 'Url', 'IPAddress']);

/** The keyed digest that stands for a surrogate unit or key in claims (never the text itself). */
export function claimDigest(hash: KeyedHash, text: string): string {
	const b = hash(`claim\u0000${text}`);
	let out = '';
	for (let i = 0; i < 12; i++) out += (b[i] < 16 ? '0' : '') + b[i].toString(16);
	return out;
}

interface Pools {
	male: readonly string[];
	female: readonly string[];
	surnames: readonly string[];
	placeWords: readonly string[];
	cities: readonly string[];
	/** The locale's street types that read as such ("Avenue", "Calle") and company forms ("LLC", "S.L."). */
	streetTypes: readonly string[];
	companySuffixes: readonly string[];
}
/** Street types common enough to read as a street's ("Avenue", "Calle", "Paseo"). */
const COMMON_STREET_TYPES: ReadonlySet<string> = new Set(['street', 'avenue', 'road', 'drive', 'lane', 'court', 'place', 'boulevard', 'way', 'circle', 'terrace', 'parkway', 'calle', 'avenida', 'plaza', 'paseo', 'camino', 'ronda', 'travesía', 'carretera', 'rue', 'chemin', 'allée', 'boulevard', 'straße', 'weg', 'gasse', 'platz', 'allee']);
const POOLS = new WeakMap<Dictionaries, Map<string, Pools>>();
/**
 * Surrogate pools per locale, computed once per dictionary set (not per value: this is the hot path of folder
 * jobs). en-US uses the census lists; other locales use their locale data where it exists. A value a run-wide
 * collision moved (salt 1 and up) draws from the wide pools: every name the census lists.
 */
function pools(d: Dictionaries, locale = 'en-US', wide = false): Pools {
	let byLocale = POOLS.get(d);
	if (!byLocale) POOLS.set(d, (byLocale = new Map()));
	const id = wide ? `${locale}\u0000wide` : locale;
	let p = byLocale.get(id);
	if (!p) {
		const l = locale === 'en-US' ? undefined : d.raw.locales?.[locale];
		const own = l && l.last.length && l.female.length && l.male.length;
		let base: Omit<Pools, 'streetTypes' | 'companySuffixes'>;
		if (wide) {
			const join = (a: readonly string[] | undefined, b: readonly string[]) => [...new Set([...(a ?? []), ...b])];
			// first names run out first (a few thousand): past the census lists, any name will do
			const names = join(d.raw.firstMale, join(d.raw.firstFemale, d.raw.last));
			base = { male: join(own ? l!.male : undefined, names), female: join(own ? l!.female : undefined, names), surnames: join(own ? l!.last : undefined, d.raw.last), placeWords: join(own ? l!.last : undefined, d.raw.last), cities: join(own ? l!.cities : undefined, d.raw.cities) };
		} else {
			base = own
				? { male: l!.male, female: l!.female, surnames: l!.last, placeWords: l!.last, cities: l!.cities.length ? l!.cities : d.raw.cities }
				: { male: d.raw.firstMale, female: d.raw.firstFemale, surnames: d.raw.last.slice(0, 20000), placeWords: d.raw.last.slice(0, 10000), cities: d.raw.cities };
		}
		// street types that read as such (the locale lists hold "Burgs", "Extramuros"); company forms as listed
		const ll = d.raw.locales?.[locale] ?? d.raw.locales?.['en-US'];
		const streetTypes = (ll?.streetTypes ?? []).filter((t) => COMMON_STREET_TYPES.has(t.toLowerCase()));
		p = { ...base, streetTypes: streetTypes.length ? streetTypes : ['Street', 'Avenue', 'Road'], companySuffixes: ll?.companySuffixes ?? [] };
		byLocale.set(id, p);
	}
	return p;
}


/**
 * A keyed permutation of 0..n-1 without fixed points: a bit-wise Feistel network with cycle walking, E, then one
 * step along the permuted order: E⁻¹(E(i) + 1 mod n). Dictionary names map through it onto the same dictionary,
 * so no two of them share a surrogate (in any run under the same key) and none keeps its own.
 */
export function permuteIndex(i: number, n: number, hash: KeyedHash, label: string): number {
	if (n < 2) return i;
	const bits = Math.max(2, Math.ceil(Math.log2(n)));
	const lo = bits >> 1;
	const hiBits = bits - lo;
	// the round function's domain is only 2^(bits/2) per round, so its values are kept per key
	const cache = roundCache<number>('perm', hash);
	const f = (r: number, x: number, width: number) => {
		const k = `perm\u0000${label}\u0000${r}\u0000${x}`;
		let v = cache.get(k);
		if (v === undefined) {
			const b = hash(k);
			cache.set(k, (v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0));
		}
		return v % 2 ** width;
	};
	const ROUNDS = 6;
	const round = (x: number, inverse: boolean) => {
		let h = Math.floor(x / 2 ** lo);
		let l = x % 2 ** lo;
		for (let k = 0; k < ROUNDS; k++) {
			const r = inverse ? ROUNDS - 1 - k : k;
			if (r % 2 === 0) h = inverse ? (h - f(r, l, hiBits) + 2 ** hiBits) % 2 ** hiBits : (h + f(r, l, hiBits)) % 2 ** hiBits;
			else l = inverse ? (l - f(r, h, lo) + 2 ** lo) % 2 ** lo : (l + f(r, h, lo)) % 2 ** lo;
		}
		return h * 2 ** lo + l;
	};
	const walk = (x: number, inverse: boolean) => {
		do x = round(x, inverse);
		while (x >= n);
		return x;
	};
	return walk((walk(i, false) + 1) % n, true);
}

/** Dictionary lists without case duplicates, and each name's place in them (for {@link permuteIndex}). */
const UNIQUE = new WeakMap<readonly string[], { list: string[]; at: Map<string, number> }>();
function uniqueList(list: readonly string[]): { list: string[]; at: Map<string, number> } {
	let u = UNIQUE.get(list);
	if (!u) {
		const at = new Map<string, number>();
		const out: string[] = [];
		for (const x of list) {
			const k = x.toLowerCase();
			if (!at.has(k)) (at.set(k, out.length), out.push(x));
		}
		UNIQUE.set(list, (u = { list: out, at }));
	}
	return u;
}
/**
 * The census name lists as surrogate targets: female first names map onto the female list, male first names
 * onto the male list less the names it shares with the female list, surnames onto the surname list less every
 * first name. The places those leave empty are filled with other names from the dictionaries (listed as neither),
 * so each list keeps its size and the three never share a word: a first name and a surname never come out as one
 * word. A name keeps its place where it stays, so no name maps to itself.
 */
const NAME_TARGETS = new WeakMap<Dictionaries, Record<'f' | 'm' | 's', { from: { list: string[]; at: Map<string, number> }; to: string[]; spare: string[] }>>();
function nameTargets(dicts: Dictionaries) {
	let t = NAME_TARGETS.get(dicts);
	if (!t) {
		const raw = dicts.raw;
		const f = uniqueList(raw.firstFemale);
		const m = uniqueList(raw.firstMale);
		const sn = uniqueList(raw.last);
		const listed = (w: string) => f.at.has(w) || m.at.has(w) || sn.at.has(w);
		// spare words already given out (as padding or as another kind's spares)
		const used = new Set<string>();
		const spare = (candidates: Iterable<string>) => {
			const seen = new Set<string>();
			const out: string[] = [];
			for (const c of candidates) {
				const w = c.toLowerCase();
				if (/^\p{L}{3,}$/u.test(c) && !listed(w) && !seen.has(w) && !used.has(w)) (seen.add(w), out.push(c));
			}
			return out;
		};
		const fill = (from: { list: string[] }, taken: (w: string) => boolean, pad: string[]) => {
			let k = 0;
			return from.list.map((w) => {
				if (!taken(w.toLowerCase()) || k >= pad.length) return w;
				used.add(pad[k].toLowerCase());
				return pad[k++];
			});
		};
		const locales = Object.values(raw.locales ?? {});
		const more = raw.spareNames;
		const fSpare = spare([...locales.flatMap((l) => l.female), ...(more?.female ?? [])]);
		fSpare.forEach((w) => used.add(w.toLowerCase()));
		const mPad = spare([...locales.flatMap((l) => l.male), ...(more?.male ?? [])]);
		const mTo = fill(m, (w) => f.at.has(w), mPad);
		const mSpare = mPad.filter((w) => !used.has(w.toLowerCase()));
		mSpare.forEach((w) => used.add(w.toLowerCase()));
		const sPad = spare([...locales.flatMap((l) => l.last), ...(more?.last ?? []), ...raw.otherNames]);
		const sTo = fill(sn, (w) => f.at.has(w) || m.at.has(w), sPad);
		// what the padding left over: the words note-local variants are drawn from (outside every permutation)
		const sSpare = sPad.filter((w) => !used.has(w.toLowerCase()));
		NAME_TARGETS.set(dicts, (t = { f: { from: f, to: f.list, spare: fSpare }, m: { from: m, to: mTo, spare: mSpare }, s: { from: sn, to: sTo, spare: sSpare } }));
	}
	return t;
}

/** The surrogate of a census name word of one kind (en-US, salt 0), or undefined when the word is not listed. */
function permutedName(dicts: Dictionaries, kind: 'f' | 'm' | 's', word: string, hash: KeyedHash): string | undefined {
	const t = nameTargets(dicts)[kind];
	const i = t.from.at.get(word);
	return i === undefined ? undefined : t.to[permuteIndex(i, t.to.length, hash, `name\u0000${kind}`)];
}

/**
 * A note-local variant of a name word from the spare names of its kind (en-US): a listed name within the spare
 * list's size maps through a keyed permutation of it, so two such variants never share a word; other words pick.
 */
function spareVariant(dicts: Dictionaries, kind: 'f' | 'm' | 's', word: string, hash: KeyedHash, label: string): string | undefined {
	const t = nameTargets(dicts)[kind];
	if (t.spare.length === 0) return undefined;
	const i = t.from.at.get(word);
	if (i !== undefined && i < t.spare.length) return t.spare[permuteIndex(i, t.spare.length, hash, label)];
	const p = new Picker(hash, `${label}\u0000${word}`);
	let v = p.pick(t.spare);
	if (v.toLowerCase() === word) v = p.pick(t.spare);
	return v;
}

/** The dictionary surrogate of a dictionary word (en-US, salt 0), or undefined when the word is not listed. */
function permuted(list: readonly string[], word: string, hash: KeyedHash, label: string): string | undefined {
	const u = uniqueList(list);
	const i = u.at.get(word);
	return i === undefined ? undefined : u.list[permuteIndex(i, u.list.length, hash, label)];
}

const MEMO_MAX = 60_000;
/** Types whose surrogates are worth remembering: names and places recur; dates, phones and numbers are mostly unique. */
const MEMO_TYPES: ReadonlySet<EntityType> = new Set(['Patient', 'Doctor', 'Hospital', 'Organization', 'City', 'Street', 'State', 'LocationOther', 'CountryOrRegion', 'Profession', 'Username', 'Email']);
/** Bounded memo: past the limit the oldest quarter goes (not everything: unique phones and record numbers would otherwise flush the names). */
function remember(memo: Map<string, string>, k: string, v: string): void {
	if (memo.size >= MEMO_MAX) {
		let n = MEMO_MAX >> 2;
		for (const key of memo.keys()) {
			memo.delete(key);
			if (--n <= 0) break;
		}
	}
	memo.set(k, v);
}

/** A unit or post-office box at the end of a street value: its word (kept) and its number (changed). */
const STREET_UNIT = /((?:,?[ \t]{1,3}|[ \t]{0,3}\r?\n[ \t]{0,3})(?:(?:apt|apartment|unit|suite|ste|room|rm|floor|fl|bldg|building|flat)\.?(?=[ \t#\d])|#)[ \t]{0,2}#?[ \t]{0,2})([A-Za-z0-9][A-Za-z0-9-]{0,5})$/i;
const PO_BOX = /^((?:p\.?[ \t]?o\.?|post[ \t]office)[ \t]{0,2}box[ \t]{0,2}#?[ \t]{0,2})(\d{1,10})$/i;
const LINE_BREAK = /[\n\r\u2028\u2029]/;
const BLANK = /\s/;

/**
 * "1457 Larkspur Avenue" → number, blank, name, last word with its blank before it; undefined when the value is
 * not of that form. Same parts as /^(\d+)(\s+)(.*?)(\s+\S+\.?)$/ (a test holds them together), found in one
 * pass: that pattern backtracks through every blank of a long run.
 */
export function splitStreet(v: string): [string, string, string, string] | undefined {
	const ws = (c: string) => BLANK.test(c);
	let i = 0;
	while (i < v.length && v.charCodeAt(i) >= 48 && v.charCodeAt(i) <= 57) i++;
	if (i === 0 || i >= v.length || !ws(v[i])) return undefined;
	let j = i;
	while (j < v.length && ws(v[j])) j++;
	// the last word, and the run of blanks before it
	let k = v.length;
	while (k > j && !ws(v[k - 1])) k--;
	if (k === v.length) return undefined;
	let b = k;
	while (b > i && ws(v[b - 1])) b--;
	if (b < j) {
		// one run of blanks between the number and the last word: the number's blank keeps all but its last one
		return j - i >= 2 ? [v.slice(0, i), v.slice(i, j - 1), '', v.slice(j - 1)] : undefined;
	}
	const middle = v.slice(j, b);
	if (LINE_BREAK.test(middle)) return undefined;
	return [v.slice(0, i), v.slice(i, j), middle, v.slice(b)];
}

const normalise = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** A word of a value: its text and the blanks after it. */
const WORD_SPLIT = /(\s+)/;
const DIGITS = /^\d/;
/** Spanish (and French) streets put their type first: "Calle del Pilar 14", "Avenida de América". */
const TYPE_FIRST_LOCALES = new Set(['es-ES', 'fr-FR', 'fr-CA']);

/**
 * A realistic name for the proper part of a facility or street: a surname, a town of the locale, or a saint's
 * name ("Saint Agnes", "San Andrés"), from the locale's pools. A single listed surname (en-US, salt 0) maps
 * through the surname list's permutation, so two such names never share a surrogate.
 */
function properName(words: readonly string[], salt: number, p: Picker, pool: Pools, sc: SurrogateContext, label: string): string {
	const lw = words.length === 1 ? words[0].toLowerCase() : '';
	if (lw && salt === 0 && (sc.locale ?? 'en-US') === 'en-US') {
		const raw = sc.dicts.raw;
		const v = !sc.avoid ? permuted(raw.last, lw, sc.hash, label) : nameTargets(sc.dicts).s.from.at.has(lw) ? spareVariant(sc.dicts, 's', lw, sc.hash, `variant${sc.avoid.salt}\u0000${label}`) : undefined;
		if (v) return v;
	}
	const old = new Set(words.map((w) => w.toLowerCase()));
	for (let k = 0; ; k++) {
		const kind = p.int(4);
		const es = (sc.locale ?? 'en-US').startsWith('es');
		const v = kind === 0 && pool.cities.length ? p.pick(pool.cities) : kind === 1 ? (es ? (p.int(2) ? `San ${p.pick(pool.male)}` : `Santa ${p.pick(pool.female)}`) : `Saint ${p.pick(p.int(2) ? pool.male : pool.female)}`) : p.pick(pool.placeWords);
		if (k >= 4 || !v.split(' ').some((w) => old.has(w.toLowerCase()))) return v;
	}
}

/**
 * Facility, organisation and other place names keep their generic words (the head noun and its qualifiers:
 * "Memorial Hospital", "County Library", "Hospital Universitario") and get a real-looking proper part from the
 * locale's pools; a value with no generic word gets a whole name of its kind.
 */
function facilitySurrogate(type: EntityType, original: string, salt: number, p: Picker, pool: Pools, sc: SurrogateContext): string {
	const parts = original.split(WORD_SPLIT);
	const generic = (w: string) => FACILITY_WORDS.has(w.toLowerCase().replace(/[.,;:]$/, '')) || NAME_CONNECTORS.has(w.toLowerCase());
	let out = '';
	let run: string[] = [];
	let heads = 0;
	let proper = 0;
	const flush = () => {
		if (!run.length) return;
		out += applyCase(run[0], properName(run, salt, p, pool, sc, 'place'));
		run = [];
		proper++;
	};
	for (let i = 0; i < parts.length; i += 2) {
		const w = parts[i];
		const blank = parts[i + 1] ?? '';
		if (!w) {
			out += blank;
			continue;
		}
		if (!HAS_LETTER.test(w) && !DIGITS.test(w)) {
			flush();
			out += w + blank;
		} else if (generic(w) && HAS_LETTER.test(w)) {
			flush();
			heads += FACILITY_WORDS.has(w.toLowerCase()) ? 1 : 0;
			out += w + blank;
		} else if (DIGITS.test(w)) {
			flush();
			out += shapeSurrogate(w, sc.hash) + blank;
		} else {
			// the run's blanks go with it: the surrogate name stands in for the whole run
			run.push(w);
			if (i + 2 < parts.length && !generic(parts[i + 2]) && HAS_LETTER.test(parts[i + 2])) continue;
			flush();
			out += blank;
		}
	}
	flush();
	if (proper > 0 && heads > 0) return out;
	const es = (sc.locale ?? 'en-US').startsWith('es');
	const name = properName([original], salt, p, pool, sc, 'place');
	// only generic words ("General Hospital"): a proper name goes before (after, in Spanish) them
	if (heads > 0) return es ? `${out.trimEnd()} ${name}` : `${name} ${out}`;
	// no head noun: a whole name of the type's kind
	const casedOut = (v: string) => applyCase(original, v);
	if (type === 'Hospital') {
		const head = es ? p.pick(['Hospital', 'Clínica', 'Hospital Universitario', 'Centro de Salud']) : p.pick(['Hospital', 'Medical Center', 'Clinic', 'Health System', 'Memorial Hospital']);
		return casedOut(es ? `${head} ${name}` : `${name} ${head}`);
	}
	if (type === 'Organization') {
		const forms = pool.companySuffixes.length ? pool.companySuffixes : ['LLC', 'Inc', 'Group'];
		const a = p.pick(pool.surnames);
		let b = p.pick(pool.surnames);
		if (b === a) b = p.pick(pool.surnames);
		return casedOut(p.int(2) ? `${a} ${es ? 'y' : '&'} ${b} ${p.pick(forms)}` : es ? `${p.pick(['Biblioteca', 'Fundación', 'Asociación'])} ${name}` : `${name} ${p.pick(['Library', 'Foundation', 'Associates', 'Group'])}`);
	}
	return casedOut(name);
}

/** A house number: digits for digits, never written with a leading zero the original did not have, never itself. */
function houseNumber(d: string, hash: KeyedHash): string {
	// The keyed permutation has fixed points, and the leading-zero repair can lead back to the original ("273" →
	// "073" → "273"); a house number needs no inverse, so another tweak of the key replaces such a number.
	let v = noLeadingZero(d, shapeSurrogate(d, hash));
	for (let k = 1; v === d && k <= 3; k++) v = noLeadingZero(d, shapeSurrogate(d, (x) => hash(`house ${k}\u0000${x}`)));
	if (v === d) v = v.slice(0, -1) + String((Number(v[v.length - 1]) + 1) % 10);
	return v;
}

function noLeadingZero(d: string, v: string): string {
	if (v[0] !== '0' || d[0] === '0') return v;
	let sum = 0;
	for (let i = 1; i < v.length; i++) sum += v.charCodeAt(i) - 48;
	return String(1 + (sum % 9)) + v.slice(1);
}

/**
 * A street of the locale: its number changes (digits for digits), its type word stays ("Street", "Calle"), and
 * its name comes from the pools: "14 Oak Street" → "2291 Dunmore Street", "Calle del Pilar 14" → "Calle de
 * Cervantes 63". A street without a type word gets one of the locale's.
 */
function streetSurrogate(street: string, norm: string, p: Picker, pool: Pools, sc: SurrogateContext): string {
	const parts = street.split(WORD_SPLIT);
	const typeWord = (w: string) => STREET_WORDS.has(w.replace(/[.,]$/, '').toLowerCase());
	const typeFirst = TYPE_FIRST_LOCALES.has(sc.locale ?? 'en-US');
	// the words with letters; the street's type is the last of them ("… Oak Street") or, failing that, the first
	// ("Calle …"); the others are its name ("Hill" in "903 Hill Drive" is a name, not a type)
	const letters: number[] = [];
	for (let i = 0; i < parts.length; i += 2) if (parts[i] && HAS_LETTER.test(parts[i]) && !DIGITS.test(parts[i])) letters.push(i);
	let typeAt = -1;
	if (letters.length && typeWord(parts[letters[letters.length - 1]]) && (letters.length > 1 || !typeFirst)) typeAt = letters[letters.length - 1];
	else if (letters.length && typeWord(parts[letters[0]])) typeAt = letters[0];
	const old = new Set(norm.split(' '));
	let name = p.pick(pool.placeWords);
	for (let k = 0; k < 4 && old.has(name.toLowerCase()); k++) name = p.pick(pool.placeWords);
	// "Calle del Pilar" → "Calle de Murillo": the article went with the old name
	const named = letters.some((i) => i !== typeAt && !NAME_CONNECTORS.has(parts[i].toLowerCase()));
	const nameOut = (typeFirst ? 'de ' : '') + name;
	let out = '';
	let done = false;
	for (let i = 0; i < parts.length; i += 2) {
		const w = parts[i];
		const blank = parts[i + 1] ?? '';
		if (!w) out += blank;
		else if (DIGITS.test(w) || !HAS_LETTER.test(w)) out += w.replace(/\d+/g, (d) => houseNumber(d, sc.hash)) + blank; // "221B", "14", "#"
		else if (i === typeAt) out += w + blank;
		else if (!done) {
			// the first name word (or a connector before it) stands for the whole name, with the blank after its last word
			let j = i;
			while (j + 2 < parts.length && parts[j + 2] && j + 2 !== typeAt && HAS_LETTER.test(parts[j + 2]) && !DIGITS.test(parts[j + 2])) j += 2;
			out += applyCase(named ? parts[letters.find((k) => k !== typeAt && !NAME_CONNECTORS.has(parts[k].toLowerCase())) ?? i] : w, name).replace(/^/, typeFirst ? 'de ' : '') + (parts[j + 1] ?? '');
			done = true;
			i = j;
		}
	}
	if (!done) {
		// only a type and a number ("Calle 14", "Main St"): a name beside the type
		return typeFirst ? out.replace(/^(\S+)(\s+)/, (_m, t: string, b: string) => `${t}${b}${nameOut}${b}`) : `${name} ${out}`;
	}
	if (typeAt < 0) {
		const t = p.pick(pool.streetTypes.length ? pool.streetTypes : ['Street']);
		return typeFirst ? `${t} ${out}` : `${out.trimEnd()} ${t}`;
	}
	return out;
}


/** A realistic replacement for one value; the same (type, value) under the same key always gets the same one. */
export function surrogateFor(type: EntityType, original: string, sc: SurrogateContext): string {
	// Names are claimed word by word (inside), so with a recorder they skip the whole-value memo.
	const person = type === 'Patient' || type === 'Doctor';
	const unitType = SURROGATE_UNIT_TYPES.has(type) && !person;
	const norm = person ? '' : normalise(original);
	const unit = unitType ? `${type}\u0000${norm}` : '';
	const salt = unitType && sc.saltOf ? sc.saltOf(unit) : 0;
	const memo = MEMO_TYPES.has(type) && !(person && (sc.claim || sc.saltOf || sc.avoid)) ? sc.memo : undefined;
	let v: string | undefined;
	let k = '';
	if (memo) {
		// only dates depend on the offset: other types share entries across patients
		k = `${sc.memoPrefix ?? ''}${type}\u0000${type === 'Date' ? sc.dateShiftDays : ''}\u0000${sc.locale ?? ''}\u0000${salt}\u0000${original}`;
		v = memo.get(k);
	}
	if (v === undefined) {
		v = computeSurrogate(type, original, norm, salt, sc);
		if (memo) remember(memo, k, v);
	}
	if (unitType && sc.claim) sc.claim(unit, `${type}\u0000${normalise(v)}`, salt);
	return v;
}

function computeSurrogate(type: EntityType, original: string, norm: string, salt: number, sc: SurrogateContext): string {
	const p = new Picker(sc.hash, salt ? `${type}\u0000${norm}\u0000salt${salt}` : `${type}\u0000${norm}`);
	const raw = sc.dicts.raw;
	const pool = pools(sc.dicts, sc.locale, salt >= 1);
	const name = (list: readonly string[]) => {
		let v = p.pick(list);
		for (let k = 0; k < 4 && v.toLowerCase() === norm; k++) v = p.pick(list);
		return v;
	};
	switch (type) {
		case 'Patient':
		case 'Doctor': {
			const words = original.split(/(\s+|,\s*|\.\s*)/);
			// "Last, First" puts the surname before the comma; otherwise the last word is the surname.
			const comma = words.findIndex((x, k) => k % 2 === 1 && x.includes(','));
			return words
				.map((w, i) => {
					if (i % 2 === 1 || !HAS_LETTER.test(w)) return w;
					// An initial maps by its letter alone, so "M. Okafor" and "Margaret Okafor" stay one surrogate person's.
					if (w.length === 1) return applyCase(w, String.fromCharCode(65 + new Picker(sc.hash, `initial\u0000${w.toLowerCase()}`).int(26)));
					const lw = w.toLowerCase();
					// a lower-case particle inside a name ("Jennifer de Anda", "van der") is no name word of its own
					if (w === lw && words.length > 1 && NAME_CONNECTORS.has(lw)) return w;
					const fi = sc.dicts.firstNames.get(lw);
					const isLastWord = comma >= 0 ? i < comma : i === words.length - 1 && words.length > 1;
					const kind: 'f' | 'm' | 's' = fi && !isLastWord ? fi.gender! : 's';
					// One word, one surrogate word, whoever bears it (patient or clinician): "Mrs. Hodges" and
					// "HODGES, A" share it, and the run-wide uniqueness check works on words.
					const unit = `name\u0000${kind}\u0000${lw}`;
					const wsalt = sc.saltOf ? sc.saltOf(unit) : 0;
					const wk = `${sc.memoPrefix ?? ''}w\u0000${kind}\u0000${sc.locale ?? ''}\u0000${wsalt}\u0000${lw}`;
					const en = (sc.locale ?? 'en-US') === 'en-US';
					let v = sc.memo?.get(wk);
					if (v === undefined) {
						// en-US: a listed name maps through a keyed permutation of its census list; other names and
						// other locales pick from the pools (the folder job resolves what collides)
						v = wsalt === 0 && en ? permutedName(sc.dicts, kind, lw, sc.hash) : undefined;
						// an unlisted name (en-US) picks from the spare names, outside every listed name's surrogate
						if (v === undefined && wsalt === 0 && en) v = spareVariant(sc.dicts, kind, lw, sc.hash, 'unlisted');
						if (v === undefined) {
							const wpool = wsalt >= 1 ? pools(sc.dicts, sc.locale, true) : pool;
							const list = kind === 'm' ? wpool.male : kind === 'f' ? wpool.female : wpool.surnames;
							const wp = new Picker(sc.hash, wsalt ? `name\u0000${lw}\u0000salt${wsalt}` : `name\u0000${lw}`);
							v = wp.pick(list);
							if (v.toLowerCase() === lw) v = wp.pick(list);
						}
						if (sc.memo) remember(sc.memo, wk, v);
					}
					// the key is the word alone: a first name and a surname must not come out as one word either
					sc.claim?.(unit, `name\u0000${v.toLowerCase()}`, wsalt);
					if (sc.avoid?.clashes(v)) {
						// This word's surrogate is an original name near it: the note gets a variant of this word alone,
						// a unit of its own for the run-wide check. en-US variants come from the names outside the
						// permutations, so they never land on a listed name's surrogate; past a collision (vsalt ≥ 1)
						// they draw from the wide pools like any moved value.
						const vunit = `avoid${sc.avoid.salt}\u0000${unit}`;
						const vsalt = sc.saltOf ? sc.saltOf(vunit) : 0;
						const spare = en && vsalt === 0 ? spareVariant(sc.dicts, kind, lw, sc.hash, `variant${sc.avoid.salt}\u0000${kind}`) : undefined;
						const wpool = pools(sc.dicts, sc.locale, true);
						v = spare ?? new Picker(sc.hash, `name\u0000${lw}\u0000avoid${sc.avoid.salt}\u0000salt${vsalt}`).pick(kind === 'm' ? wpool.male : kind === 'f' ? wpool.female : wpool.surnames);
						sc.claim?.(vunit, `name\u0000${v.toLowerCase()}`, vsalt);
					}
					return applyCase(w, v);
				})
				.join('');
		}
		case 'Date': {
			return shiftDate(original, sc.dateShiftDays) ?? shapeSurrogate(original, sc.hash);
		}
		case 'Age': {
			// only the number changes: its unit word stays ("67 años" → "23 años", "4 y/o", "18 meses")
			const n = Number(/\d+/.exec(original)?.[0] ?? NaN);
			if (n > 89) return original.replace(/\d+/, sc.ageOver89 ?? '90+');
			if (!(n >= 0)) return original;
			let first = true;
			return original.replace(/\d+/g, (d) => {
				if (!first) return shapeSurrogate(d, sc.hash);
				first = false;
				// a keyed permutation of 0..89: two ages never share a surrogate, and none keeps its own
				return String(permuteIndex(n, 90, sc.hash, 'age'));
			});
		}
		case 'Zip': {
			// HIPAA Safe Harbor: keep the first three digits unless that area has 20,000 people or fewer (then 000).
			const m = /^(\d{3})(\d{2})(-\d{4})?$/.exec(original.trim());
			if (!m) return shapeSurrogate(original, sc.hash);
			const prefix = RESTRICTED_ZIP3.has(m[1]) ? '000' : m[1];
			return `${prefix}00${m[3] ? '-0000' : ''}`;
		}
		case 'City':
			return applyCase(original, (salt === 0 && (sc.locale ?? 'en-US') === 'en-US' ? permuted(raw.cities, norm, sc.hash, 'city') : undefined) ?? name(pool.cities));
		case 'State': {
			// a listed state (by name or abbreviation) maps through a keyed permutation of the list: two states never share
			const at = raw.states.findIndex(([n, a]) => n.toLowerCase() === norm || a.toLowerCase() === norm);
			const st = at >= 0 ? raw.states[permuteIndex(at, raw.states.length, sc.hash, 'state')] : p.pick(raw.states);
			return /^[A-Z]{2}$/.test(original) ? st[1] : applyCase(original, st[0]);
		}
		case 'CountryOrRegion':
			return applyCase(original, permuted(raw.countries, norm, sc.hash, 'country') ?? name(raw.countries));
		case 'Hospital':
		case 'Organization':
		case 'LocationOther':
			return facilitySurrogate(type, original, salt, p, pool, sc);
		case 'Street': {
			// a unit after the street ("…, Apt 4B") keeps its word and changes its number
			const unit = STREET_UNIT.exec(original);
			const street = unit ? original.slice(0, unit.index) : original;
			const unitOut = unit ? unit[1] + shapeSurrogate(unit[2], sc.hash) : '';
			if (!street) return unitOut;
			const box = PO_BOX.exec(street);
			if (box) return box[1] + shapeSurrogate(box[2], sc.hash) + unitOut;
			return streetSurrogate(street, norm, p, pool, sc) + unitOut;
		}
		case 'Email': {
			const user = p.pick(pool.female).toLowerCase() + '.' + p.pick(pool.surnames).toLowerCase();
			return `${user}@example.${p.pick(['com', 'org', 'net'])}`;
		}
		case 'Url': {
			let path = '';
			for (let i = 0; i < 6; i++) path += String.fromCharCode(97 + p.int(26));
			return `https://www.example.${p.pick(['com', 'org', 'net'])}/${path}`;
		}
		case 'IPAddress':
			// the documentation ranges (RFC 5737, RFC 3849)
			return original.includes(':') ? `2001:db8::${p.int(65535).toString(16)}` : `${p.pick(['192.0.2', '198.51.100', '203.0.113'])}.${1 + p.int(254)}`;
		case 'Profession': {
			// a listed profession maps through a keyed permutation of its language's list: two never share one
			const es = PROFESSIONS_ES.includes(norm);
			const out = permuted(es ? PROFESSIONS_ES : PROFESSIONS_EN, norm, sc.hash, es ? 'profession es' : 'profession');
			return applyCase(original, out ?? p.pick(PROFESSIONS_EN));
		}
		default:
			return shapeSurrogate(original, sc.hash);
	}
}

export interface Replacement {
	start: number;
	end: number;
	text: string;
}

/** Apply replacements (non-overlapping, any order) to a text. */
export function applyReplacements(text: string, reps: readonly Replacement[]): string {
	const sorted = [...reps].sort((a, b) => a.start - b.start);
	let out = '';
	let at = 0;
	for (const r of sorted) {
		if (r.start < at) continue;
		out += text.slice(at, r.start) + r.text;
		at = r.end;
	}
	return out + text.slice(at);
}
