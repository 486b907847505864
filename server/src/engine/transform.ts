import type { Dictionaries } from './dictionaries';
import { MONTHS } from './lexicon';
import type { EntityType } from './types';

/** Compiled once (the bundler turns inline Unicode-property literals into per-call constructors). */
const HAS_LETTER = /\p{L}/u;

/** Keyed hash (HMAC-SHA256 in production), injected so the engine stays pure and tests deterministic. */
export type KeyedHash = (data: string) => Uint8Array;

export type Operation = 'tag' | 'redact' | 'surrogate';

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
		private readonly seed: string,
	) {}
	next(): number {
		if (!this.bytes) this.bytes = this.hash(this.seed);
		if (this.i + 4 > this.bytes.length) {
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

/** Replace digits with digits and letters with letters of the same case; punctuation and length stay. */
function shapeSurrogate(original: string, p: Picker): string {
	let out = '';
	for (const ch of original) {
		if (ch >= '0' && ch <= '9') out += String(p.int(10));
		else if (ch >= 'a' && ch <= 'z') out += String.fromCharCode(97 + p.int(26));
		else if (ch >= 'A' && ch <= 'Z') out += String.fromCharCode(65 + p.int(26));
		else out += ch;
	}
	if (out === original) {
		const m = /\d/.exec(original);
		if (m) out = out.slice(0, m.index) + String((Number(out[m.index]) + 1) % 10) + out.slice(m.index + 1);
	}
	return out;
}

/** Pad like the original component: two digits only when it was written with a leading zero. */
/**
 * Three-digit ZIP prefixes whose areas held 20,000 people or fewer (HHS de-identification guidance, 2000 census):
 * under Safe Harbor they become 000.
 */
export const RESTRICTED_ZIP3: ReadonlySet<string> = new Set(['036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830', '831', '878', '879', '884', '890', '893']);

const pad = (n: number, len: number | string) => (typeof len === 'string' ? (len.length === 2 && len[0] === '0' ? String(n).padStart(2, '0') : String(n)) : String(n).padStart(len, '0'));

/** Shift a date by `days`, keeping its written pattern; undefined when the value is not a parseable date. */
/**
 * The digit style of a numeric month/day pair: zero-padded when either field has a leading zero or both have two
 * digits (03/14 → 04/04), unpadded when either has one digit (3/14 → 4/4).
 */
function fieldWidth(a: string, b: string): (n: number) => string {
	const padded = a.startsWith('0') || b.startsWith('0') || (a.length === 2 && b.length === 2);
	return (n) => (padded ? String(n).padStart(2, '0') : String(n));
}

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
}

interface Pools {
	male: readonly string[];
	female: readonly string[];
	surnames: readonly string[];
	placeWords: readonly string[];
	cities: readonly string[];
}
const POOLS = new WeakMap<Dictionaries, Map<string, Pools>>();
/**
 * Surrogate pools per locale, computed once per dictionary set (not per value: this is the hot path of folder
 * jobs). en-US uses the census lists; other locales use their locale data where it exists.
 */
function pools(d: Dictionaries, locale = 'en-US'): Pools {
	let byLocale = POOLS.get(d);
	if (!byLocale) POOLS.set(d, (byLocale = new Map()));
	let p = byLocale.get(locale);
	if (!p) {
		const l = locale === 'en-US' ? undefined : d.raw.locales?.[locale];
		p = l && l.last.length && l.female.length && l.male.length
			? { male: l.male, female: l.female, surnames: l.last, placeWords: l.last, cities: l.cities.length ? l.cities : d.raw.cities }
			: { male: d.raw.firstMale.slice(0, 600), female: d.raw.firstFemale.slice(0, 600), surnames: d.raw.last.slice(0, 5000), placeWords: d.raw.last.slice(0, 3000), cities: d.raw.cities };
		byLocale.set(locale, p);
	}
	return p;
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

/** A realistic replacement for one value; the same (type, value) under the same key always gets the same one. */
export function surrogateFor(type: EntityType, original: string, sc: SurrogateContext): string {
	const memo = MEMO_TYPES.has(type) ? sc.memo : undefined;
	if (memo) {
		// only dates depend on the offset: other types share entries across patients
		const k = `${sc.memoPrefix ?? ''}${type}\u0000${type === 'Date' ? sc.dateShiftDays : ''}\u0000${sc.locale ?? ''}\u0000${original}`;
		let v = memo.get(k);
		if (v === undefined) {
			v = computeSurrogate(type, original, sc);
			remember(memo, k, v);
		}
		return v;
	}
	return computeSurrogate(type, original, sc);
}

function computeSurrogate(type: EntityType, original: string, sc: SurrogateContext): string {
	const norm = original.trim().toLowerCase().replace(/\s+/g, ' ');
	const p = new Picker(sc.hash, `${type}\u0000${norm}`);
	const raw = sc.dicts.raw;
	const pool = pools(sc.dicts, sc.locale);
	const name = (list: readonly string[]) => {
		let v = p.pick(list);
		for (let k = 0; k < 4 && v.toLowerCase() === norm; k++) v = p.pick(list);
		return v;
	};
	switch (type) {
		case 'Patient':
		case 'Doctor': {
			const words = original.split(/(\s+|,\s*|\.\s*)/);
			return words
				.map((w, i) => {
					if (i % 2 === 1 || !HAS_LETTER.test(w)) return w;
					// An initial maps by its letter alone, so "M. Okafor" and "Margaret Okafor" stay one surrogate person's.
					if (w.length === 1) return applyCase(w, String.fromCharCode(65 + new Picker(sc.hash, `initial\u0000${w.toLowerCase()}`).int(26)));
					const fi = sc.dicts.firstNames.get(w.toLowerCase());
					// "Last, First" puts the surname before the comma; otherwise the last word is the surname.
					const comma = words.findIndex((x, k) => k % 2 === 1 && x.includes(','));
					const isLastWord = comma >= 0 ? i < comma : i === words.length - 1 && words.length > 1;
					const list = fi && !isLastWord ? (fi.gender === 'm' ? pool.male : pool.female) : pool.surnames;
					// one word, one surrogate word: cached per word, so "Mrs. Hodges" and "HODGES, A" share the work
					const wk = `${sc.memoPrefix ?? ''}w\u0000${type}\u0000${list === pool.surnames ? 's' : list === pool.male ? 'm' : 'f'}\u0000${sc.locale ?? ''}\u0000${w.toLowerCase()}`;
					let v = sc.memo?.get(wk);
					if (v === undefined) {
						const wp = new Picker(sc.hash, `${type}\u0000${w.toLowerCase()}`);
						v = wp.pick(list);
						if (v.toLowerCase() === w.toLowerCase()) v = wp.pick(list);
						if (sc.memo) remember(sc.memo, wk, v);
					}
					return applyCase(w, v);
				})
				.join('');
		}
		case 'Date': {
			return shiftDate(original, sc.dateShiftDays) ?? shapeSurrogate(original, p);
		}
		case 'Age': {
			const n = Number(original.replace(/\D/g, ''));
			if (n > 89) return original.replace(/\d+/, sc.ageOver89 ?? '90+');
			return shapeSurrogate(original, p);
		}
		case 'Zip': {
			// HIPAA Safe Harbor: keep the first three digits unless that area has 20,000 people or fewer (then 000).
			const m = /^(\d{3})(\d{2})(-\d{4})?$/.exec(original.trim());
			if (!m) return shapeSurrogate(original, p);
			const prefix = RESTRICTED_ZIP3.has(m[1]) ? '000' : m[1];
			return `${prefix}00${m[3] ? '-0000' : ''}`;
		}
		case 'City':
			return applyCase(original, name(pool.cities));
		case 'State':
			return /^[A-Z]{2}$/.test(original) ? p.pick(raw.states)[1] : applyCase(original, p.pick(raw.states)[0]);
		case 'CountryOrRegion':
			return applyCase(original, name(raw.countries));
		case 'Hospital':
		case 'Organization':
		case 'LocationOther': {
			const parts = original.split(/(\s+)/);
			return parts.map((w, i) => (i % 2 === 1 || !HAS_LETTER.test(w) ? w : applyCase(w, name(pool.placeWords)))).join('');
		}
		case 'Street': {
			const m = /^(\d+)(\s+)(.*?)(\s+\S+\.?)$/.exec(original);
			if (m) return `${shapeSurrogate(m[1], p)}${m[2]}${applyCase(m[3], name(pool.placeWords))}${m[4]}`;
			return shapeSurrogate(original, p);
		}
		case 'Email': {
			const user = p.pick(pool.female).toLowerCase() + '.' + p.pick(pool.surnames).toLowerCase();
			return `${user}@example.${p.pick(['com', 'org', 'net'])}`;
		}
		case 'Url':
			return `https://www.example.${p.pick(['com', 'org', 'net'])}/${shapeSurrogate('aaaaaa', p)}`;
		case 'IPAddress':
			return original.includes(':') ? `2001:db8::${p.int(65535).toString(16)}` : `192.0.2.${1 + p.int(254)}`;
		case 'Profession':
			return applyCase(original, p.pick(['teacher', 'engineer', 'carpenter', 'accountant', 'electrician', 'librarian', 'farmer', 'chef']));
		default:
			return shapeSurrogate(original, p);
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
