import { type DetectContext, type Emit, matchesOf } from './context';
import { FR_TYPES, SOUTH_TYPES, ENGLISH_WORDS } from './words';

/**
 * Street addresses written the continental European way, which the US/UK address parser does not read: the
 * street type first ("72 boulevard des Lilas", "Calle Real 10", "Via Roma 3") or glued to the name
 * ("Lindenstraße 12", "Kerkweg 4"), then, after a comma, a postal code before the town ("02215 Mérignac",
 * "10115 Berlin") and a country from the gazetteer.
 */
export function detectEuropeanAddresses(ctx: DetectContext, emit: Emit): void {
	const { text } = ctx;
	// in a note without case, only the street types that are no English word, read case-free
	const patterns = ctx.casing === 'mixed' ? CASED : CASE_FREE;
	for (const re of patterns) {
		for (const m of matchesOf(re, text)) {
			let end = m.index + m[0].length;
			// a glued street type is found from its house number and read back to its word's start ("Lindenstraße 12")
			const start = re === GLUED_CASED || re === GLUED_CASE_FREE ? gluedStart(text, m.index, ctx.casing === 'mixed') : m.index;
			if (start < 0) continue;
			emit(start, end, 'Street', 0.85, 'address');
			const town = (ctx.casing === 'mixed' ? POSTAL_TOWN : POSTAL_TOWN_CASE_FREE).exec(text.slice(end, end + 80));
			if (!town) continue;
			const zipAt = end + town[0].indexOf(town[1]);
			emit(zipAt, zipAt + town[1].length, 'Zip', 0.85, 'address');
			const townAt = end + town[0].lastIndexOf(town[2]);
			emit(townAt, townAt + town[2].length, 'City', 0.85, 'address');
			end += town[0].length;
			const country = COUNTRY_AFTER.exec(text.slice(end, end + 40));
			if (country && ctx.dicts.places.get(country[1].toLowerCase()) === 'CountryOrRegion') {
				const at = end + country[0].indexOf(country[1]);
				emit(at, at + country[1].length, 'CountryOrRegion', 0.8, 'address');
			}
		}
	}
}

/** A word in lower case, capitalised and in capitals. */
const cased = (words: readonly string[]) => words.flatMap((w) => [w, w[0].toUpperCase() + w.slice(1), w.toUpperCase()]).map(escape).join('|');
const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const GLUED_SUFFIXES = 'straße|strasse|str\\.|weg|allee|Allee|platz|gasse|damm|laan|straat|gracht|plein|vej|gatan|vägen';
/** The name after the type: up to four capitalised words, with their particles ("de la", "des", "del"). */
const NAME_WORDS = "(?:[ \\t]{1,2}(?:de|del|des|du|la|le|les|los|las|d'|di|della|do|da|dos)){0,2}(?:[ \\t]{1,2}\\p{Lu}[\\p{L}'’.-]{1,30}){1,4}";
const numberFirst = (types: string, flags: string) =>
	new RegExp(`(?<![\\p{L}\\p{N}/.-])\\d{1,4}(?:[ \\t]?(?:bis|ter))?,?[ \\t]{1,2}(?:${types})${NAME_WORDS}`, flags);
const typeFirst = (types: string, flags: string) => new RegExp(`(?<![\\p{L}])(?:${types})${NAME_WORDS},?[ \\t]{1,2}\\d{1,4}[A-Za-z]?(?![\\p{L}\\p{N}])`, flags);
// found from the house number (digits are rarer than letters), the suffix checked behind its first digit: a
// look-behind before any character made the scan try it at every position
const glued = (flags: string) => new RegExp(`\\d(?<=[\\p{L}-](?:${GLUED_SUFFIXES})[ \\t]{1,2}\\d)\\d{0,3}[a-z]?(?![\\p{L}\\p{N}])`, flags);
const GLUED_CASED = glued('gu');
const GLUED_CASE_FREE = glued('giu');
const LETTER_OR_HYPHEN = /[\p{L}-]/u;
/** Where the word holding a glued street type starts, read back from its house number, or -1. */
function gluedStart(text: string, numberAt: number, cased: boolean): number {
	let k = numberAt;
	while (k > 0 && (text[k - 1] === ' ' || text[k - 1] === '\t')) k--;
	const wordEnd = k;
	while (k > 0 && wordEnd - k < 40 && (LETTER_OR_HYPHEN.test(text[k - 1]) || text[k - 1] === '.')) k--;
	if (wordEnd - k < 5 || (k > 0 && LETTER_OR_HYPHEN.test(text[k - 1]))) return -1;
	return !cased || text[k] !== text[k].toLowerCase() ? k : -1;
}
/** "72 boulevard des Lilas", "Calle Real 10", "Lindenstraße 12", as written in a note that uses case. */
const CASED = [
	numberFirst(cased(FR_TYPES), 'gu'),
	typeFirst(
		cased(SOUTH_TYPES)
			.split('|')
			.filter((w) => w[0] !== w[0].toLowerCase())
			.join('|'),
		'gu',
	),
	GLUED_CASED,
];
/** The same without case, leaving out the types that are English words. */
const CASE_FREE = [
	numberFirst(FR_TYPES.filter((w) => !ENGLISH_WORDS.has(w)).map(escape).join('|'), 'giu'),
	typeFirst(SOUTH_TYPES.filter((w) => !ENGLISH_WORDS.has(w)).map(escape).join('|'), 'giu'),
	GLUED_CASE_FREE,
];
/** ", 02215 Mérignac", ", 10115 Berlin", ", D-80331 München": a four- or five-digit postal code and the town. */
const POSTAL_TOWN =
	/^,?[ \t]{1,2}((?:[A-Z]{1,2}-)?\d{4,5})[ \t]{1,2}(\p{Lu}[\p{L}'’-]{1,30}(?:[ \t-]{1,2}(?:\p{Lu}[\p{L}'’-]{1,30}|sur|de|la|le|am|an|der|del|en)){0,4})/u;
const POSTAL_TOWN_CASE_FREE = new RegExp(POSTAL_TOWN.source, 'iu');
const COUNTRY_AFTER = /^,[ \t]{1,2}(\p{L}[\p{L} -]{1,30}?)(?=[.,;)\n]|$)/u;
