import {
	CENTER_QUALIFIERS,
	CENTER_WORDS,
	CLINICAL,
	HOSPITAL_WORDS,
	ORG_HEADS,
	ORG_SUFFIXES,
	PLACE_VERBS,
	PROFESSIONS,
	STOPWORDS,
	STREET_SUFFIXES,
	UNITS,
} from './lexicon';
import { isAllUpper, isCapitalised } from './tokenize';
import { type DetectContext, type Emit, sameLine as tokensOnOneLine, matchesOf } from './context';
import { isListedName } from '../dictionaries';
import { wordsOf } from './names';
import {
	PLACE_PREPS, INSTITUTION_HEADS, INSTITUTION_QUALIFIERS, NAME_PREFIXES, ES_HEADS, ES_CENTER_TAILS,
	ES_CONNECTORS, ES_STOPS, ES_ABBREVIATIONS, ES_STREET_WORDS, ES_NOT_STREET, ES_MONTHS, FACILITY_TAILS,
	DIRECTIONS, REGION_NOUNS, AREA_NOUNS, MOVE_PREPS, CARE_UNITS, FACILITY_STARTS, MOVE_VERBS, PROFESSION_CUES, NUMBERED_NOUNS,
} from './words';

// Hoisted: a regular expression literal inside a loop builds a new object each time it is evaluated.
const INNER_APOSTROPHE = /['’](?!s$)/;
const MEDICAL_CENTER_ABBR = /^[A-Z]{2,4}MC$/;
const NUMBER_GLUE = /[\d.,/]/;
const ALL_LETTERS = /^[\p{L}]+$/u;
const ORDINAL_NUMBER = /^\d+(st|nd|rd|th)?$/;
const UNIT_AFTER_NUMBER = /^(?:[A-Za-z%]|\.\d)/;
const WORD_AFTER = /^[ \t]*([\p{L}%/]{1,12})/u;
const HOSPITAL_HEADS = HOSPITAL_WORDS;

/**
 * Places: hospitals and facilities ("Calvert Hospital", "Holy Cross Rehab"), street addresses, cities, states and
 * countries from the gazetteer, and unknown words after movement verbs ("transferred to Quartermain").
 */
export function detectLocations(ctx: DetectContext, emit: Emit): void {
	// Spanish facility names put the head first; the English walk to the left of "Hospital" would take the
	// department before it ("Servicio de Urología Hospital …").
	if (ctx.language === 'es') detectSpanishFacilities(ctx, emit);
	else detectFacilities(ctx, emit);
	detectStreets(ctx, emit);
	if (ctx.language === 'es') detectSpanishAddressLines(ctx, emit);
	detectGazetteer(ctx, emit);
	detectMovementTargets(ctx, emit);
	detectWardsAndAbbreviations(ctx, emit);
	if (ctx.language !== 'es') detectRegions(ctx, emit);
}
/** The number part of a Spanish address: "12", "nº 3", "s/n", "km 12,500", "5-7", then floor and door ("2º dcha", "3 C"). */
const ES_STREET_NUMBER =
	/^,?[ \t]{0,2}(?:(?:n[º°o]\.?|núm\.?|num\.?)[ \t]{0,2})?(?:s\/n|km\.?[ \t]{0,2}\d{1,3}(?:[.,]\d{1,3})?|\d{1,4}(?!\d)(?:-\d{1,4})?[A-Za-z]?)(?:,?[ \t]{1,2}(?:\d{1,2}(?!\d)[º°ª]?[ \t]?(?:[A-Za-z]{1,4}\b)?|(?:piso|puerta|esc\.?|bajo|dcha\.?|izda\.?)[ \t]?\w{0,3}))?/;
/** "<Words>, s/n 28935" or "<Words> 90 46017": an address line before a postal code. Bounded, linear. */
const ES_ADDRESS_LINE =
	/(^|[.\n]\s{0,3}|\s{2,8})(\p{Lu}[\p{L}´']{1,20}(?:[ \t](?:de|del|la|las|los|y|\p{Lu}[\p{L}´']{1,20})){0,4},?[ \t]{1,2}(?:s\/n|\d{1,4}))(?=,?[ \t]{1,2}(?:E-)?\d{5}\b)/gmu;

