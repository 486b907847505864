import { STREET_WORDS } from '../detect/addresses';
import { NAME_CONNECTORS } from '../detect/lexicon';
import type { SurrogateContext } from './context';
import { shapeSurrogate } from './fpe';
import type { KeyedHash, Picker } from './keyed';
import type { Pools } from './pools';
import { applyCase, DIGITS, HAS_LETTER, WORD_SPLIT } from './text';

/** A unit or post-office box at the end of a street value: its word (kept) and its number (changed). */
const STREET_UNIT =
	/((?:,?[ \t]{1,3}|[ \t]{0,3}\r?\n[ \t]{0,3})(?:(?:apt|apartment|unit|suite|ste|room|rm|floor|fl|bldg|building|flat)\.?(?=[ \t#\d])|#)[ \t]{0,2}#?[ \t]{0,2})([A-Za-z0-9][A-Za-z0-9-]{0,5})$/i;
const PO_BOX = /^((?:p\.?[ \t]?o\.?|post[ \t]office)[ \t]{0,2}box[ \t]{0,2}#?[ \t]{0,2})(\d{1,10})$/i;
const LINE_BREAK = /[\n\r\u2028\u2029]/;
const BLANK = /\s/;
/** Spanish (and French) streets put their type first: "Calle del Pilar 14", "Avenida de América". */
const TYPE_FIRST_LOCALES = new Set(['es-ES', 'fr-FR', 'fr-CA']);

/**
 * "1457 Larkspur Avenue" → number, blank, name, last word with its blank before it; undefined when the value is
 * not of that form. Same parts as /^(\d+)(\s+)(.*?)(\s+\S+\.?)$/ (a test holds them together), found in one
 * pass: that pattern backtracks through every blank of a long run.
 */
export function splitStreet(v: string): [string, string, string, string] | undefined {
	const blank = (c: string) => BLANK.test(c);
	let i = 0;
	while (i < v.length && v.charCodeAt(i) >= 48 && v.charCodeAt(i) <= 57) i++;
	if (i === 0 || i >= v.length || !blank(v[i])) return undefined;
	let j = i;
	while (j < v.length && blank(v[j])) j++;
	// the last word, and the run of blanks before it
	let k = v.length;
	while (k > j && !blank(v[k - 1])) k--;
	if (k === v.length) return undefined;
	let b = k;
	while (b > i && blank(v[b - 1])) b--;
	if (b < j) {
		// one run of blanks between the number and the last word: the number's blank keeps all but its last one
		return j - i >= 2 ? [v.slice(0, i), v.slice(i, j - 1), '', v.slice(j - 1)] : undefined;
	}
	const middle = v.slice(j, b);
	if (LINE_BREAK.test(middle)) return undefined;
	return [v.slice(0, i), v.slice(i, j), middle, v.slice(b)];
}

/** A street value with its unit ("…, Apt 4B": the word stays, the number changes) or a post-office box. */
export function streetValueSurrogate(original: string, norm: string, picker: Picker, pool: Pools, context: SurrogateContext): string {
	const unit = STREET_UNIT.exec(original);
	const street = unit ? original.slice(0, unit.index) : original;
	const unitOut = unit ? unit[1] + shapeSurrogate(unit[2], context.hash) : '';
	if (!street) return unitOut;
	const box = PO_BOX.exec(street);
	if (box) return box[1] + shapeSurrogate(box[2], context.hash) + unitOut;
	return streetSurrogate(street, norm, picker, pool, context) + unitOut;
}

/** A house number: digits for digits, never written with a leading zero the original did not have, never itself. */
function houseNumber(digits: string, hash: KeyedHash): string {
	// The keyed permutation has fixed points, and the leading-zero repair can lead back to the original ("273" →
	// "073" → "273"); a house number needs no inverse, so another tweak of the key replaces such a number.
	let v = noLeadingZero(digits, shapeSurrogate(digits, hash));
	for (let k = 1; v === digits && k <= 3; k++) v = noLeadingZero(digits, shapeSurrogate(digits, (x) => hash(`house ${k}\u0000${x}`)));
	if (v === digits) v = v.slice(0, -1) + String((Number(v[v.length - 1]) + 1) % 10);
	return v;
}

function noLeadingZero(digits: string, v: string): string {
	if (v[0] !== '0' || digits[0] === '0') return v;
	let sum = 0;
	for (let i = 1; i < v.length; i++) sum += v.charCodeAt(i) - 48;
	return String(1 + (sum % 9)) + v.slice(1);
}

const isWord = (w: string | undefined) => !!w && HAS_LETTER.test(w) && !DIGITS.test(w);

/**
 * The indices (in the split parts) of the words with letters, and the street type's: the last of them ("… Oak
 * Street") or, failing that, the first ("Calle …"); the others are its name ("Hill" in "903 Hill Drive").
 */
function streetWords(parts: readonly string[], typeFirst: boolean): { letters: number[]; typeAt: number } {
	const typeWord = (w: string) => STREET_WORDS.has(w.replace(/[.,]$/, '').toLowerCase());
	const letters: number[] = [];
	for (let i = 0; i < parts.length; i += 2) if (isWord(parts[i])) letters.push(i);
	let typeAt = -1;
	if (letters.length && typeWord(parts[letters[letters.length - 1]]) && (letters.length > 1 || !typeFirst)) typeAt = letters[letters.length - 1];
	else if (letters.length && typeWord(parts[letters[0]])) typeAt = letters[0];
	return { letters, typeAt };
}

/**
 * A street of the locale: its number changes (digits for digits), its type word stays ("Street", "Calle"), and
 * its name comes from the pools: "14 Oak Street" → "2291 Dunmore Street", "Calle del Pilar 14" → "Calle de
 * Cervantes 63". A street without a type word gets one of the locale's.
 */
function streetSurrogate(street: string, norm: string, picker: Picker, pool: Pools, context: SurrogateContext): string {
	const parts = street.split(WORD_SPLIT);
	const typeFirst = TYPE_FIRST_LOCALES.has(context.locale ?? 'en-US');
	const { letters, typeAt } = streetWords(parts, typeFirst);
	const old = new Set(norm.split(' '));
	let name = picker.pick(pool.placeWords);
	for (let k = 0; k < 4 && old.has(name.toLowerCase()); k++) name = picker.pick(pool.placeWords);
	// "Calle del Pilar" → "Calle de Murillo": the article went with the old name
	const isNameWord = (i: number) => i !== typeAt && !NAME_CONNECTORS.has(parts[i].toLowerCase());
	const named = letters.some(isNameWord);
	let out = '';
	let done = false;
	for (let i = 0; i < parts.length; i += 2) {
		const w = parts[i];
		const blank = parts[i + 1] ?? '';
		if (!w) out += blank;
		else if (DIGITS.test(w) || !HAS_LETTER.test(w)) out += w.replace(/\d+/g, (d) => houseNumber(d, context.hash)) + blank; // "221B", "14", "#"
		else if (i === typeAt) out += w + blank;
		else if (!done) {
			// the first name word (or a connector before it) stands for the whole name, with the blank after its last word
			let j = i;
			while (j + 2 < parts.length && j + 2 !== typeAt && isWord(parts[j + 2])) j += 2;
			const template = named ? parts[letters.find(isNameWord) ?? i] : w;
			out += (typeFirst ? 'de ' : '') + applyCase(template, name) + (parts[j + 1] ?? '');
			done = true;
			i = j;
		}
	}
	if (!done) {
		// only a type and a number ("Calle 14", "Main St"): a name beside the type
		const nameOut = (typeFirst ? 'de ' : '') + name;
		return typeFirst ? out.replace(/^(\S+)(\s+)/, (_m, t: string, b: string) => `${t}${b}${nameOut}${b}`) : `${name} ${out}`;
	}
	if (typeAt < 0) {
		const type = picker.pick(pool.streetTypes.length ? pool.streetTypes : ['Street']);
		return typeFirst ? `${type} ${out}` : `${out.trimEnd()} ${type}`;
	}
	return out;
}
