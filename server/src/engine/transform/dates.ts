import { MONTHS } from '../detect/lexicon';
import { applyCase } from './text';

const DAY_MS = 86400000;

/** Pad like the original component: two digits only when it was written with a leading zero. */
const pad = (n: number, len: number | string) =>
	typeof len === 'string' ? (len.length === 2 && len[0] === '0' ? String(n).padStart(2, '0') : String(n)) : String(n).padStart(len, '0');

/**
 * The digit style of a numeric month/day pair: zero-padded when either field has a leading zero or both have two
 * digits (03/14 → 04/04), unpadded when either has one digit (3/14 → 4/4).
 */
function fieldWidth(a: string, b: string): (n: number) => string {
	const padded = a.startsWith('0') || b.startsWith('0') || (a.length === 2 && b.length === 2);
	return (n) => (padded ? String(n).padStart(2, '0') : String(n));
}

interface Ymd {
	y: number;
	m: number;
	d: number;
}
/** Shift a calendar date (a day past the month's end rolls over, as Date.UTC does) by whole days. */
type Shift = (year: number, month: number, day: number) => Ymd;

function shifter(days: number): Shift {
	return (year, month, day) => {
		const shifted = new Date(Date.UTC(year, month - 1, Math.min(day, 28 + 3)) + days * DAY_MS);
		return { y: shifted.getUTCFullYear(), m: shifted.getUTCMonth() + 1, d: shifted.getUTCDate() };
	};
}

/** "2020-01-31", with anything after the day kept ("2020-01-31T08:00"). */
function shiftIso(original: string, shift: Shift): string | undefined {
	const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(.*)$/s.exec(original);
	if (!m) return undefined;
	const r = shift(+m[1], +m[2], +m[3]);
	return `${r.y}-${pad(r.m, m[2].length)}-${pad(r.d, m[3].length)}${m[4]}`;
}

/** "1/31/2020", "01.31.20": month first; null when it cannot be a month-first date. */
function shiftNumeric(original: string, shift: Shift): string | null | undefined {
	const m = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$/.exec(original);
	if (!m) return undefined;
	const yy = m[4].length === 2 ? 2000 + +m[4] - (+m[4] > 40 ? 100 : 0) : +m[4];
	if (+m[1] > 12) return null;
	const r = shift(yy, +m[1], +m[3]);
	const year = m[4].length === 2 ? pad(r.y % 100, 2) : String(r.y);
	const width = fieldWidth(m[1], m[3]);
	return `${width(r.m)}${m[2]}${width(r.d)}${m[2]}${year}`;
}

/** "1/31" without a year (shifted within a common year). */
function shiftMonthDay(original: string, shift: Shift): string | null | undefined {
	const m = /^(\d{1,2})\/(\d{1,2})$/.exec(original);
	if (!m) return undefined;
	if (+m[1] > 12) return null;
	const r = shift(2001, +m[1], +m[2]);
	const width = fieldWidth(m[1], m[2]);
	return `${width(r.m)}/${width(r.d)}`;
}

/** A year alone moves by the shift in whole years, and never stays. */
function shiftYear(original: string, days: number): string | undefined {
	const m = /^(\d{4})$/.exec(original);
	if (!m) return undefined;
	const years = Math.round(days / 365.25);
	return String(+m[1] + (years === 0 ? (days >= 0 ? 1 : -1) : years));
}

/** "12-Jan-2020", "4 Nov 2020", "10 Janvier", "5 de enero de 2021": day first, month name kept in its language. */
function shiftDayMonthName(original: string, shift: Shift): string | undefined {
	const m = /^(\d{1,2})(st|nd|rd|th|º)?([\s-]+(?:de\s+)?)([\p{L}]+)(\.?)(?:([\s,-]+(?:de\s+)?)(\d{4}|\d{2}))?$/u.exec(original);
	if (!m || !MONTHS.has(m[4].toLowerCase())) return undefined;
	const yy = m[7] ? (m[7].length === 2 ? 2000 + Number(m[7]) : Number(m[7])) : 2001;
	const r = shift(yy, MONTHS.get(m[4].toLowerCase())!, Number(m[1]));
	const name = monthNameLike(r.m, m[4]);
	const year = m[7] ? (m[7].length === 2 ? pad(r.y % 100, 2) : String(r.y)) : '';
	return `${pad(r.d, m[1])}${m[2] ? ordinal(r.d) : ''}${m[3]}${name}${m[5]}${m[7] ? m[6] + year : ''}`;
}

/** "Jan. 5th, 2020", "March 3": month name first (English). */
function shiftMonthNameDay(original: string, shift: Shift): string | undefined {
	const m = /^([A-Za-zéû]+)(\.?)(\s+)(\d{1,2})(st|nd|rd|th)?(?:(,?\s+)(\d{4}))?$/.exec(original);
	if (!m || !MONTHS.has(m[1].toLowerCase())) return undefined;
	const r = shift(m[7] ? +m[7] : 2001, MONTHS.get(m[1].toLowerCase())!, +m[4]);
	const name = monthName(r.m, m[1]);
	const suffix = m[5] ? ordinal(r.d) : '';
	return `${name}${m[2]}${m[3]}${r.d}${suffix}${m[7] ? m[6] + r.y : ''}`;
}

/** Shift a date by `days`, keeping its written pattern; undefined when the value is not a parseable date. */
export function shiftDate(original: string, days: number): string | undefined {
	// "Monday, July 16, 1981": the date shifts and its weekday moves by the same number of days
	const wd = LEADING_WEEKDAY.exec(original);
	if (wd) {
		const rest = shiftDate(original.slice(wd[0].length), days);
		if (rest === undefined) return undefined;
		const index = WEEKDAY_NAMES.findIndex((d) => d.toLowerCase().startsWith(wd[1].toLowerCase().slice(0, 3)));
		const name = WEEKDAY_NAMES[(((index + days) % 7) + 7) % 7];
		return applyCase(wd[1], wd[1].length <= 4 ? name.slice(0, wd[1].length) : name) + wd[0].slice(wd[1].length) + rest;
	}
	const shift = shifter(days);
	const iso = shiftIso(original, shift);
	if (iso !== undefined) return iso;
	// a numeric pattern that matches decides (null: it matched but cannot be a date)
	const numeric = shiftNumeric(original, shift);
	if (numeric !== undefined) return numeric ?? undefined;
	const monthDay = shiftMonthDay(original, shift);
	if (monthDay !== undefined) return monthDay ?? undefined;
	return shiftYear(original, days) ?? shiftDayMonthName(original, shift) ?? shiftMonthNameDay(original, shift);
}

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const LEADING_WEEKDAY = /^(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thu|fri|sat|sun)\.?,?[ \t]{1,2}(?=\S)/i;
const ES_MONTHS = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'];
const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const FR_MONTHS = ['Janvier', 'Février', 'Mars', 'Avril', 'Mai', 'Juin', 'Juillet', 'Août', 'Septembre', 'Octobre', 'Novembre', 'Décembre'];
const DE_MONTHS = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];

function monthName(month: number, template: string): string {
	const full = EN_MONTHS[month - 1];
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

function ordinal(d: number): string {
	if (d % 100 >= 11 && d % 100 <= 13) return 'th';
	return ['th', 'st', 'nd', 'rd'][d % 10] ?? 'th';
}