function detectSpanishFacilities(ctx: DetectContext, emit: Emit): void {
	const { tokens } = ctx;
	const cap = (i: number) => tokens[i]?.kind === 'w' && isCapitalised(tokens[i].text);
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i];
		if (t.kind !== 'w' || !isCapitalised(t.text)) continue;
		let start = i;
		let k: number;
		if (ES_HEADS.has(t.lower)) {
			k = i + 1;
			// "Complejo Hospitalario", "Centro Hospitalario"
			if (t.lower === 'hospitalario' && i > 0 && ['complejo', 'centro'].includes(tokens[i - 1].lower) && sameLine(ctx, i - 1, i)) start = i - 1;
			else if (t.lower === 'hospitalario') continue;
		} else if (
			(t.lower === 'centro' || t.lower === 'complejo') &&
			tokens[i + 1]?.lower === 'de' &&
			ES_CENTER_TAILS.has(tokens[i + 2]?.lower ?? '')
		)
			k = i + 3;
		else if (t.lower === 'centro' && ES_CENTER_TAILS.has(tokens[i + 1]?.lower ?? '') && tokens[i + 1].lower !== 'salud') k = i + 2;
		else continue;
		// Walk right over the name: capitalised words, numbers, "Dr." and connectors followed by more name.
		let end = k - 1;
		let words = 0;
		// After "de <Place>" a capitalised word with no connector before it starts the address or the town
		// ("Hospital de León Altos de Nava", "Hospital General de Móstoles Río Júcar").
		let placed = false;
		let afterConnector = false;
		while (k < tokens.length && sameLine(ctx, end, k)) {
			const tk = tokens[k];
			if (tk.kind === 'w' && ES_STOPS.has(tk.lower)) break;
			if (tk.kind === 'w' && isCapitalised(tk.text) && !ES_HEADS.has(tk.lower)) {
				if (placed && !afterConnector) break;
				if (afterConnector) placed = true;
				afterConnector = false;
				end = k++;
				words++;
				if (tokens[k]?.text === '.' && ES_ABBREVIATIONS.includes(tk.lower)) end = k++;
				continue;
			}
			if (tk.kind === 'n' && tk.text.length <= 2 && tokens[k + 1]?.lower === 'de' && ES_MONTHS.has(tokens[k + 2]?.lower ?? '')) {
				end = k + 2;
				k += 3;
				words++;
				continue;
			}
			if ((tk.text === "'" || tk.text === '"' || tk.text === '«') && cap(k + 1)) {
				// a quoted name: up to the closing quote on this line
				// a quoted name is short: at most a dozen tokens, on this line
				let q = k + 1;
				while (q < tokens.length && q - k <= 12 && sameLine(ctx, q - 1, q) && !["'", '"', '»'].includes(tokens[q].text)) q++;
				if (q < tokens.length && ["'", '"', '»'].includes(tokens[q].text)) {
					end = q;
					words++;
				}
				break; // a quoted name ends the facility name
			}
			if (tk.kind === 'w' && ES_CONNECTORS.has(tk.lower)) {
				let q = k + 1;
				while (q < tokens.length && q - k <= 4 && tokens[q].kind === 'w' && ES_CONNECTORS.has(tokens[q].lower)) q++;
				if (cap(q) && !ES_STOPS.has(tokens[q].lower) && sameLine(ctx, k, q)) {
					k = q;
					afterConnector = true;
					continue;
				}
			}
			break;
		}
		if (words === 0) continue;
		emit(tokens[start].start, tokens[end].end, 'Hospital', 0.9, 'facility-es');
		i = end;
	}
}

function isNameish(ctx: DetectContext, i: number): boolean {
	const t = ctx.tokens[i];
	if (t.kind !== 'w') return false;
	if (STOPWORDS.has(t.lower) || CLINICAL.has(t.lower) || UNITS.has(t.lower)) return false;
	if (ctx.casing === 'mixed' && !isCapitalised(t.text)) return false;
	return true;
}

function sameLine(ctx: DetectContext, a: number, b: number): boolean {
	return tokensOnOneLine(ctx.text, ctx.tokens, a, b);
}

function detectFacilities(ctx: DetectContext, emit: Emit): void {
	const { tokens } = ctx;
	const mixed = ctx.casing === 'mixed';
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i];
		if (t.kind !== 'w') continue;
		if (
			mixed &&
			!isCapitalised(t.text) &&
			!(i > 0 && tokens[i - 1].kind === 'w' && isCapitalised(tokens[i - 1].text) && HOSPITAL_HEADS.has(t.lower))
		)
			continue;
		// Heads: "Hospital", "Rehab", "Clinic"; "Medical Center"; tails that belong to the name: "Memorial", "Regional".
		let nameEnd = i - 1;
		let spanEnd = -1;
		let primary = false;
		if (HOSPITAL_HEADS.has(t.lower)) primary = true;
		else if (t.lower === 'memorial' || t.lower === 'regional') spanEnd = i;
		else if (CENTER_WORDS.has(t.lower) && i > 0 && CENTER_QUALIFIERS.has(tokens[i - 1].lower)) {
			primary = true;
			nameEnd = i - 2;
		}
		else continue;
		// Walk left over up to four name-like words ("Holy Cross", "St. Mary's", "Warren Grant")
		const { first, words } = facilityNameBefore(ctx, i, nameEnd);
		if (first >= 0 && words > 0 && !FACILITY_TAILS.has(tokens[first].lower.replace('’', "'"))) {
			// The name part; a primary head ("Hospital") identifies no one and stays.
			let end = spanEnd >= 0 ? spanEnd : nameEnd;
			while (end > first && (tokens[end].kind === 'p' || HOSPITAL_HEADS.has(tokens[end].lower))) end--;
			emit(tokens[first].start, tokens[end].end, 'Hospital', primary ? 0.85 : 0.7, 'facility');
		}
		if (primary) facilityNameAfter(ctx, emit, i);
	}
}

