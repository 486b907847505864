import { AMBIGUOUS_MONTHS, MEASURE_CONTEXT, MONTHS, UNITS, WEEKDAYS } from './lexicon';
import { type DetectContext, type Emit, nextWord, prevWord, matchesOf } from './context';
import type { EntityType } from '../types';
import {
	YEAR_EVENTS, PARTIAL_DATE_BEFORE, PARTIAL_DATE_NEGATIVE_BEFORE, HYPHEN_DATE_BEFORE, HYPHEN_DATE_AFTER,
	FRACTIONS, AMBIGUOUS_UNITS, YEAR_TIME_BEFORE, YEAR_CONTEXT_BEFORE, PHONE_WORDS, CONTACT_WORDS,
	CONTACT_FILLERS, ID_FILLERS, STOP_VALUES,
} from './words';

// Every pattern here uses bounded quantifiers only, so each match attempt does constant work and a scan is
// linear in the text length whatever the input (test/perf/linear.test.ts checks this).

const MONTH_ALT = [...MONTHS.keys()].sort((a, b) => b.length - a.length).join('|');
const ORD = '(?:st|nd|rd|th|º|°|er)?';
const SEP = '[ \\t]{1,3}';

/** Top-level domains a bare domain name is recognised by. */
const TLDS = 'com|org|net|edu|gov|io|info|biz|us|uk|ca|es|fr|de|health|care|me|co';
/** Spanish and European nine-digit phone numbers, with an optional +34. */
const NINE_DIGIT_PHONE = /(?<!\d)(?:\+34[ ]?)?[6789]\d{2}[ .]?\d{2,3}[ .]?\d{2,3}[ .]?\d{0,3}(?!\d)/g;
const RE = {
	ymd: /\b(1[89]\d\d|20\d\d)([-/.])(\d{1,2})\2(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g,
	mdy: /(?<![\d/.])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})\b(?![-/.]\d|\s?%)/g,
	monthYear: /(?<![\d/.])(\d{1,2})\/(\d{2}|\d{4})(?![\d/]|\.\d|\s?%)/g,
	ordinalDay: /\b(?:the|on the|el|le)[ \t]{1,3}(\d{1,2})(st|nd|rd|th|º)\b/gi,
	decade: /\b(?:19|20)\d0['’]?s\b/gi,
	trailingApostropheYear: /(?<![\w'’.])(\d{2})['’](?![\w'’"])/g,
	twoDigit: /(?<![\w.,/'’-])(\d{2})(?![\w%/-]|[.,]\d|\s?%|\s?(?:cc|ml|mg|kg|s\b))/g,
	mdmd: /\b(\d{1,2})\/(\d{1,2})\/(\d{1,2})\/(\d{1,2})\b/g,
	md: /(?<![\d/.])(\d{1,2})\/(\d{1,2})(?![\d/]|\.\d)/g,
	/** "on 7-8": month-day with a hyphen, only after a date preposition (ranges and counts are far commoner) */
	mdHyphen: /(?<![\d/.,:-])(\d{1,2})-(\d{1,2})(?![\d/-]|[.,:]\d)/g,
	/** "1->2 nov", "3-5 Nov": the first day of a range before a day and month */
	dayRangeStart: /(?<![\d/.,:-])(\d{1,2})[ \t]{0,2}(?:->|-|–|&)[ \t]{0,2}$/,
	/** "knows it is 2020", "states year is 1995": a year asked in an orientation check */
	orientationYear:
		/\b(?:knows?|knew|states?|stated|says?|said|thinks?|thought|believes?|believed|answers?|answered|reports?|reported|oriented|guessed|guesses)[ \t]{1,3}(?:that[ \t]{1,3})?(?:it[ \t]{1,3}is|it['’]s|it[ \t]{1,3}was|the[ \t]{1,3}year[ \t]{1,3}is|year[ \t]{1,3}is|year)[ \t:]{1,3}$/i,
	/** "11/21.93": a date whose year was typed after a dot */
	mdDotYear: /(?<![\d/.])(\d{1,2})\/(\d{1,2})\.(\d{2})(?![.,]?\d|\s?%)/g,
	// Month patterns without the u flag: the names are Latin-1, and with it the scan costs three times as much
	// (\b and case folding differ only for ſ and the Kelvin sign).
	monthFirst: new RegExp(
		`\\b(${MONTH_ALT})\\.?(?:${SEP}(?:the${SEP})?(\\d{1,2})${ORD}\\b)?(?:,?${SEP}(?:de${SEP}|del${SEP}|of${SEP})?('?\\d{4}|'\\d{2})\\b)?`,
		'gi',
	),
	dayFirst: new RegExp(
		`\\b(\\d{1,2})${ORD}(?:${SEP}|[-/ ]|${SEP}(?:of|de)${SEP})(${MONTH_ALT})\\b\\.?(?:(?:,?${SEP}|-|/)(?:de${SEP}|del${SEP})?(\\d{4}|\\d{2})\\b)?`,
		'gi',
	),
	year: /(?<![\d.,:/-])(19[0-9]\d|20[0-4]\d)(?![\d.,:]\d|\s?(?:%|cc|ml|mg|hrs?\b|h\b))/g,
	apostropheYear: /(?<![\w'])['’](\d{2})\b(?!['’]|\s?(?:%|cc|ml|mg|kg|lb|ft|in\b))/g,
	ageNumberFirst:
		/\b(\d{1,3})(?:[ -]{0,2}|\s{1,3})(?:yo\b|y\/o\b|y\.o\.?|yrs?\.?[ -]{0,2}old\b|years?[ -]{0,2}old\b|year[ -]old\b|yoa\b|y\s{0,2}o\b|años\b|anos\b|ans\b|jahre?\b|a\.\s)/gi,
	ageWordFirst: /\b(?:age|aged|edad(?: de)?|ages?:)[ \t:]{0,3}(?:of[ \t]{1,3})?(\d{1,3})\b/gi,
	ageLeading:
		/(?:^|\n)[ \t]{0,8}(\d{2,3})[ \t]{0,3}(?=(?:s\/p|m\b|f\b|male|female|man\b|woman|gentleman|lady|w\/|with|yo|y\/o|y\.o|year|yr)|[ \t]{0,2}(?:s\/p))/gi,
	email: /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,6}\.[A-Za-z]{2,24}\b/g,
	url: /\b(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>"'()[\]{}]{1,2000}/gi,
	domain: new RegExp(`\\b[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\\.[A-Za-z0-9-]{1,63}){0,4}\\.(?:${TLDS})\\b(?:\\/[^\\s<>"'()]{0,500})?`, 'gi'),
	ipv4: /(?<![\d./])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)/g,
	ipv6: /(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g,
	ssn: /(?<![\d-])(\d{3})[- ](\d{2})[- ](\d{4})(?![\d-])/g,
	phone: /(?<![\d\w])(?:\+?1[ .-]{0,2})?(?:\(\d{3}\)|\d{3})[ .-]{0,2}\d{3}[ .-]{1,2}\d{4,5}(?:[ \t]{0,2}(?:x|ext\.?|extension)[ \t]{0,2}\d{1,6})?(?![\d])/gi,
	// a country code, then groups (a subscriber number may be one group of up to 10 digits: "+49 30 7931066")
	intlPhone: /(?<![\w+])\+\d{1,3}(?:[ .-]{1,2}\(?\d{1,10}\)?){1,5}(?!\d)/g,
	contextNumber: /(?<![\w#-])#?\d(?:[\d -]{0,13}\d)?(?![\d])/g,
	zip: /(?<!\d)(\d{5})(?:-(\d{4}))?(?![\d-])/g,
	longDigits: /(?<![\w.,-])\d{7,20}(?![\w.,])/g,
	idToken: /[A-Za-z0-9][A-Za-z0-9\-/.]{1,30}[A-Za-z0-9]|[A-Za-z0-9]{2}/y,
	// a state's abbreviation before a licence-plate shape: "PA KXT-4471", "CA 7ABC123"
	plate: /\b([A-Z]{2})[ \t]{1,2}([A-Z]{3}-\d{3,4}|\d[A-Z]{3}\d{3})(?![\w-])/g,
} as const;

function validMonthDay(m: number, d: number): boolean {
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/** Span, month and day of a two-number match ("11/17", "7-8"), in the locale's order; undefined when no month-day. */
function monthDay(m: RegExpMatchArray, dayFirst: boolean): [start: number, end: number, month: number, day: number] | undefined {
	const a = Number(m[1]);
	const b = Number(m[2]);
	const [mo, d] = dayFirst ? [b, a] : [a, b];
	return validMonthDay(mo, d) ? [m.index!, m.index! + m[0].length, mo, d] : undefined;
}

/** Dates in numeric, ISO, month-name and partial forms; years; impossible dates that look like dates count too. */
export function detectDates(ctx: DetectContext, emit: Emit): void {
	const { text } = ctx;
	const dayFirst = ctx.language === 'es';
	numericDates(text, dayFirst, emit);
	detectTwoDigitYears(text, emit);
	partialDates(text, dayFirst, emit);
	monthNameDates(ctx, emit);
	yearDates(text, emit);
}

/** Whole numeric dates: ISO, ranges, month/day/year, month/year, ordinals, decades. */
function numericDates(text: string, dayFirst: boolean, emit: Emit): void {
	for (const m of matchesOf(RE.ymd, text)) {
		if (Number(m[3]) <= 12 || Number(m[4]) <= 12) emit(m.index!, m.index! + m[0].length, 'Date', 0.97, 'date-iso');
	}
	for (const m of matchesOf(RE.mdmd, text)) {
		if (validMonthDay(+m[1], +m[2]) && validMonthDay(+m[3], +m[4])) emit(m.index!, m.index! + m[0].length, 'Date', 0.9, 'date-range');
	}
	for (const m of matchesOf(RE.mdy, text)) {
		const a = Number(m[1]);
		const b = Number(m[3]);
		const [mo, d] = dayFirst ? [b, a] : [a, b];
		// Impossible dates (2/31) still look like dates; only reject what cannot be a month at all.
		if ((mo >= 1 && mo <= 12 && d >= 1 && d <= 31) || (d >= 1 && d <= 12 && mo >= 1 && mo <= 31)) {
			if (m[2] === '.' && m[4].length === 2 && !dayFirst) continue; // 1.5.10 is more likely a version
			emit(m.index!, m.index! + m[0].length, 'Date', 0.95, 'date-numeric');
		}
	}
	for (const m of matchesOf(RE.mdDotYear, text)) {
		const md = monthDay(m, dayFirst);
		if (md && partialDateConfidence(text, md[0], md[1], md[2], md[3]) > 0) emit(md[0], md[1], 'Date', 0.85, 'date-numeric');
	}
	for (const m of matchesOf(RE.monthYear, text)) {
		// "11/92", "3/2002": month and year
		const mo = Number(m[1]);
		const y = m[2];
		if (mo < 1 || mo > 12 || (y.length === 2 && Number(y) <= 31)) continue;
		if (y.length === 4 && !/^(19|20)/.test(y)) continue;
		const start = m.index!;
		const before = prevWord(text, start, ' \t:(-');
		if (MEASURE_CONTEXT.has(before) || UNITS.has(nextWord(text, start + m[0].length))) continue;
		emit(start, start + m[0].length, 'Date', 0.75, 'date-month-year');
	}
	for (const m of matchesOf(RE.ordinalDay, text)) {
		const num = m.index! + m[0].length - m[1].length - m[2].length;
		if (Number(m[1]) >= 1 && Number(m[1]) <= 31) emit(num, m.index! + m[0].length, 'Date', 0.7, 'date-ordinal');
	}
	for (const m of matchesOf(RE.decade, text)) emit(m.index!, m.index! + m[0].length, 'Date', 0.75, 'date-year');
	for (const m of matchesOf(RE.trailingApostropheYear, text)) {
		const n = Number(m[1]);
		if (n >= 10 && !/\d['’]?\s?\d/.test(text.slice(m.index!, m.index! + 6))) emit(m.index!, m.index! + 2, 'Date', 0.7, 'date-year');
	}
}

/** A month and day without a year ("11/17", "on 7-8"), unless the numbers are a score, a range or a setting. */
function partialDates(text: string, dayFirst: boolean, emit: Emit): void {
	for (const m of matchesOf(RE.md, text)) {
		const md = monthDay(m, dayFirst);
		if (!md) continue;
		const [start, end, mo, d] = md;
		const a = Number(m[1]);
		const b = Number(m[2]);
		// pain scores: "5/10", "CP 8/10"
		if (b === 10 && a <= 10 && /pain|cp\b|angina|discomfort|rate|scale|score|ha\b|headache/i.test(text.slice(Math.max(0, start - 40), end + 20))) continue;
		if (/\d[-–]$/.test(text.slice(Math.max(0, start - 2), start)) || /^[-–]\d/.test(text.slice(end, end + 2))) continue;
		// ventilator settings: "CPAP .5% 5/5", "PSV 10/5", "settings 20/5/40%": the setting word, then only numbers
		// ("R AC 11/17" is the right antecubital vein, no ventilator mode)
		const lead = text.slice(Math.max(0, start - 36), start);
		const vent = /\b(cpap|bipap|psv|ps|peep|simv|ips|ipap|epap|vent|ac|prvc|fio2|mask|settings?|flowby)[\s:.,%\d/x-]{0,14}$/i.exec(lead);
		if (vent && !(vent[1].toLowerCase() === 'ac' && ANTECUBITAL.test(lead))) continue;
		const conf = partialDateConfidence(text, start, end, mo, d);
		if (conf > 0) emit(start, end, 'Date', conf, 'date-partial');
	}
	for (const m of matchesOf(RE.mdHyphen, text)) {
		const md = monthDay(m, dayFirst);
		if (!md) continue;
		const [start, end] = md;
		const before = prevWord(text, start, ' \t');
		const after = nextWord(text, end);
		// "on 7-8 for coiling": a date preposition right before, and after it no unit, count or time ("on 2-3 L", "since 7-8 pm")
		if (!HYPHEN_DATE_BEFORE.has(before) || /^[ \t]{0,2}(?:\d|[-–/x%])/.test(text.slice(end, end + 3))) continue;
		if (after !== '' && !HYPHEN_DATE_AFTER.has(after)) continue;
		emit(start, end, 'Date', 0.75, 'date-partial');
	}
}

/** Dates with a month's name, before or after the day ("March 3, 2020", "3 nov"); a month alone after "in". */
function monthNameDates(ctx: DetectContext, emit: Emit): void {
	const { text } = ctx;
	for (const m of matchesOf(RE.monthFirst, text)) {
		const month = m[1].toLowerCase();
		const start = m.index!;
		let end = start + m[0].length;
		const day = m[2];
		const year = m[3];
		if (!day && !year) {
			// A month alone counts after a date preposition ("in Sept.", "since March") unless it is also a word.
			const before = prevWord(text, start);
			// An ambiguous one ("in sept.", "since Dec.") counts when it is abbreviated with its dot.
			const dotted = text[start + m[1].length] === '.' && month.length <= 4 && month !== 'may';
			if (
				['in', 'since', 'until', 'from', 'by', 'early', 'late', 'mid', 'en', 'desde', 'hasta'].includes(before) &&
				(!AMBIGUOUS_MONTHS.has(month) || dotted)
			) {
				emit(start, start + m[1].length, 'Date', 0.7, 'date-month');
			}
			continue;
		}
		if (day && Number(day) > 31) continue;
		if (AMBIGUOUS_MONTHS.has(month) && !isCapitalisedAt(text, start) && ctx.casing === 'mixed' && !year) continue;
		if (month === 'may' || month === 'mar' || month === 'jan') {
			// "may 2 doses": the modal verb followed by a count
			const after = nextWord(text, end);
			if (UNITS.has(after)) continue;
		}
		while (end > start && /[\s,]/.test(text[end - 1])) end--;
		emit(weekdayBefore(text, start), end, 'Date', year ? 0.95 : 0.85, 'date-month');
	}
	for (const m of matchesOf(RE.dayFirst, text)) {
		if (Number(m[1]) > 31 || Number(m[1]) < 1) continue;
		const month = m[2].toLowerCase();
		if (AMBIGUOUS_MONTHS.has(month) && ctx.casing === 'mixed' && !isCapitalisedAt(text, m.index! + m[0].indexOf(m[2])) && !m[3]) continue;
		emit(weekdayBefore(text, m.index!), m.index! + m[0].length, 'Date', m[3] ? 0.95 : 0.85, 'date-month');
		// The day that opens a range: "1->2 nov", "3-5 Nov"
		const range = RE.dayRangeStart.exec(text.slice(Math.max(0, m.index! - 10), m.index!));
		if (range && Number(range[1]) >= 1 && Number(range[1]) < Number(m[1])) {
			const rs = m.index! - range[0].length;
			emit(rs, rs + range[1].length, 'Date', 0.8, 'date-month');
		}
	}
}

/** Four-digit years where the context makes them dates, and '92. */
function yearDates(text: string, emit: Emit): void {
	for (const m of matchesOf(RE.year, text)) {
		const start = m.index!;
		const end = start + 4;
		if (RE.orientationYear.test(text.slice(Math.max(0, start - 40), start))) {
			emit(start, end, 'Date', 0.85, 'date-year');
			continue;
		}
		const conf = yearConfidence(text, start, end, Number(m[1]));
		if (conf > 0) emit(start, end, 'Date', conf, 'date-year');
	}
	for (const m of matchesOf(RE.apostropheYear, text)) {
		// '92 — the digits only; the apostrophe is not PHI
		emit(m.index! + 1, m.index! + 3, 'Date', 0.8, 'date-year');
	}
}

function detectTwoDigitYears(text: string, emit: Emit): void {
	let lastYearEnd = -100;
	for (const m of matchesOf(RE.twoDigit, text)) {
		const start = m.index!;
		const before = prevWord(text, start, ' \t,');
		let ok = YEAR_EVENTS.has(before);
		if (!ok && (before === 'in' || before === 'x')) {
			const b2 = prevWord(text, start - before.length - 1 - (text.slice(0, start).length - text.slice(0, start).trimEnd().length), ' \t,');
			ok = YEAR_EVENTS.has(b2);
		}
		if (!ok && (before === 'and' || before === '') && start - lastYearEnd <= 8) ok = true;
		if (!ok) continue;
		lastYearEnd = start + 2;
		emit(start, start + 2, 'Date', 0.65, 'date-year');
	}
}

function isCapitalisedAt(text: string, i: number): boolean {
	const c = text[i];
	return c !== undefined && c !== c.toLowerCase();
}

/** "R AC 11/17", "left AC: 3/4": the antecubital vein, named with its side (the ventilator mode has none). */
const ANTECUBITAL = /\b(?:r|l|rt|lt|right|left|bilat|bilateral)\.?[ \t]{1,2}ac[ \t:(-]{1,3}$/i;

/** A measured value right after the partial date ("WT 10/8 59.2kg"): the date tells when it was measured. */
const MEASURED_VALUE_AFTER = /^[ \t:,-]{1,3}\d{1,4}(?:\.\d{1,2})?[ \t]?(?:kg|kgs|lb|lbs|g|gm|grams|ml|cc|cm|mm|mg|mmhg|%)(?![\p{L}\d])/iu;
/** "last doses 9/7", "first dose given 3/4": which dose, then when. */
const DOSE_ORDINAL = /\b(?:last|final|first|next|initial|1st|2nd|3rd|previous|prior)[ \t]{1,2}(?:\w{1,12}[ \t]{1,2})?doses?[ \t:]{1,3}$/i;

function partialDateConfidence(text: string, start: number, end: number, month: number, day: number): number {
	const before = prevWord(text, start, ' \t:(-');
	const after = nextWord(text, end);
	const charBefore = text[start - 1] ?? '';
	const charAfter = text[end] ?? '';
	if ((UNITS.has(after) && !AMBIGUOUS_UNITS.has(after)) || after.startsWith('%') || charAfter === '%') return 0;
	if (
		['ns', 'nss', 'strength', 'str', 'of', 'assist', 'max', 'mod', 'min', 'times', 'x', 'tabs', 'tab', 'ratio', 'beats', 'systolic'].includes(
			after,
		)
	)
		return 0;
	if (charBefore === '+' || charAfter === '+' || charBefore === 'x' || charBefore === '×') return 0;
	// Common fractions (1/2, 1/3, 2/3, 1/4, 3/4) are usually quantities unless a date word is right before.
	const fraction = FRACTIONS.has(`${month}/${day}`);
	if (PARTIAL_DATE_NEGATIVE_BEFORE.has(before) && before !== 'of') {
		if (fraction) return 0;
		const lead = text.slice(Math.max(0, start - 40), start);
		if (before === 'ac' && ANTECUBITAL.test(lead)) return 0.8;
		if ((before === 'dose' || before === 'doses') && DOSE_ORDINAL.test(lead)) return 0.85;
		if (MEASURED_VALUE_AFTER.test(text.slice(end, end + 16))) return 0.8;
		return 0;
	}
	if (PARTIAL_DATE_BEFORE.has(before) || WEEKDAYS.has(before)) return fraction && ['of', 'x', 'and', 'or', 'at', 'for', 'in'].includes(before) ? 0.4 : 0.9;
	if (fraction) return 0.45;
	return 0.75;
}

function yearConfidence(text: string, start: number, end: number, year: number): number {
	const before = prevWord(text, start, ' \t(,');
	const after = nextWord(text, end);
	if (UNITS.has(after) || MEASURE_CONTEXT.has(before)) return 0;
	// shift times: "1900-0730", "0700 - 1900", "@ 2000", "~1930"
	if (
		/^[ \t]{0,2}[-–>to]{1,2}[ \t]{0,2}\d{4}/.test(text.slice(end, end + 8)) ||
		/\d{4}[ \t]{0,2}[-–>][ \t]{0,2}$/.test(text.slice(Math.max(0, start - 8), start))
	)
		return 0;
	if (/[@~][ \t]{0,2}$/.test(text.slice(Math.max(0, start - 3), start))) return 0;
	const looksLikeTime = year % 100 < 60;
	if (looksLikeTime && (YEAR_TIME_BEFORE.has(before) || ['hrs', 'hr', 'h', 'pm', 'am', 'hours'].includes(after) || text[start - 1] === '@')) return 0;
	if (YEAR_CONTEXT_BEFORE.has(before) || MONTHS.has(before) || YEAR_EVENTS.has(before)) return 0.9;
	if (year < 2000 && year >= 1930 && !(looksLikeTime && year >= 1900)) return 0.8;
	if (year < 1960 && year >= 1930) return 0.75;
	return looksLikeTime ? 0.45 : 0.7;
}

const ES_DURATION_BEFORE =
	/(?:hace|durante|desde|tras|cada|últimos|ultimos|próximos|proximos|plazo de|período de|periodo de|lapso de)[ \t]{1,3}(?:unos[ \t]{1,3}|aproximadamente[ \t]{1,3}|más de[ \t]{1,3}|menos de[ \t]{1,3})?$/i;
const ES_DURATION_AFTER =
	/^[ \t]{0,3}(?:de (?:evolución|evolucion|seguimiento|tratamiento|duración|duracion|antigüedad|antiguedad)|después|despues|antes|atrás|atras|más tarde|mas tarde|previos?)\b/i;

/** Ages; only those over 89 unless options.ages is 'all'. */
export function detectAges(ctx: DetectContext, emit: Emit): void {
	const all = ctx.options.ages === 'all';
	const seen = new Set<number>();
	const take = (start: number, numText: string, conf: number, spanLength = numText.length) => {
		const n = Number(numText);
		if (seen.has(start) || n > 125) return;
		seen.add(start);
		if (!all && n <= 89) return;
		emit(start, start + spanLength, 'Age', n > 89 ? conf : conf * 0.9, 'age');
	};
	for (const m of matchesOf(RE.ageNumberFirst, ctx.text)) {
		// Spanish ages include their unit ("53 años"), as MEDDOCAN annotates them.
		const unit = /^(\d{1,3})(\s{0,3})(años|anos|meses|días|dias)\b/i.exec(m[0]);
		// A duration is no age: "hace 2 años", "durante 3 años", "2 años de evolución", "5 años después".
		if (
			ctx.language === 'es' &&
			(ES_DURATION_BEFORE.test(ctx.text.slice(Math.max(0, m.index! - 24), m.index!)) ||
				ES_DURATION_AFTER.test(ctx.text.slice(m.index! + m[0].length, m.index! + m[0].length + 24)))
		)
			continue;
		take(m.index!, m[1], 0.95, unit && ctx.language === 'es' ? unit[0].length : m[1].length);
	}
	for (const m of matchesOf(RE.ageWordFirst, ctx.text)) take(m.index! + m[0].lastIndexOf(m[1]), m[1], 0.9);
	for (const m of matchesOf(RE.ageLeading, ctx.text)) take(m.index! + m[0].lastIndexOf(m[1]), m[1], 0.75);
}

/** "Monday, July 16, 1981": a weekday written before a date is part of it (a date shift rewrites both). */
const WEEKDAY_BEFORE =
	/(?<![\p{L}])(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|Mon|Tue|Tues|Wed|Thu|Thurs|Fri|Sat|Sun|MON|TUE|WED|THU|FRI|SAT|SUN)\.?,?[ \t]{1,2}$/iu;
function weekdayBefore(text: string, start: number): number {
	const m = WEEKDAY_BEFORE.exec(text.slice(Math.max(0, start - 14), start));
	if (!m) return start;
	// a three-letter abbreviation is a weekday only with its comma or period ("sat in chair", "Sun exposure")
	const word = m[0].replace(/[.,\s]+$/, '');
	if (word.length <= 4 && !/[.,]/.test(m[0])) return start;
	if (word.length <= 4 && word === word.toLowerCase()) return start;
	return start - m[0].length;
}

/** Phones, faxes, pagers and extensions. */
export function detectPhones(ctx: DetectContext, emit: Emit): void {
	const { text } = ctx;
	const kind = (start: number): EntityType => (/\bfax\b|\bfacsimile\b/i.test(text.slice(Math.max(0, start - 16), start)) ? 'Fax' : 'Phone');
	for (const m of matchesOf(RE.phone, text)) {
		const digits = m[0].replace(/\D/g, '');
		if (digits.length < 10) continue;
		emit(m.index!, m.index! + m[0].length, kind(m.index!), 0.95, 'phone');
	}
	for (const m of matchesOf(RE.intlPhone, text)) {
		const digits = m[0].replace(/\D/g, '').length;
		if (digits >= 8 && digits <= 15) emit(m.index!, m.index! + m[0].length, kind(m.index!), 0.9, 'phone');
	}
	// Short numbers (pagers, extensions, local numbers) only with a phone word right before them.
	for (const m of matchesOf(RE.contextNumber, text)) {
		let start = m.index!;
		let s = m[0];
		if (s.startsWith('#')) {
			start++;
			s = s.slice(1);
		}
		const trimmed = s.replace(/[ -]+$/, '');
		const digits = trimmed.replace(/\D/g, '');
		if (digits.length < 4 || digits.length > 12) continue;
		const before = prevWord(text, m.index!, ' \t:#.-');
		if (!PHONE_WORDS.has(before)) continue;
		if (UNITS.has(nextWord(text, start + trimmed.length))) continue;
		emit(start, start + trimmed.length, before === 'fax' ? 'Fax' : kind(start), 0.85, 'phone-context');
	}
	detectLocalPhones(ctx, emit);
	// Spanish and European 9-digit numbers with a phone word before them.
	for (const m of matchesOf(NINE_DIGIT_PHONE, text)) {
		const digits = m[0].replace(/\D/g, '');
		if (digits.length !== 9 && digits.length !== 11) continue;
		const before = prevWord(text, m.index!, ' \t:#.-');
		if (PHONE_WORDS.has(before)) emit(m.index!, m.index! + m[0].trimEnd().length, kind(m.index!), 0.85, 'phone-context');
	}
}

/**
 * Seven-digit local numbers ("555-0199", "555.0199"): an exchange (first digit 2–9, as the numbering plan has it)
 * and four digits, not part of a longer number, found when a phone word or a contact verb stands in the words
 * before it ("called 555-0199", "reach her at 555-0199"), or when the number is all of its line (a form field, a
 * JSON value such as a FHIR telecom's). Ranges and values ("platelets 250-400", "normal 350-1050 mg") have
 * neither, or a unit after them.
 */
const LOCAL_PHONE = /(?<![\w.,/:+-]|\d[ \t)]|\)[ \t]?)([2-9]\d{2})([-.])(\d{4})(?![\w%]|[-.,/:]\d)/g;
const LETTER_RE = /\p{L}/u;

function detectLocalPhones(ctx: DetectContext, emit: Emit): void {
	const { text } = ctx;
	if (!text.includes('-') && !text.includes('.')) return;
	for (const m of matchesOf(LOCAL_PHONE, text)) {
		const start = m.index!;
		const end = start + m[0].length;
		// a dotted number needs its phone word: "250.1234" alone is a measure
		let ok = false;
		// the words before, nearest first, within the line: a contact word, perhaps after fillers
		let at = start;
		for (let k = 0; k < 4; k++) {
			let i = at - 1;
			while (i >= 0 && at - i < 8 && ' \t:#.-('.includes(text[i])) i--;
			const e = i + 1;
			while (i >= 0 && e - i < 24 && LETTER_RE.test(text[i])) i--;
			const w = text.slice(i + 1, e).toLowerCase();
			if (!w) break;
			if (CONTACT_WORDS.has(w)) {
				ok = true;
				break;
			}
			if (!CONTACT_FILLERS.has(w)) break;
			at = i + 1;
		}
		if (!ok && m[2] === '-') {
			// all of its line (a field value); quotes count as line edges, so a JSON value does too
			const lineStart = Math.max(text.lastIndexOf('\n', start - 1) + 1, 0);
			const nl = text.indexOf('\n', end);
			const lineEnd = nl < 0 ? text.length : nl;
			ok = /^[ \t"']*$/.test(text.slice(lineStart, start)) && /^[ \t"'.]*$/.test(text.slice(end, lineEnd));
		}
		// ("in" is a unit too, but "reach her at 555-0199 in the evening" is a phone)
		const after = nextWord(text, end);
		if (!ok || (UNITS.has(after) && after !== 'in')) continue;
		emit(start, end, kind(text, start), 0.85, 'phone-local');
	}
}

function kind(text: string, start: number): EntityType {
	return /\bfax\b|\bfacsimile\b/i.test(text.slice(Math.max(0, start - 16), start)) ? 'Fax' : 'Phone';
}

/** Parts every match of RE.domain and RE.ipv6 contains (same flags, so the same case and word-boundary rules). */
const DOMAIN_TLD = new RegExp(`\\.(?:${TLDS})\\b`, 'i');
const TWO_COLONS = /:[0-9A-Fa-f]{0,4}:/;

/** Email, URL, IP addresses. */
export function detectNetwork(ctx: DetectContext, emit: Emit): void {
	const { text } = ctx;
	const emails: [number, number][] = [];
	// Cheap necessary conditions first (an '@'; a dot and a top-level domain; two colons with hex digits between):
	// most text has none, and the full patterns try every word start.
	if (text.includes('@')) for (const m of matchesOf(RE.email, text)) {
		emit(m.index!, m.index! + m[0].length, 'Email', 0.98, 'email');
		emails.push([m.index!, m.index! + m[0].length]);
	}
	const insideEmail = (i: number) => emails.some(([s, e]) => i >= s && i < e);
	for (const m of matchesOf(RE.url, text)) {
		let end = m.index! + m[0].length;
		while (end > m.index! && /[.,;:!?]/.test(text[end - 1])) end--;
		emit(m.index!, end, 'Url', 0.97, 'url');
	}
	if (DOMAIN_TLD.test(text)) for (const m of matchesOf(RE.domain, text)) {
		if (insideEmail(m.index!)) continue;
		const s = m[0];
		// "pt.net" style typos are rare; require a letter-only label before the TLD and no digit-only labels.
		if (!/[a-z]{2,}\.[a-z]{2,}/i.test(s) || /^\d+\./.test(s)) continue;
		let end = m.index! + s.length;
		while (end > m.index! && /[.,;:!?]/.test(text[end - 1])) end--;
		emit(m.index!, end, 'Url', 0.8, 'url-domain');
	}
	for (const m of matchesOf(RE.ipv4, text)) {
		if ([m[1], m[2], m[3], m[4]].every((p) => Number(p) <= 255)) emit(m.index!, m.index! + m[0].length, 'IPAddress', 0.9, 'ip');
	}
	if (TWO_COLONS.test(text)) for (const m of matchesOf(RE.ipv6, text)) {
		const s = m[0];
		const colons = (s.match(/:/g) ?? []).length;
		const compressed = s.split('::').length - 1;
		const valid = compressed <= 1 && (compressed === 1 ? colons >= 2 : colons === 7) && !/:::/.test(s) && /[0-9a-f]/i.test(s.replace(/:/g, ''));
		if (valid && colons >= 2 && !/^\d{1,2}:\d{2}(:\d{2})?$/.test(s) && (colons >= 4 || /[a-f]/i.test(s))) {
			emit(m.index!, m.index! + s.length, 'IPAddress', 0.85, 'ip');
		}
	}
}

interface IdRule {
	/** Lower-case cue, one or more words separated by spaces. */
	cue: string[];
	type: EntityType;
}

const ID_CUES: [string, EntityType][] = [
	['mrn', 'MedicalRecord'], ['mr#', 'MedicalRecord'], ['medical record', 'MedicalRecord'], ['med rec', 'MedicalRecord'],
	['record number', 'MedicalRecord'], ['record no', 'MedicalRecord'], ['unit no', 'MedicalRecord'], ['unit number', 'MedicalRecord'],
	['hospital number', 'MedicalRecord'], ['chart', 'MedicalRecord'], ['nhc', 'MedicalRecord'], ['historia clínica', 'MedicalRecord'],
	['historia clinica', 'MedicalRecord'], ['nº historia', 'MedicalRecord'], ['episodio', 'MedicalRecord'],
	['member id', 'HealthPlan'], ['member', 'HealthPlan'], ['insurance id', 'HealthPlan'], ['insurance', 'HealthPlan'], ['policy', 'HealthPlan'],
	['policy number', 'HealthPlan'], ['health plan', 'HealthPlan'], ['subscriber', 'HealthPlan'], ['medicare', 'HealthPlan'],
	['medicaid', 'HealthPlan'], ['group number', 'HealthPlan'], ['beneficiary', 'HealthPlan'], ['nass', 'HealthPlan'],
	['afiliación', 'HealthPlan'], ['afiliacion', 'HealthPlan'], ['tarjeta sanitaria', 'HealthPlan'], ['cip', 'HealthPlan'],
	['account', 'Account'], ['acct', 'Account'], ['a/c', 'Account'], ['billing', 'Account'], ['iban', 'Account'], ['cuenta', 'Account'],
	['license', 'License'], ['licence', 'License'], ['lic', 'License'], ['dea', 'License'], ['npi', 'License'], ['colegiado', 'License'],
	['certificate', 'License'], ['cert', 'License'],
	['vin', 'Vehicle'], ['plate', 'Vehicle'], ['license plate', 'Vehicle'], ['matrícula', 'Vehicle'], ['matricula', 'Vehicle'],
	['serial', 'Device'], ['serial number', 'Device'], ['s/n', 'Device'], ['sn', 'Device'], ['device id', 'Device'], ['udi', 'Device'],
	['imei', 'Device'], ['pacemaker serial', 'Device'], ['model', 'Device'],
	['fingerprint', 'BioID'], ['biometric', 'BioID'], ['retinal scan', 'BioID'], ['voiceprint', 'BioID'],
	['ssn', 'SocialSecurity'], ['social security', 'SocialSecurity'], ['social security number', 'SocialSecurity'], ['ss#', 'SocialSecurity'],
	['username', 'Username'], ['user name', 'Username'], ['user id', 'Username'], ['userid', 'Username'], ['login', 'Username'], ['usuario', 'Username'],
	['id', 'IDNum'], ['identifier', 'IDNum'], ['ref', 'IDNum'], ['reference', 'IDNum'], ['case', 'IDNum'], ['dni', 'IDNum'],
	['nie', 'IDNum'], ['nif', 'IDNum'], ['passport', 'IDNum'], ['pasaporte', 'IDNum'], ['specimen', 'IDNum'], ['accession', 'IDNum'],
	['claim', 'IDNum'], ['ticket', 'IDNum'], ['badge', 'IDNum'], ['employee', 'IDNum'], ['policy #', 'IDNum'],
];

const CUE_INDEX: Map<string, IdRule[]> = (() => {
	const map = new Map<string, IdRule[]>();
	for (const [cue, type] of ID_CUES) {
		const words = cue.split(' ');
		const list = map.get(words[0]) ?? [];
		list.push({ cue: words, type });
		list.sort((a, b) => b.cue.length - a.cue.length);
		map.set(words[0], list);
	}
	return map;
})();

/**
 * Identifiers introduced by a cue word ("MRN: 123", "ref # 8336652", "DNI 12345678X"), and long bare digit
 * strings (7+ digits) as other identifiers.
 */
export function detectIdentifiers(ctx: DetectContext, emit: Emit): void {
	const { tokens, text } = ctx;
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i];
		let lower = t.lower;
		if (t.kind === 'p') continue;
		if (lower.endsWith('#')) lower = lower.slice(0, -1);
		let rules = CUE_INDEX.get(lower);
		if (!rules && i + 1 < tokens.length && tokens[i + 1].text === '#' && CUE_INDEX.has(lower + '#')) rules = CUE_INDEX.get(lower + '#');
		if (!rules) continue;
		for (const rule of rules) {
			let j = i;
			let ok = true;
			for (let k = 1; k < rule.cue.length; k++) {
				j++;
				while (j < tokens.length && tokens[j].kind === 'p' && tokens[j].text !== '#') j++;
				if (j >= tokens.length || tokens[j].lower !== rule.cue[k]) {
					ok = false;
					break;
				}
			}
			if (!ok) continue;
			// skip fillers ("#", ":", "no.", "number")
			let k = j + 1;
			let fillers = 0;
			while (k < tokens.length && fillers < 4 && ID_FILLERS.has(tokens[k].lower) && tokens[k].start - tokens[k - 1].end <= 3) {
				k++;
				fillers++;
			}
			if (k >= tokens.length || tokens[k].start - tokens[Math.max(k - 1, 0)].end > 3) break;
			RE.idToken.lastIndex = tokens[k].start;
			const m = RE.idToken.exec(text);
			if (!m) break;
			const value = m[0].replace(/[.\-/]+$/, '');
			const hasDigit = /\d/.test(value);
			if (rule.type === 'Username') {
				if (value.length < 3 || STOP_VALUES.has(value.toLowerCase())) break;
			} else if (!hasDigit || value.replace(/\D/g, '').length < 4 || /^\d+\.\d+/.test(value)) {
				break;
			}
			if (rule.type === 'IDNum' && /^\d{1,3}$/.test(value)) break;
			if (UNITS.has(nextWord(text, m.index + value.length))) break;
			emit(m.index, m.index + value.length, rule.type, rule.type === 'IDNum' ? 0.8 : 0.9, 'id-context');
			break;
		}
	}
	for (const m of matchesOf(RE.longDigits, text)) {
		emit(m.index!, m.index! + m[0].length, 'IDNum', 0.6, 'id-digits');
	}
	for (const m of matchesOf(RE.ssn, text)) {
		const area = Number(m[1]);
		if (area === 0 || area === 666 || Number(m[2]) === 0 || Number(m[3]) === 0) continue;
		const sep = m[0][3];
		if (sep === ' ' && !/ssn|social/i.test(text.slice(Math.max(0, m.index! - 24), m.index!))) continue;
		emit(m.index!, m.index! + m[0].length, 'SocialSecurity', 0.9, 'ssn');
	}
	for (const at of vinRuns(text)) {
		const s = text.slice(at, at + 17);
		if (/\d/.test(s) && /[A-Z]/.test(s) && (s.match(/\d/g) ?? []).length >= 5) emit(at, at + 17, 'Vehicle', 0.8, 'vin');
	}
	// Plates are issued by states: the plate is the identifier (Safe Harbor L), the state stays
	for (const m of matchesOf(RE.plate, text)) {
		if (!ctx.dicts.stateAbbreviations.has(m[1])) continue;
		const at = m.index! + m[0].length - m[2].length;
		emit(at, at + m[2].length, 'Vehicle', 0.8, 'id-context');
	}
}

/** An ASCII word character (\w). */
function isWordCode(c: number): boolean {
	return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** A character a VIN may hold: digits and capitals but I, O and Q. */
function isVinCode(c: number): boolean {
	return (c >= 48 && c <= 57) || (c >= 65 && c <= 90 && c !== 73 && c !== 79 && c !== 81);
}

/**
 * Where VIN-shaped words start: runs of exactly 17 word characters, all VIN characters (what /\b[A-HJ-NPR-Z0-9]{17}\b/g
 * finds). One pass over the characters; the regular expression tried a match at every capital and digit.
 */
export function vinRuns(text: string): number[] {
	const out: number[] = [];
	const n = text.length;
	let i = 0;
	while (i < n) {
		if (!isWordCode(text.charCodeAt(i))) {
			i++;
			continue;
		}
		const start = i;
		let vin = true;
		while (i < n) {
			const c = text.charCodeAt(i);
			if (!isWordCode(c)) break;
			if (vin && !isVinCode(c)) vin = false;
			i++;
		}
		if (vin && i - start === 17) out.push(start);
	}
	return out;
}

/** ZIP codes next to a state or a postal cue. */
export function detectZips(ctx: DetectContext, emit: Emit): void {
	const { text, dicts } = ctx;
	for (const m of matchesOf(RE.zip, text)) {
		const start = m.index!;
		const before = text.slice(Math.max(0, start - 24), start);
		const stateBefore = /(?:^|[\s,])([A-Z]{2})[\s,.]{1,3}$/.exec(before);
		const cue = /(?:zip|zip code|postal code|postcode|c\.\s?p\.?|cp|código postal|codigo postal)[\s:#.]{0,3}$/i.test(before);
		let ok = cue || (stateBefore !== null && dicts.stateAbbreviations.has(stateBefore[1]));
		if (!ok) {
			// "Boston, Massachusetts 02115", or a Spanish postal code before its town: "28001 Madrid"
			const wordBefore = prevWord(text, start, ' \t,');
			if (wordBefore && dicts.places.get(wordBefore) === 'State') ok = true;
			const after = /^[ \t]{1,2}(\p{Lu}[\p{L}'’-]{2,30})/u.exec(text.slice(start + m[0].length, start + m[0].length + 34));
			if (after && dicts.places.has(after[1].toLowerCase())) ok = true;
		}
		if (ok) emit(start, start + m[0].length, 'Zip', 0.9, 'zip');
		if (stateBefore && dicts.stateAbbreviations.has(stateBefore[1])) {
			const at = start - stateBefore[0].length + stateBefore[0].indexOf(stateBefore[1]);
			emit(at, at + 2, 'State', 0.85, 'zip');
		}
	}
}
