import type { Dictionaries } from '../dictionaries';
import { CLINICAL, STOPWORDS, STREET_SUFFIXES } from './lexicon';
import type { EntityType } from '../types';
import { type DetectContext, type Emit, matchesOf } from './context';
import { PROVINCES } from './words';

/**
 * Postal addresses in their parts: "1457 Larkspur Avenue, Apt 4B, Dunmore, PA 18512" is a street (with its
 * unit), a town, a state and a ZIP code, each of its own type, so each is replaced by its own kind of value.
 * Read from the right, where an address is most regular: country, postal code, state or province, town, then
 * the lines before it (unit, street, post-office box). Every pattern is bounded and runs over a bounded
 * stretch, so a scan stays linear in the text.
 */

export interface AddressPart {
	start: number;
	end: number;
	type: EntityType;
}

const MORE_SUFFIXES =
	'crescent cres close mews grove gardens gdns hill walk green park heights hts point pt vista view ridge run crossing xing ' +
	'commons expressway expy freeway fwy causeway embankment quay wharf esplanade';
/** Street words ("Avenue", "Rd", "Close"), lower case, without their dot. */
export const STREET_WORDS: ReadonlySet<string> = new Set([...STREET_SUFFIXES, ...MORE_SUFFIXES.split(' ')]);
const COUNTRY_AT_END =
	/(?:^|[\s,])(U\.?S\.?A?\.?|United States(?: of America)?|Canada|U\.?K\.?|United Kingdom|England|Scotland|Wales|Northern Ireland)[ \t.]{0,2}$/i;