/** The first token of the name-like words (at most four) before a facility's head at token `i`, and their count. */
function facilityNameBefore(ctx: DetectContext, i: number, nameEnd: number): { first: number; words: number } {
	const { tokens } = ctx;
	const mixed = ctx.casing === 'mixed';
	let j = nameEnd;
	let first = -1;
	let words = 0;
	while (j >= 0 && words < 4) {
		const tj = tokens[j];
		// "St. Mary's", "ST TEMPLETON": the abbreviation starts the name (and "ST" alone would read as clinical)
		if (first >= 0 && SAINT_ABBREVIATIONS.has(tj.lower) && tj.kind === 'w' && sameLine(ctx, j, i)) {
			first = j;
			break;
		}
		if (tj.text === '.' && j > 0 && SAINT_ABBREVIATIONS.has(tokens[j - 1].lower)) {
			j--;
			continue;
		}
		if (tj.text === '-' && j > 0 && tokens[j - 1].kind === 'w' && tj.start === tokens[j - 1].end) {
			j--;
			continue;
		}
		if (tj.kind !== 'w' || !sameLine(ctx, j, i)) break;
		if (HOSPITAL_HEADS.has(tj.lower) || tj.lower === 'memorial' || tj.lower === 'regional') {
			if (tj.lower === 'memorial' || tj.lower === 'regional') {
				first = j;
				words++;
			}
			j--;
			continue;
		}
		// "Community", "General", "Children's" belong to the name but name no one without a word before them
		if (FACILITY_TAILS.has(tj.lower.replace('’', "'")) && (!mixed || isCapitalised(tj.text))) {
			first = j;
			j--;
			continue;
		}
		if (STOPWORDS.has(tj.lower) || CLINICAL.has(tj.lower) || UNITS.has(tj.lower) || PLACE_VERBS.has(tj.lower) || INNER_APOSTROPHE.test(tj.text)) break;
		if (mixed && !isCapitalised(tj.text) && !NAME_PREFIXES.has(tj.lower)) break;
		// In capitalised-only or lower-case notes an ordinary word ("BEGIN REHAB", "prev rehab") is no name.
		const tierJ = ctx.dicts.englishWords.get(tj.lower) ?? 99;
		const nameJ = ctx.dicts.firstNames.has(tj.lower) || ctx.dicts.lastNames.has(tj.lower) || ctx.dicts.places.has(tj.lower);
		if (!mixed && !NAME_PREFIXES.has(tj.lower) && (words > 0 ? tierJ <= 35 : tierJ <= 50 && !nameJ)) break;
		first = j;
		words++;
		j--;
	}
	return { first, words };
}

/** The name after a primary head at token `i`: "Hospital of the University of X", "Clínica San Juan". */
function facilityNameAfter(ctx: DetectContext, emit: Emit, i: number): void {
	const { tokens } = ctx;
	const mixed = ctx.casing === 'mixed';
	let k = i + 1;
	if (k < tokens.length && ['of', 'de', 'del'].includes(tokens[k].lower)) {
		k++;
		if (k < tokens.length && ['the', 'la', 'el'].includes(tokens[k].lower)) k++;
	} else if (ctx.language !== 'es') return;
	const startK = k;
	let endK = -1;
	let words2 = 0;
	while (
		k < tokens.length &&
		words2 < 4 &&
		sameLine(ctx, i, k) &&
		(isNameish(ctx, k) || NAME_PREFIXES.has(tokens[k].lower)) &&
		!HOSPITAL_HEADS.has(tokens[k].lower)
	) {
		const lower = tokens[k].lower;
		if (
			!mixed &&
			(ctx.dicts.englishWords.get(lower) ?? 99) <= 60 &&
			!NAME_PREFIXES.has(lower) &&
			!ctx.dicts.placeFirstWords.has(lower) &&
			!isListedName(ctx.dicts, lower)
		)
			break;
		endK = k;
		words2++;
		k++;
	}
	if (endK < startK || endK < 0) return;
	// "University Hospital of X": the word before the head is part of the name too
	const before = i > 0 && tokens[i - 1].kind === 'w' && FACILITY_TAILS.has(tokens[i - 1].lower) && (!mixed || isCapitalised(tokens[i - 1].text)) ? i - 1 : -1;
	emit(tokens[before >= 0 ? before : startK].start, tokens[endK].end, 'Hospital', before >= 0 ? 0.85 : 0.75, 'facility');
}

/** A word no dictionary knows: no English word, name or place (a ward's name, "quartermain"). */
function unknownWord(ctx: DetectContext, lower: string): boolean {
	const d = ctx.dicts;
	return (d.englishWords.get(lower) ?? 99) === 99 && !d.firstNames.has(lower) && !d.lastNames.has(lower) && !d.places.has(lower);
}

/** Abbreviations that start a facility's name: "St. Mary's", "Mt. Sinai", "Ft. Washington". */
const SAINT_ABBREVIATIONS = new Set(['st', 'ste', 'mt', 'ft']);
/** Words that end a facility's name and belong to it ("Sacred Heart Memorial"). */
const NAME_TAILS = new Set(['memorial', 'regional', 'general', 'community', 'university']);

/**
 * Regions and campuses: "the Eastern Shore", "North Campus" (a direction and a region noun, written as a name);
 * "U Maryland" (a university named by its state or town); "in Edgemere area" (an unknown word before "area");
 * medical-centre acronyms ("GBMC").
 */
function detectRegions(ctx: DetectContext, emit: Emit): void {
	const { tokens, dicts } = ctx;
	const mixed = ctx.casing === 'mixed';
	for (let i = 0; i + 1 < tokens.length; i++) {
		const t = tokens[i];
		if (t.kind !== 'w') continue;
		// the length and last letter first: the pattern ran on every word
		const len = t.text.length;
		const medicalCenter = len >= 4 && len <= 6 && t.text.charCodeAt(len - 1) === 67 && MEDICAL_CENTER_ABBR.test(t.text);
		if (medicalCenter && !CLINICAL.has(t.lower)) emit(t.start, t.end, 'Hospital', 0.6, 'facility-abbreviation');
		const tj = tokens[i + 1];
		// In normal text, an ALL-CAPS word of no dictionary with a ward number ("plan: QUARTERMAIN 2 this am")
		if (mixed && tj.kind === 'n' && tj.text.length === 1 && tj.start - t.end === 1 && t.text.length >= 6 && isAllUpper(t.text) &&
			unknownWord(ctx, t.lower) && !CLINICAL.has(t.lower) &&
			/^(?:[ \t]{1,2}[\p{L}]{2,}|[,;)]|$)/u.test(ctx.text.slice(tj.end, tj.end + 4)) && !UNITS.has(nextWordAfter(ctx.text, tj.end))) {
			emit(t.start, t.end, 'LocationOther', 0.6, 'ward');
		}
		if (tj.kind !== 'w' || !sameLine(ctx, i, i + 1) || tj.start - t.end > 2) continue;
		if (
			DIRECTIONS.has(t.lower) &&
			REGION_NOUNS.has(tj.lower) &&
			isCapitalised(t.text) &&
			isCapitalised(tj.text) &&
			(mixed || (i > 0 && ['the', 'on', 'at', 'from', 'to', 'in'].includes(tokens[i - 1].lower)))
		) {
			emit(t.start, tj.end, 'LocationOther', 0.7, 'region');
			continue;
		}
		if (t.text === 'U' && isCapitalised(tj.text) && (dicts.places.get(tj.lower) === 'State' || dicts.places.get(tj.lower) === 'City')) {
			emit(t.start, tj.end, 'Hospital', 0.75, 'facility');
			continue;
		}
		if (AREA_NOUNS.has(tj.lower) && i > 0 && ['in', 'near', 'around', 'from'].includes(tokens[i - 1].lower)) {
			const tier = dicts.englishWords.get(t.lower) ?? 99;
			if (tier === 99 && t.text.length >= 4 && (!mixed || isCapitalised(t.text)) && !CLINICAL.has(t.lower) && !STOPWORDS.has(t.lower))
				emit(t.start, t.end, 'City', 0.65, 'place-context');
		}
	}
}
const SAINTS = new Set(['st', 'saint', 'ste']);

/** A unit after a number: "4 mg", "2 cm"; "in" only as inches ("3 in x 2 in"), not "4 in stable condition". */
function unitAfter(text: string, offset: number): boolean {
	const word = nextWordAfter(text, offset);
	if (word !== 'in') return UNITS.has(word);
	return !IN_AS_PREPOSITION.test(text.slice(offset, offset + 12));
}
const IN_AS_PREPOSITION = /^[ \t]*in[ \t]+[A-Za-z]{2,}/i;

function nextWordAfter(text: string, offset: number): string {
	const m = WORD_AFTER.exec(text.slice(offset, offset + 16));
	return m ? m[1].toLowerCase() : '';
}

/**
 * Wards and facility abbreviations: "transfer to Quartermain 2", "ARRIVED TO GH", "followed at gh": an unknown
 * word after to/at/from that is not clinical vocabulary.
 */
function detectWardsAndAbbreviations(ctx: DetectContext, emit: Emit): void {
	wardsAfterMove(ctx, emit);
	commonFacilityNames(ctx, emit);
	careUnitAbbreviations(ctx, emit);
	saintFacilities(ctx, emit);
}

/** A ward ("to QUARTERMAIN 7") or a facility abbreviation ("transferred to GBMC") after a word of moving. */
function wardsAfterMove(ctx: DetectContext, emit: Emit): void {
	const { tokens, dicts } = ctx;
	const mixed = ctx.casing === 'mixed';
	for (let i = 1; i < tokens.length; i++) {
		const t = tokens[i];
		if (t.kind !== 'w' || !MOVE_PREPS.has(tokens[i - 1].lower) || !sameLine(ctx, i - 1, i)) continue;
		if (
			CLINICAL.has(t.lower) ||
			STOPWORDS.has(t.lower) ||
			UNITS.has(t.lower) ||
			dicts.stateAbbreviations.has(t.text) ||
			dicts.places.get(t.lower) === 'State'
		)
			continue;
		const tier = dicts.englishWords.get(t.lower) ?? 99;
		const next = tokens[i + 1];
		const afterNum = next ? ctx.text.slice(next.end, next.end + 4) : '';
		const ward =
			next &&
			next.kind === 'n' &&
			next.text.length <= 2 &&
			next.start - t.end <= 1 &&
			!UNIT_AFTER_NUMBER.test(afterNum) &&
			(afterNum[0] !== '.' || next.text.length === 1) &&
			!unitAfter(ctx.text, next.end);
		const allCaps = isAllUpper(t.text);
		// In normal text a ward is capitalised, or written in lower case but no word of any dictionary ("transfer to
		// quartermain 2"); a number glued to it is part of its name ("QUARTERMAIN7").
		const lowerWard = t.text.length >= 5 && ['to', 'from', 'into'].includes(tokens[i - 1].lower) && unknownWord(ctx, t.lower);
		// after a word of moving ("TRANSFERRED TO FREEDOM 2", "transfer to mammoth 2") a ward's name may be an
		// everyday word: every word but the nouns numbers follow
		const moved =
			i >= 2 &&
			['to', 'from', 'into'].includes(tokens[i - 1].lower) &&
			(PLACE_VERBS.has(tokens[i - 2].lower) || MOVE_VERBS.has(tokens[i - 2].lower)) &&
			!NUMBERED_NOUNS.has(t.lower) &&
			!dicts.vehicleMakes.has(t.lower);
		if (ward && (tier > 50 || moved) && (!mixed || isCapitalised(t.text) || lowerWard) && t.text.length >= 4) {
			// ("commodex3" is "commode x3", a count)
			if (next.start === t.end && mixed && !isCapitalised(t.text) && t.lower.endsWith('x')) continue;
			emit(t.start, next.start === t.end ? next.end : t.end, 'LocationOther', 0.65, 'ward');
			continue;
		}
		// 2-5 letter facility abbreviations
		if (t.text.length >= 2 && t.text.length <= 5 && tier > 60 && !dicts.firstNames.has(t.lower) && (mixed ? allCaps : true) && ALL_LETTERS.test(t.text)) {
			const verb = i >= 2 ? tokens[i - 2].lower : '';
			const prep = tokens[i - 1].lower;
			const viaThe = prep === 'the' && i >= 2 && ['to', 'at', 'from', 'into'].includes(verb);
			if (['to', 'at', 'from', 'into'].includes(prep) && (PLACE_VERBS.has(verb) || MOVE_VERBS.has(verb)) && (!mixed || allCaps))
				emit(t.start, t.end, 'Hospital', 0.6, 'facility-abbreviation');
			// In capitalised notes, a short unknown abbreviation after "at"/"to (the)" is most often a facility.
			else if ((ctx.casing === 'upper' || allCaps) && (prep === 'at' || viaThe) && t.text.length <= 4)
				emit(t.start, t.end, 'Hospital', 0.55, 'facility-abbreviation');
		}
	}
}