const US_ZIP_AT_END = /(?:^|[\s,])(\d{5}(?:-\d{4})?)$/;
const CA_POSTAL_AT_END = /(?:^|[\s,])([A-Za-z]\d[A-Za-z][ -]?\d[A-Za-z]\d)$/;
const UK_POSTCODE_AT_END = /(?:^|[\s,])([A-Za-z]{1,2}\d[A-Za-z\d]?[ ]{1,2}\d[A-Za-z]{2})$/;
const ABBR_AT_END = /(?:^|[\s,])([A-Z]{2}|[A-Z]\.[A-Z]\.)$/;
/** A unit: "Apt 4B", "Suite 300", "#12", "Flat 3". */
const UNIT = /^(?:(?:apt|apartment|unit|suite|ste|room|rm|floor|fl|bldg|building|flat)\.?(?=[ \t#\d])|#)[ \t]{0,2}#?[ \t]{0,2}[A-Za-z0-9][A-Za-z0-9-]{0,5}$/i;
const PO_BOX = /^(?:p\.?[ \t]?o\.?|post[ \t]office)[ \t]{0,2}box[ \t]{0,2}#?[ \t]{0,2}\d{1,10}$/i;
/** A street line: a house number ("1457", "221B", "12-14"), then words. */
const STREET_LINE = /^\d{1,6}[A-Za-z]?(?:-\d{1,5})?[ \t]{1,3}\S/;
/** A unit that follows a street on its line. */
const UNIT_AFTER =
	/^(?:,?[ \t]{1,3})(?:(?:apt|apartment|unit|suite|ste|room|rm|floor|fl|bldg|building|flat)\.?(?=[ \t#\d])|#)[ \t]{0,2}#?[ \t]{0,2}[A-Za-z0-9][A-Za-z0-9-]{0,5}(?![\w-])/i;
const TOWN_WORD = /^(?:\p{Lu}[\p{L}'’.-]{0,30}|of|on|upon|de|la|le|du|sur|the)$/u;
/** A town's word in a note written without case. */
const TOWN_WORD_CASELESS = /^[\p{L}][\p{L}'’.-]{0,30}$/u;
const BLANK = /\s/;
const SEPARATOR = /[\s,]/;

/** How far before a postal code an address is looked for. */
const REACH = 200;

function trimRange(s: string, a: number, b: number): [number, number] {
	while (a < b && SEPARATOR.test(s[a])) a++;
	while (b > a && SEPARATOR.test(s[b - 1])) b--;
	return [a, b];
}

const STATE_NAMES = new WeakMap<Dictionaries, ReadonlySet<string>>();
/** The states' names, lower case (from the state list: "Georgia" is also a country among places). */
function stateNames(dicts: Dictionaries): ReadonlySet<string> {
	let set = STATE_NAMES.get(dicts);
	if (!set) STATE_NAMES.set(dicts, (set = new Set(dicts.raw.states.map(([n]) => n.toLowerCase()))));
	return set;
}

/** The state or province name or abbreviation that ends s at `end` (after trimming), or undefined. */
function stateAtEnd(s: string, from: number, end: number, dicts: Dictionaries, caseless = false): [number, number] | undefined {
	const abbr = ABBR_AT_END.exec(s.slice(Math.max(from, end - 6), end));
	if (abbr) {
		const a = abbr[1].replace(/\./g, '');
		if (dicts.stateAbbreviations.has(a) || PROVINCES.has(a)) return [end - abbr[1].length, end];
	}
	// in a note written without case: a two-letter abbreviation after its town's comma ("criders, sc 44651")
	const lower = caseless ? /,[ \t]{1,2}([a-z]{2})$/.exec(s.slice(Math.max(from, end - 6), end)) : null;
	if (lower && (dicts.stateAbbreviations.has(lower[1].toUpperCase()) || PROVINCES.has(lower[1].toUpperCase()))) return [end - 2, end];
	// a state's name: up to three words ("District of Columbia")
	const tail = s.slice(Math.max(from, end - 24), end);
	const words = tail.split(/([ \t]+)/);
	for (let k = Math.max(0, words.length - 5); k < words.length; k += 2) {
		const name = words.slice(k).join('');
		if (stateNames(dicts).has(name.toLowerCase()) && (caseless || /^\p{Lu}/u.test(name))) {
			const start = end - name.length;
			if (start === from || SEPARATOR.test(s[start - 1])) return [start, end];
		}
	}
	return undefined;
}

/** A town: one to four capitalised words (with their lower-case joiners), no stop word or clinical word. */
function isTown(v: string, strict = false, caseless = false): boolean {
	const words = v.split(/[ \t]+/);
	if (caseless)
		return (
			words.length <= 4 &&
			!/\d/.test(v) &&
			words.every((w) => TOWN_WORD_CASELESS.test(w) && !STOPWORDS.has(w.toLowerCase()) && !CLINICAL.has(w.toLowerCase()))
		);
	if (words.length > 4 || !/^\p{Lu}/u.test(v) || /\d/.test(v)) return false;
	// a segment of its own before a state is a town whatever its words ("Norton, KY"); words taken from the end of
	// a sentence must be no clinical words
	return words.every((w) => TOWN_WORD.test(w) && (!STOPWORDS.has(w.toLowerCase()) || /^\p{Lu}/u.test(w)) && !(strict && CLINICAL.has(w.toLowerCase())));
}

/**
 * A street line, with or without a unit, and with a town after it on the same segment when there are no commas
 * ("9 Elm Rd Albany"): the parts, or undefined when the segment is not a street line.
 */
function streetLine(s: string, a: number, b: number, wantTown: boolean, caseless = false): AddressPart[] | undefined {
	const v = s.slice(a, b);
	if (!STREET_LINE.test(v)) return undefined;
	// the street word that ends the street: the first (not the first word after the number: "12 Court St") after
	// which comes nothing, a unit, or a town that does not start with a common street word ("12 North Park Ave";
	// "Park City" is a town)
	let words = 0;
	for (const m of v.matchAll(/[\p{L}]+\.?/gu)) {
		if (++words > 8) break;
		if (words < 2 || !STREET_WORDS.has(m[0].replace(/\.$/, '').toLowerCase())) continue;
		let end = m.index! + m[0].length;
		const unit = UNIT_AFTER.exec(v.slice(end, end + 30));
		if (unit) end += unit[0].length;
		const [ta, tb] = trimRange(s, a + end, b);
		if (ta >= tb) return [{ start: a, end: a + end, type: 'Street' }];
		const town = s.slice(ta, tb);
		if (wantTown && isTown(town, false, caseless) && !STREET_SUFFIXES.has(town.split(/[ \t]/)[0].replace(/\.$/, '').toLowerCase())) {
			return [
				{ start: a, end: a + end, type: 'Street' },
				{ start: ta, end: tb, type: 'City' },
			];
		}
	}
	return wantTown ? undefined : [{ start: a, end: b, type: 'Street' }];
}

/** A street line (with a street word, and a town after it when `town`) or a post-office box that ends s[a, b). */
function trailingStreet(s: string, a: number, b: number, town: boolean, caseless = false): AddressPart[] | undefined {
	const v = s.slice(a, b);
	const box = /(?:^|[ \t])((?:p\.?[ \t]?o\.?|post[ \t]office)[ \t]{0,2}box[ \t]{0,2}#?[ \t]{0,2}\d{1,10})$/i.exec(v.slice(-40));
	if (box && !town) return [{ start: b - box[1].length, end: b, type: 'Street' }];
	// the house number: one of the last three numbers that start a word (a unit's number may follow it)
	const starts: number[] = [];
	for (const m of v.matchAll(/(?:^|[ \t])\d/g)) {
		starts.push(m.index! + (BLANK.test(v[m.index!]) ? 1 : 0));
		if (starts.length > 3) starts.shift();
	}
	for (const at of starts) {
		const parts = streetLine(s, a + at, b, true, caseless);
		if (parts && (!town || parts.some((p) => p.type === 'City'))) return parts;
	}
	return undefined;
}

/**
 * The parts of an address that ends at `end` in s, read back to `from` at most. `whole`: s[from, end) is all
 * address (a labelled field): what is not recognised is still a street part. Otherwise the address must have a
 * postal code with a state, province or town before it, and the parts stop at the first segment that is no
 * address line.
 */
export function parseAddress(s: string, from: number, end: number, dicts: Dictionaries, whole: boolean, caseless = false): AddressPart[] | undefined {
	const parts: AddressPart[] = [];
	let [lo, hi] = trimRange(s, from, end);
	const country = COUNTRY_AT_END.exec(s.slice(Math.max(lo, hi - 40), hi));
	// a country alone is no address
	if (country && hi - country[1].length > lo) {
		const cStart = hi - country[0].length + country[0].indexOf(country[1]);
		// "UK." ending a sentence: the period is the sentence's ("U.K." keeps its own)
		const name = country[1].endsWith('.') && country[1].indexOf('.') === country[1].length - 1 ? country[1].slice(0, -1) : country[1];
		parts.push({ start: cStart, end: cStart + name.length, type: 'CountryOrRegion' });
		[lo, hi] = trimRange(s, lo, cStart);
	}
	const tail = s.slice(Math.max(lo, hi - 12), hi);
	const postal = US_ZIP_AT_END.exec(tail) ?? CA_POSTAL_AT_END.exec(tail) ?? UK_POSTCODE_AT_END.exec(tail);
	let us = false;
	if (postal) {
		us = /^\d/.test(postal[1]);
		parts.push({ start: hi - postal[1].length, end: hi, type: 'Zip' });
		[lo, hi] = trimRange(s, lo, hi - postal[1].length);
	}
	const state = hi > lo ? stateAtEnd(s, lo, hi, dicts, caseless) : undefined;
	if (state) {
		parts.push({ start: state[0], end: state[1], type: 'State' });
		[lo, hi] = trimRange(s, lo, state[0]);
	}
	if (!whole) {
		// a bare number is an address's ZIP only after its state; other postal codes need their town and street
		if (!postal || (us && !state)) return undefined;
	}
	// the segments before: split at commas and line breaks, read from the right
	segmentParts(s, lo, hi, whole, caseless, parts);
	if (!whole && !parts.some((p) => p.type === 'City' || p.type === 'Street')) return undefined;
	// a UK or Canadian code without a state needs a street line before its town
	if (!whole && !us && !state && !parts.some((p) => p.type === 'Street')) return undefined;
	return parts.sort((x, y) => x.start - y.start);
}

/**
 * The address parts of the comma- or line-separated segments of s[lo, hi), read from the right, pushed onto
 * `parts`: a town, then street lines; outside a labelled field, the first segment that is no address line ends it.
 */
function segmentParts(s: string, lo: number, hi: number, whole: boolean, caseless: boolean, parts: AddressPart[]): void {
	let townDone = false;
	let streetDone = false;
	let segEnd = hi;
	while (segEnd > lo) {
		let segStart = segEnd;
		while (segStart > lo && s[segStart - 1] !== ',' && s[segStart - 1] !== '\n') segStart--;
		const [a, b] = trimRange(s, segStart, segEnd);
		const next = segStart > lo ? segStart - 1 : lo;
		if (a >= b) {
			segEnd = next;
			continue;
		}
		const v = s.slice(a, b);
		let found: AddressPart[] | undefined;
		if (!townDone && !streetDone) {
			if (isTown(v, false, caseless)) found = [{ start: a, end: b, type: 'City' }];
			else found = streetLine(s, a, b, true, caseless);
			if (found) townDone = found.some((p) => p.type === 'City');
			// "lives at 9 Elm Rd Albany": a street line and its town end the segment
			if (!found && !whole) {
				const line = trailingStreet(s, a, b, true, caseless);
				if (line) {
					parts.push(...line);
					return;
				}
			}
			// "He moved to Dunmore": the capitalised words that end the segment
			if (!found && !whole) {
				const m = /(?:^|[ \t])((?:\p{Lu}[\p{L}'’-]{1,30}[ \t]{1,2}){0,2}\p{Lu}[\p{L}'’-]{1,30})$/u.exec(v.slice(-96));
				if (m && isTown(m[1], true)) {
					parts.push({ start: b - m[1].length, end: b, type: 'City' });
					return;
				}
			}
		}
		if (!found && (UNIT.test(v) || PO_BOX.test(v))) found = [{ start: a, end: b, type: 'Street' }];
		if (!found && !streetDone) {
			found = streetLine(s, a, b, false);
			if (found) streetDone = true;
		} else if (found?.some((p) => p.type === 'Street' && STREET_LINE.test(s.slice(p.start, p.end)))) streetDone = true;
		if (!found && !whole && !streetDone) {
			// "lives at 1457 Larkspur Avenue": a street line (with its street word) that ends the segment
			const line = trailingStreet(s, a, b, false);
			if (line) {
				parts.push(...line);
				return;
			}
		}
		if (!found) {
			if (!whole) return;
			found = [{ start: a, end: b, type: 'Street' }];
		}
		parts.push(...found);
		// a street line is the start of an address (what comes before it is someone's name or the text)
		if (streetDone && !whole) return;
		segEnd = next;
	}
}

// A US ZIP, a Canadian or a British postcode, not inside a word. Each branch starts with the character it must
// begin with and checks the one before it after that, so the scan skips ahead to digits and capitals (a leading
// look-behind made it try every position).
const POSTAL_ANCHOR =
	/(?:\d(?<![\w-]\d)\d{4}(?:-\d{4})?|[A-Z](?<![\w-][A-Z])(?:\d[A-Z][ -]?\d[A-Z]\d|[A-Z]?\d[A-Z\d]?[ ]{1,2}\d[A-Z]{2}))(?![\w-])/g;

/** Addresses found from their postal codes (English text). */
export function detectAddresses(ctx: DetectContext, emit: Emit): void {
	if (ctx.language !== 'en') return;
	const { text, dicts } = ctx;
	let lastEnd = 0;
	for (const m of matchesOf(POSTAL_ANCHOR, text)) {
		const end = m.index! + m[0].length;
		// a country may follow on the same line
		const after =
			/^[ \t]{0,2},?[ \t]{0,2}\n?[ \t]{0,2}(?:U\.?S\.?A?\.?|United States|Canada|U\.?K\.?|United Kingdom|England|Scotland|Wales)(?![\p{L}])/iu.exec(
				text.slice(end, end + 30),
			);
		const stop = after ? end + after[0].length : end;
		const parts = parseAddress(text, Math.max(lastEnd, m.index! - REACH), stop, dicts, false, ctx.casing === 'lower');
		if (!parts) continue;
		for (const p of parts) emit(p.start, p.end, p.type, 0.9, 'address');
		lastEnd = stop;
	}
}

/** Whether a character is a blank (for callers that trim). */
export function isBlank(c: string | undefined): boolean {
	return c !== undefined && BLANK.test(c);
}