/**
 * "Holy Cross", "Sacred Heart", "Good Samaritan": common facility names, with a name tail that follows them in any
 * case ("Sacred Heart memorial"); in lower case only when such a tail or a facility word follows.
 */
function commonFacilityNames(ctx: DetectContext, emit: Emit): void {
	const { tokens } = ctx;
	const mixed = ctx.casing === 'mixed';
	for (let i = 0; i + 1 < tokens.length; i++) {
		const t = tokens[i];
		if (!FACILITY_STARTS.has(t.lower)) continue;
		const tj = tokens[i + 1];
		if (tj.kind !== 'w' || !sameLine(ctx, i, i + 1) || STOPWORDS.has(tj.lower)) continue;
		if ((t.lower === 'holy' || t.lower === 'sacred') && ['cow', 'grail', 'spirit', 'bible', 'water', 'communion', 'week'].includes(tj.lower)) continue;
		const tk = tokens[i + 2];
		const tail = !!tk && tk.kind === 'w' && sameLine(ctx, i, i + 2) && NAME_TAILS.has(tk.lower);
		const head = tail || (!!tk && tk.kind === 'w' && sameLine(ctx, i, i + 2) && HOSPITAL_HEADS.has(tk.lower));
		if (mixed && !(isCapitalised(t.text) && isCapitalised(tj.text)) && !head) continue;
		emit(t.start, tail ? tk.end : tj.end, 'Hospital', 0.7, 'facility');
	}
}

/** Facility abbreviations before an emergency or care unit: "GH EW", "kernan ew", "GBMC ER" */
function careUnitAbbreviations(ctx: DetectContext, emit: Emit): void {
	const { tokens, dicts } = ctx;
	const mixed = ctx.casing === 'mixed';
	for (let i = 0; i + 1 < tokens.length; i++) {
		const t = tokens[i];
		const tj = tokens[i + 1];
		if (t.kind !== 'w' || !CARE_UNITS.has(tj.lower) || !sameLine(ctx, i, i + 1)) continue;
		if (CLINICAL.has(t.lower) || STOPWORDS.has(t.lower) || (dicts.englishWords.get(t.lower) ?? 99) <= 60 || dicts.stateAbbreviations.has(t.text)) continue;
		if (mixed && !isCapitalised(t.text)) continue;
		emit(t.start, t.end, 'Hospital', 0.6, 'facility-abbreviation');
	}
}

/** "St. Mary's", "Saint Agnes": a saint's name as a facility when not part of a street address. */
function saintFacilities(ctx: DetectContext, emit: Emit): void {
	const { tokens, dicts } = ctx;
	const mixed = ctx.casing === 'mixed';
	for (let i = 0; i + 1 < tokens.length; i++) {
		const t = tokens[i];
		if (!SAINTS.has(t.lower)) continue;
		let j = i + 1;
		if (tokens[j]?.text === '.') j++;
		const tj = tokens[j];
		if (!tj || tj.kind !== 'w' || !sameLine(ctx, i, j)) continue;
		if (i > 0 && tokens[i - 1].kind === 'w' && isCapitalised(tokens[i - 1].text) && mixed) continue; // "Main St. Joseph" is rare; "Main St" is a street
		const lower = tj.lower.replace(/['’]s$/, '');
		if (!dicts.firstNames.has(lower) || (mixed && !isCapitalised(tj.text))) continue;
		emit(t.start, tj.end, 'Hospital', 0.7, 'facility');
	}
}

function detectStreets(ctx: DetectContext, emit: Emit): void {
	const { tokens, text } = ctx;
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i];
		// "123 Main Street", "45 N. Elm St."
		if (t.kind === 'n' && t.text.length <= 6 && !NUMBER_GLUE.test(text[t.start - 1] ?? '')) {
			let j = i + 1;
			let words = 0;
			let suffix = -1;
			while (j < tokens.length && words < 5 && sameLine(ctx, i, j)) {
				const tj = tokens[j];
				if (tj.text === '.' && tokens[j - 1].kind === 'w' && tokens[j - 1].text.length === 1) {
					j++;
					continue;
				}
				if (tj.kind !== 'w' && !(tj.kind === 'n' && ORDINAL_NUMBER.test(tj.text))) break;
				if (words === 0 && tj.start === tokens[j - 1].end) break; // "70s"
				if (tj.kind === 'w' && tj.text.length === 1 && tokens[j + 1]?.text !== '.') break;
				if (words > 0 && STREET_SUFFIXES.has(tj.lower)) {
					// "Dr." followed by a name is a title, not Drive
					const after = tokens[j + 1]?.text === '.' ? tokens[j + 2] : tokens[j + 1];
					if (!(tj.lower === 'dr' && after && after.kind === 'w' && sameLine(ctx, j, j + 1))) suffix = j;
					break;
				}
				if (ctx.casing === 'mixed' && tj.kind === 'w' && !isCapitalised(tj.text)) break;
				if (STOPWORDS.has(tj.lower) || UNITS.has(tj.lower) || CLINICAL.has(tj.lower)) break;
				words++;
				j++;
			}
			if (suffix > 0) {
				let end = tokens[suffix].end;
				if (text[end] === '.') end++;
				// Apartment/unit: "Apt 4B", "#12", "Suite 300"
				const unit = /^,?[ \t]{1,3}(?:apt\.?|apartment|unit|suite|ste\.?|#|piso|puerta)[ \t]{0,2}#?[A-Za-z0-9-]{1,6}/i.exec(text.slice(end, end + 24));
				if (unit) end += unit[0].length;
				emit(t.start, end, 'Street', 0.9, 'street');
			}
		}
		// "Calle Mayor 12", "C/ Alcalá, 45", "Avda. de la Paz nº 3"
		const slash = t.lower === 'c' && tokens[i + 1]?.text === '/' && tokens[i + 1].start === t.end;
		if (ctx.language === 'es' && t.kind === 'w' && (ES_STREET_WORDS.has(t.lower) || slash)) {
			// "c/" is an abbreviation in any case; a lower-case "calle" is prose
			if (!isCapitalised(t.text) && !slash) continue;
			// "Av." and "Ctra." need their dot (or a capitalised word) to be street abbreviations
			if (['av', 'ctra', 'pza', 'pso'].includes(t.lower) && tokens[i + 1]?.text !== '.' && !isCapitalised(tokens[i + 1]?.text ?? '')) continue;
			let j = i + 1;
			if (tokens[j]?.text === '/' || tokens[j]?.text === '.') j++;
			let words = 0;
			let last = -1;
			while (j < tokens.length && words < 6 && sameLine(ctx, i, j)) {
				const tj = tokens[j];
				if (tj.kind === 'w' && (isCapitalised(tj.text) || ['de', 'del', 'la', 'las', 'los', 'el', 'y'].includes(tj.lower))) {
					last = j;
					words++;
					j++;
					continue;
				}
				break;
			}
			if (last < 0) continue;
			let end = tokens[last].end;
			const num = ES_STREET_NUMBER.exec(text.slice(end, end + 40));
			if (num) end += num[0].length;
			emit(t.start, end, 'Street', num ? 0.92 : 0.7, 'street');
		}
	}
}

/** Spanish address lines that carry no street word but end in a number or "s/n" and are followed by a postal code. */
function detectSpanishAddressLines(ctx: DetectContext, emit: Emit): void {
	const { text } = ctx;
	for (const m of matchesOf(ES_ADDRESS_LINE, text)) {
		const start = m.index! + m[1].length;
		const end = start + m[2].length;
		const words = m[2].split(/[\s,]+/).filter((w) => /^\p{Lu}/u.test(w));
		if (words.length === 0 || words.some((w) => ES_NOT_STREET.has(w.toLowerCase()))) continue;
		emit(start, end, 'Street', 0.8, 'street-line');
	}
}

function detectGazetteer(ctx: DetectContext, emit: Emit): void {
	const { tokens, dicts, casing } = ctx;
	const facts = wordsOf(ctx);
	for (let i = 0; i < tokens.length; i++) {
		if (tokens[i].kind !== 'w' || !facts[i]!.placeFirst) continue;
		// Greedy: longest place name starting here (up to maxPlaceWords words).
		let best = -1;
		let bestKind: 'City' | 'State' | 'CountryOrRegion' | undefined;
		let key = '';
		let j = i;
		for (let w = 0; w < dicts.maxPlaceWords && j < tokens.length; w++) {
			const tj = tokens[j];
			if (tj.kind !== 'w' || (w > 0 && !sameLine(ctx, i, j))) break;
			key = w === 0 ? tj.lower : key + ' ' + tj.lower;
			const kind = dicts.places.get(key);
			if (kind) {
				best = j;
				bestKind = kind;
			}
			j++;
			if (tokens[j]?.text === '.' && w === 0 && ['st', 'mt', 'ft'].includes(tj.lower)) {
				key += '.';
				j++;
			}
		}
		if (best < 0 || !bestKind) continue;
		const words = best - i + 1;
		const first = tokens[i];
		const all = tokens.slice(i, best + 1).filter((t) => t.kind === 'w');
		// "towson maryland": a town right before its state's full name is a town, also in lower case
		const next = tokens[best + 1];
		const stateNext = !!next && next.kind === 'w' && sameLine(ctx, best, best + 1) && dicts.places.get(next.lower.replace(/['’]s$/, '')) === 'State';
		const capOk =
			casing !== 'mixed' ||
			(stateNext && (dicts.englishWords.get(tokens[best].lower) ?? 99) > 50) ||
			all.every((t) => isCapitalised(t.text) || ['of', 'de', 'del', 'la', 'the', 'and', 'y'].includes(t.lower));
		if (!capOk) continue;
		const lowerFirst = first.lower;
		if (words === 1 && (CLINICAL.has(lowerFirst) || STOPWORDS.has(lowerFirst) || UNITS.has(lowerFirst) || lowerFirst.length < 3)) continue;
		// part of a hyphenated clinical compound ("Jackson-Pratt")
		const prevT = tokens[i - 1];
		const nextT = tokens[best + 1];
		if ((nextT?.text === '-' && nextT.start === tokens[best].end && tokens[best + 2] && CLINICAL.has(`${tokens[best].lower}-${tokens[best + 2].lower}`)) ||
			(prevT?.text === '-' && prevT.end === first.start && tokens[i - 2] && CLINICAL.has(`${tokens[i - 2].lower}-${first.lower}`))) continue;
		const tier = words === 1 ? dicts.englishWords.get(lowerFirst) ?? 99 : 99;
		const before = i > 0 ? tokens[i - 1].lower : '';
		const afterComma =
			tokens[best + 1]?.text === ',' &&
			tokens[best + 2] &&
			(dicts.stateAbbreviations.has(tokens[best + 2].text) || dicts.places.get(tokens[best + 2].lower) === 'State');
		const prepContext = PLACE_PREPS.has(before) || PLACE_VERBS.has(before);
		let conf: number;
		const allCommon = all.every((t) => (dicts.englishWords.get(t.lower) ?? 99) <= 50 || STOPWORDS.has(t.lower));
		const zipAfter = /^,?[ \t]{1,3}\d{5}\b/.test(ctx.text.slice(tokens[best].end, tokens[best].end + 10));
		const cityBefore = i > 1 && tokens[i - 1].text === ',' && tokens[i - 2].kind === 'w';
		if (bestKind === 'CountryOrRegion' || bestKind === 'State') {
			// States and countries are not Safe Harbor identifiers on their own: below the default threshold
			// unless they are part of an address.
			if (bestKind === 'State' && (zipAfter || cityBefore)) conf = 0.85;
			else if (ctx.language === 'es' && bestKind === 'CountryOrRegion') conf = 0.8;
			else conf = tier <= 35 ? 0 : 0.45;
		} else if (afterComma || (stateNext && bestKind === 'City' && tier > 50)) {
			conf = 0.9;
		} else if (allCommon || (words === 1 && first.text.length <= 3)) {
			conf = 0;
		} else if (casing === 'mixed') {
			// A lone town name that is also a person's name needs a preposition to count on its own.
			const personName = words === 1 && (dicts.lastNames.has(lowerFirst) || dicts.firstNames.has(lowerFirst));
			conf = prepContext ? 0.8 : words > 1 ? 0.7 : personName ? 0.45 : 0.6;
		} else {
			conf = prepContext ? 0.65 : words > 1 ? 0.55 : 0.4;
		}
		if (conf > 0) emit(first.start, tokens[best].end, bestKind, conf, 'gazetteer');
		i = best;
	}
}

/** "transferred to X", "arrived from X": an unknown word there is a facility, ward or town. */
function detectMovementTargets(ctx: DetectContext, emit: Emit): void {
	const { tokens, dicts } = ctx;
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i];
		if (t.kind !== 'w' || !PLACE_VERBS.has(t.lower)) continue;
		let j = i + 1;
		if (j < tokens.length && ['to', 'from', 'at', 'in', 'into', 'via', 'back'].includes(tokens[j].lower)) j++;
		if (j < tokens.length && tokens[j].lower === 'to') j++;
		if (j < tokens.length && ['the', 'a'].includes(tokens[j].lower)) j++;
		let k = j;
		let words = 0;
		while (k < tokens.length && words < 3 && tokens[k].kind === 'w' && sameLine(ctx, i, k)) {
			const tk = tokens[k];
			const tier = dicts.englishWords.get(tk.lower) ?? 99;
			if (
				CLINICAL.has(tk.lower) ||
				STOPWORDS.has(tk.lower) ||
				UNITS.has(tk.lower) ||
				tier <= 60 ||
				HOSPITAL_WORDS.has(tk.lower) ||
				dicts.places.get(tk.lower) === 'State' ||
				dicts.places.get(tk.lower) === 'CountryOrRegion'
			)
				break;
			if (ctx.casing === 'mixed' && !isCapitalised(tk.text)) break;
			if (dicts.firstNames.has(tk.lower) && words === 0 && ctx.casing !== 'upper') break;
			words++;
			k++;
		}
		if (words > 0) emit(tokens[j].start, tokens[k - 1].end, 'LocationOther', 0.6, 'place-context');
	}
}

/** Professions ("works as a teacher", "retired carpenter") and organisations ("Acme Corp", "works at X"). */
export function detectOccupations(ctx: DetectContext, emit: Emit): void {
	const { tokens } = ctx;
	for (let i = 0; i < tokens.length; i++) {
		if (tokens[i].kind !== 'w') continue;
		professionAfterCue(ctx, emit, i);
		organizationBySuffix(ctx, emit, i);
		publicInstitution(ctx, emit, i);
		organizationAfterHead(ctx, emit, i);
		workplace(ctx, emit, i);
	}
}

/** A profession after a cue: "works as a teacher", "retired carpenter", "occupation: nurse". */
function professionAfterCue(ctx: DetectContext, emit: Emit, i: number): void {
	const { tokens } = ctx;
	const t = tokens[i];
	if (PROFESSION_CUES.has(t.lower)) {
		let j = i + 1;
		while (j < tokens.length && (tokens[j].text === ':' || ['a', 'an', 'the', 'un', 'una', 'de'].includes(tokens[j].lower))) j++;
		if (j < tokens.length && PROFESSIONS.has(tokens[j].lower)) {
			const cueOk =
				t.lower !== 'as' ||
				/\b(?:work(?:s|ed|ing)?|employed|job|served)\s{1,3}as\s*$/i.test(ctx.text.slice(Math.max(0, t.start - 16), t.end));
			if (cueOk) emit(tokens[j].start, tokens[j].end, 'Profession', 0.8, 'profession');
		}
	}
}

/** An organisation by its suffix: "Acme Corp", "Boston University". */
function organizationBySuffix(ctx: DetectContext, emit: Emit, i: number): void {
	const { tokens } = ctx;
	const t = tokens[i];
	if (ORG_SUFFIXES.has(t.lower) && i > 0 && ctx.casing === 'mixed' && isCapitalised(t.text) && t.text !== t.text.toUpperCase()) {
		const first = capitalisedRunStart(ctx, i - 1, i, 4, false);
		if (first >= 0) emit(tokens[first].start, t.end, 'Organization', 0.75, 'organization');
	}
}

/** A public institution named by its place and kind: "Lackawanna County Library", "Oak Hill Public School". */
function publicInstitution(ctx: DetectContext, emit: Emit, i: number): void {
	const { tokens } = ctx;
	const t = tokens[i];
	if (
		INSTITUTION_HEADS.has(t.lower) &&
		i >= 2 &&
		ctx.casing === 'mixed' &&
		isCapitalised(t.text) &&
		INSTITUTION_QUALIFIERS.has(tokens[i - 1].lower) &&
		isCapitalised(tokens[i - 1].text)
	) {
		const first = capitalisedRunStart(ctx, i - 2, i, 5, true);
		if (first >= 0) emit(tokens[first].start, t.end, 'Organization', 0.9, 'organization');
	}
}

/**
 * The first of the capitalised words (no stop words) that run left from token `from`, at most `reach` tokens
 * before the head at token `i` (on its line when `oneLine`); -1 when there is none.
 */
function capitalisedRunStart(ctx: DetectContext, from: number, i: number, reach: number, oneLine: boolean): number {
	const { tokens } = ctx;
	let first = -1;
	for (let j = from; j >= 0 && i - j <= reach; j--) {
		const tj = tokens[j];
		if (tj.kind !== 'w' || !isCapitalised(tj.text) || STOPWORDS.has(tj.lower) || (oneLine && !sameLine(ctx, j, i))) break;
		first = j;
	}
	return first;
}

/** The organisation a head belongs to: "CEO of IBM", "owner of Acme". */
function organizationAfterHead(ctx: DetectContext, emit: Emit, i: number): void {
	const { tokens } = ctx;
	const t = tokens[i];
	if (['of', 'at'].includes(t.lower) && i > 0 && ORG_HEADS.has(tokens[i - 1].lower) && sameLine(ctx, i - 1, i + 1)) {
		let j = i + 1;
		if (j < tokens.length && tokens[j].lower === 'the') j++;
		let last = -1;
		for (let k = j; k < tokens.length && k - j < 4 && tokens[k].kind === 'w' && sameLine(ctx, i, k); k++) {
			const tk = tokens[k];
			const tier = ctx.dicts.englishWords.get(tk.lower) ?? 99;
			if (
				!isCapitalised(tk.text) ||
				STOPWORDS.has(tk.lower) ||
				CLINICAL.has(tk.lower) ||
				HOSPITAL_WORDS.has(tk.lower) ||
				(tier <= 60 && ctx.casing !== 'mixed')
			)
				break;
			last = k;
		}
		// one common word ("employee of the State") names no organisation
		const single = last === j && (ctx.dicts.englishWords.get(tokens[j].lower) ?? 99) <= 60;
		if (last >= j && !single) emit(tokens[j].start, tokens[last].end, 'Organization', 0.7, 'organization');
	}
}

/** A workplace: "works at X", "employed by X", "trabaja en X". */
function workplace(ctx: DetectContext, emit: Emit, i: number): void {
	const { tokens } = ctx;
	const t = tokens[i];
	if (
		['at', 'for', 'by', 'en', 'para'].includes(t.lower) &&
		i > 0 &&
		/^(?:works?|worked|working|employed|trabaja|trabajó|trabajaba)$/i.test(tokens[i - 1].text)
	) {
		let j = i + 1;
		let last = -1;
		while (j < tokens.length && j - i <= 4 && tokens[j].kind === 'w' && isCapitalised(tokens[j].text) && !STOPWORDS.has(tokens[j].lower)) {
			last = j;
			j++;
		}
		if (last > i) emit(tokens[i + 1].start, tokens[last].end, 'Organization', 0.7, 'organization');
	}
}
