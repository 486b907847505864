import type { EntityType } from '../types';
import type { DetectContext, Emit } from './context';
import { parseAddress } from './addresses';
import { CLINICAL, CREDENTIALS, RELATIONS, STOPWORDS } from './lexicon';
import { isListedName } from '../dictionaries';

/**
 * Labelled fields of forms and headers, in English and Spanish: "Nombre: Pedro.", "DOB: 10/10/1963",
 * "Domicilio: Calle Carmen 23, 1D.", "Médico: X  NºCol: 28 28 20943." The value runs to the end of the line or
 * to the next label on the same line.
 */
const LABELS: [string, EntityType | null][] = [
	['nombre del paciente', 'Patient'], ['nombre', 'Patient'], ['apellidos', 'Patient'], ['apellido', 'Patient'], ['paciente', 'Patient'],
	['patient name', 'Patient'], ['patient', 'Patient'], ['name', 'Patient'], ['pt name', 'Patient'], ['pt', 'Patient'],
	['re', 'Patient'], ['emergency contact', 'Patient'], ['next of kin', 'Patient'], ['guardian', 'Patient'],
	// message headers ("From: Jane Roe <jane@…>", "To: Dr. X"): names only beside a Sent/Subject line, see HEADER_LABELS
	['from', 'Patient'], ['to', 'Doctor'], ['sent', 'Date'], ['subject', null],
	['ordering physician', 'Doctor'], ['ordering provider', 'Doctor'], ['attending physician', 'Doctor'], ['referring provider', 'Doctor'],
	['primary care physician', 'Doctor'], ['consulting physician', 'Doctor'], ['pathologist', 'Doctor'], ['radiologist', 'Doctor'],
	['surgeon', 'Doctor'], ['nurse', 'Doctor'], ['triage nurse', 'Doctor'], ['primary nurse', 'Doctor'], ['dictated by', 'Doctor'],
	['signed by', 'Doctor'], ['electronically signed by', 'Doctor'], ['reviewed by', 'Doctor'], ['transcribed by', 'Doctor'],
	['médico', 'Doctor'], ['medico', 'Doctor'], ['médica', 'Doctor'], ['doctor', 'Doctor'], ['doctora', 'Doctor'], ['facultativo', 'Doctor'],
	['remitido por', 'Doctor'], ['firmado por', 'Doctor'], ['attending', 'Doctor'], ['physician', 'Doctor'], ['referring physician', 'Doctor'],
	['provider', 'Doctor'], ['pcp', 'Doctor'], ['enfermera', 'Doctor'], ['enfermero', 'Doctor'],
	['nhc', 'MedicalRecord'], ['n.h.c.', 'MedicalRecord'], ['nº historia', 'MedicalRecord'], ['historia clínica', 'MedicalRecord'], ['mrn', 'MedicalRecord'],
	['medical record number', 'MedicalRecord'], ['medical record', 'MedicalRecord'],
	['domicilio', 'Street'], ['dirección', 'Street'], ['direccion', 'Street'], ['address', 'Street'], ['street', 'Street'],
	['localidad/ provincia', 'City'], ['localidad/provincia', 'City'], ['localidad', 'City'], ['provincia', 'City'], ['ciudad', 'City'], ['municipio', 'City'],
	['población', 'City'], ['city', 'City'], ['town', 'City'],
	['cp', 'Zip'], ['c.p.', 'Zip'], ['código postal', 'Zip'], ['codigo postal', 'Zip'], ['zip code', 'Zip'], ['zip', 'Zip'], ['postal code', 'Zip'],
	['fecha de nacimiento', 'Date'], ['fecha nacimiento', 'Date'], ['fecha de ingreso', 'Date'], ['fecha de alta', 'Date'], ['fecha de la consulta', 'Date'],
	['fecha', 'Date'], ['date of birth', 'Date'], ['birth date', 'Date'], ['dob', 'Date'], ['d.o.b.', 'Date'], ['admission date', 'Date'],
	['discharge date', 'Date'], ['date of admission', 'Date'], ['date of discharge', 'Date'], ['date of service', 'Date'],
	['país', 'CountryOrRegion'], ['pais', 'CountryOrRegion'], ['country', 'CountryOrRegion'],
	['edad', 'Age'], ['age', 'Age'],
	['email', 'Email'], ['e-mail', 'Email'], ['correo electrónico', 'Email'], ['correo', 'Email'],
	['teléfono', 'Phone'], ['telefono', 'Phone'], ['tel', 'Phone'], ['tlf', 'Phone'], ['phone', 'Phone'], ['telephone', 'Phone'], ['fax', 'Fax'],
	['nºcol', 'License'], ['nº col', 'License'], ['nº colegiado', 'License'], ['número de colegiado', 'License'], ['license', 'License'], ['npi', 'License'],
	['encounter #', 'Account'], ['encounter number', 'Account'], ['account #', 'Account'], ['account number', 'Account'],
	['account', 'Account'], ['acct #', 'Account'], ['acct', 'Account'], ['billing acct', 'Account'], ['billing account', 'Account'], ['visit #', 'Account'],
	['family', 'Patient'],
	['nass', 'HealthPlan'], ['nº ss', 'HealthPlan'], ['member id', 'HealthPlan'],
	// labels that end a value on the same line but are not PHI themselves
	['sexo', null], ['sex', null], ['gender', null], ['género', null], ['hora', null], ['servicio', null], ['cama', null],
];
const LABEL_TYPE = new Map(LABELS.map(([l, t]) => [l, t]));
/** Message-header labels: "From:" and "To:" are a sender and a recipient only in a header with one of these. */
const HEADER_LABELS = new Set(['sent', 'subject']);
const HEADER_NAME_LABELS = new Set(['from', 'to']);
/** Name labels whose value is often not a name ("PT: ambulating with walker", "Guardian: none"): every word must be name-like. */
const CHECKED_NAME_LABELS = new Set([
	'pt', 're', 'from', 'to', 'nurse', 'guardian', 'family', 'emergency contact', 'next of kin', 'surgeon', 'radiologist', 'pathologist',
	'ordering physician', 'ordering provider', 'attending physician', 'referring provider', 'primary care physician', 'consulting physician',
	'primary nurse', 'triage nurse', 'dictated by', 'signed by', 'electronically signed by', 'reviewed by', 'transcribed by',
]);
/** How far back a lower-case label may start after its line's start (indentation). */
const INDENT_REACH = 8;
const ALT = LABELS.map(([l]) => l.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).sort((a, b) => b.length - a.length).join('|');
// A label at the start of a line or after whitespace, then a colon. Bounded gaps keep this linear.
export const LABEL_RE = new RegExp(`(?<![\\p{L}\\p{N}])(${ALT})[ \\t]{0,3}:`, 'giu');
/** No label match is longer than this (the longest label, three blanks, the colon, and room to spare). */
const LABEL_REACH = Math.max(...LABELS.map(([l]) => l.length)) + 8;
/** LABEL_RE's own instance for labelMatches (which sets lastIndex), so LABEL_RE itself is never left mid-text. */
const LABEL_SCAN = new RegExp(LABEL_RE.source, LABEL_RE.flags);

/**
 * The matches of LABEL_RE, in order, found from the colons: every match ends at one and no label holds one, so
 * the match ending at a colon (if any) starts within LABEL_REACH before it and after the previous match. The
 * pattern only runs over that stretch, not from every word start of the text (a differential test holds this to
 * text.matchAll(LABEL_RE)).
 */
export function* labelMatches(text: string): Generator<{ index: number; length: number; label: string }> {
	let lastEnd = 0;
	for (let c = text.indexOf(':'); c >= 0; c = text.indexOf(':', c + 1)) {
		const from = Math.max(lastEnd, c - LABEL_REACH);
		// two characters before the stretch, so the look-behind sees the character (or surrogate pair) before it
		const base = Math.max(0, from - 2);
		LABEL_SCAN.lastIndex = from - base;
		const m = LABEL_SCAN.exec(text.slice(base, c + 1));
		if (!m) continue;
		lastEnd = c + 1;
		yield { index: base + m.index, length: m[0].length, label: m[1] };
	}
}
/** Field values that are one number, code or address: they never run on past a sentence or list boundary. */
const ID_LIKE: ReadonlySet<EntityType> = new Set(['MedicalRecord', 'Account', 'Phone', 'Fax', 'License', 'HealthPlan', 'Zip', 'Email', 'Age']);
const BLANK = /\s/;
/** A year after a date's comma ("Jan 5, 2020") belongs to the date. */
/** A name's period that ends it: after a word of three letters or more that is no title ("Navarro. Av. …"), not after an initial. */
const WORD_BEFORE_PERIOD = /(?<![\p{L}])(?!(?:dra|sra|srta|mrs|don|prof)$)\p{L}{3,}$/iu;
const DIGIT_AFTER = /^[ \t]{0,2}\d{4}(?!\d)/;
/** What follows the comma of "SMITH, JOHN" or "Smith, John A.": one or two given names and initials, then nothing. */
const GIVEN_NAMES_AFTER = /^[ \t]{0,2}\p{L}[\p{L}'’-]*(?:[ \t]{1,2}\p{L}[\p{L}'’-]*)?\.?[ \t]*$/u;
const TITLES = /^(?:(?:dr|dra|sr|sra|srta|mr|mrs|ms|miss|prof|professor|doctor|don|doña|dona)(?:\.[ \t]{0,3}|[ \t]{1,3}))+/i;

/** A postal code (US, Canadian, UK; a country may follow) that ends its sentence inside an address value. */
const POSTAL_THEN_SENTENCE =
	/(?<![\w-])((?:\d{5}(?:-\d{4})?|[A-Z]\d[A-Z][ -]?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]?[ ]{1,2}\d[A-Z]{2})(?:,?[ \t]{1,2}(?:USA|U\.S\.A|US|United States|Canada|UK|United Kingdom))?)[.;][ \t]/;

const EMAIL_AFTER = /^[ \t]{0,3}</;
/** An "@" after `from` on the same line. */
const atSignOnLine = (text: string, from: number) => {
	const at = text.indexOf('@', from);
	const nl = text.indexOf('\n', from);
	return at > from && (nl < 0 || at < nl);
};
const NAME_VALUE = /^[\p{L}'’. ,-]{2,60}$/u;
const WORD = /[\p{L}][\p{L}'’-]*/gu;

/** Only blanks (a bounded few) between the line's start and `at`. */
function atLineStart(text: string, at: number): boolean {
	for (let k = at - 1; k >= Math.max(0, at - INDENT_REACH); k--) {
		if (text[k] === '\n') return true;
		if (text[k] !== ' ' && text[k] !== '\t') return false;
	}
	return at <= INDENT_REACH && !text.slice(0, at).trim();
}

/** A Sent: or Subject: label among the labels a few lines around hit i (an e-mail or portal message header). */
function inMessageHeader(hits: readonly { start: number; label: string }[], i: number): boolean {
	for (let k = Math.max(0, i - 4); k < Math.min(hits.length, i + 5); k++)
		if (HEADER_LABELS.has(hits[k].label) && Math.abs(hits[k].start - hits[i].start) < 400) return true;
	return false;
}

/** The word after a comma is a credential ("Jane Roe, RN", "adrastée feit, pharmd"), not a given name. */
function credentialAfter(text: string, from: number, end: number): boolean {
	const w = /^[ \t]*([\p{L}.-]+)/u.exec(text.slice(from, Math.min(end, from + 16)));
	return !!w && CREDENTIALS.has(w[1].toLowerCase().replace(/\./g, ''));
}

/** Every word of a value a name could be: no stop word, no clinical word, no everyday word that is not also a name. */
function nameLike(ctx: DetectContext, value: string): boolean {
	let words = 0;
	for (const m of value.matchAll(WORD)) {
		const w = m[0].toLowerCase().replace(/['’]s$/, '');
		words++;
		if (w.length === 1) continue;
		if (STOPWORDS.has(w) || RELATIONS.has(w)) return false;
		const named = isListedName(ctx.dicts, w);
		// a clinical word ("brady") may be a surname only beside another name word ("Aphélie B. Brady")
		if (CLINICAL.has(w) && !(named && value.trim().split(/\s+/).length > 1)) return false;
		if (!named && (ctx.dicts.englishWords.get(w) ?? 99) <= 40) return false;
	}
	return words > 0;
}

export function detectFields(ctx: DetectContext, emit: Emit): void {
	const hits = labelHits(ctx.text);
	for (let i = 0; i < hits.length; i++) {
		const h = hits[i];
		if (!h.type) continue;
		if (HEADER_NAME_LABELS.has(h.label) && !inMessageHeader(hits, i)) continue;
		fieldValue(ctx, emit, hits, i, h.type);
	}
}

type LabelHit = { start: number; valueStart: number; type: EntityType | null; label: string };

/** Labels where a field may start: at a line start or after a blank, written as labels are. */
function labelHits(text: string): LabelHit[] {
	const hits: LabelHit[] = [];
	for (const m of labelMatches(text)) {
		const start = m.index;
		const first = text[start];
		// at a line start or after a blank (looking back to the line start made many labels on one line quadratic)
		if (start > 0 && !BLANK.test(text[start - 1])) continue;
		// Labels are written capitalised (or in capitals), or in a lower-case note at the start of a line; a
		// lower-case "name:" mid-sentence is prose.
		if (first === first.toLowerCase() && first !== first.toUpperCase() && !atLineStart(text, start)) continue;
		hits.push({ start, valueStart: start + m.length, type: LABEL_TYPE.get(m.label.toLowerCase()) ?? null, label: m.label.toLowerCase() });
	}
	return hits;
}

/** The value of the field labelled by hits[i], of type `type`, up to the line's end or the next label. */
function fieldValue(ctx: DetectContext, emit: Emit, hits: LabelHit[], i: number, type: EntityType): void {
	const { text } = ctx;
	const h = hits[i];
	let end = text.indexOf('\n', h.valueStart);
	if (end < 0) end = text.length;
	if (i + 1 < hits.length && hits[i + 1].start < end) end = hits[i + 1].start;
	let s = h.valueStart;
	while (s < end && /\s/.test(text[s])) s++;
	end = valueStop(text, type, s, end);
	let e = end;
	while (e > s && /[\s.,;]/.test(text[e - 1])) e--;
	if (e <= s || e - s > 80) return;
	let value = text.slice(s, e);
	if (type === 'Patient' || type === 'Doctor') {
		const t = TITLES.exec(value);
		if (t) {
			s += t[0].length;
			value = value.slice(t[0].length);
		}
		// A name field holds words, not a sentence; one comma for "Surname, Given"
		if (!NAME_VALUE.test(value) || value.indexOf(',') !== value.lastIndexOf(',') || value.split(/\s+/).length > 6) return;
		// (a sender or recipient with an e-mail address after the name is a person whatever the words)
		const withAddress = HEADER_NAME_LABELS.has(h.label) && EMAIL_AFTER.test(text.slice(e, e + 6)) && atSignOnLine(text, e);
		if (CHECKED_NAME_LABELS.has(h.label) && !withAddress && !nameLike(ctx, value)) return;
	}
	if (type === 'Age') {
		const n = /^(\d{1,3})/.exec(value);
		if (!n) return;
		if (ctx.options.ages !== 'all' && ctx.language !== 'es' && Number(n[1]) <= 89) return;
	}
	if (
		(type === 'Date' ||
			type === 'Zip' ||
			type === 'MedicalRecord' ||
			type === 'Account' ||
			type === 'Phone' ||
			type === 'Fax' ||
			type === 'License' ||
			type === 'HealthPlan') &&
		!/\d/.test(value)
	)
		return;
	if (type === 'City' && value.includes(',')) {
		// "Localidad/ Provincia: Tolosa, Gipuzkoa": a town and its province are two places
		let at = s;
		for (const part of value.split(',')) {
			const lead = part.length - part.trimStart().length;
			const core = part.trim();
			if (core) emit(at + lead, at + lead + core.length, 'City', 0.9, 'field-label');
			at += part.length + 1;
		}
		return;
	}
	if (type === 'Street' && ctx.language === 'en') {
		// "Address: 1457 Larkspur Avenue, Dunmore, PA 18512": street, town, state and ZIP, each of its own type;
		// a sentence after the postal code ("… PA 18512. Follow up …") is no part of it
		const after = POSTAL_THEN_SENTENCE.exec(value);
		if (after) e = s + after.index + after[1].length;
		const parts = parseAddress(text, s, e, ctx.dicts, true, ctx.casing === 'lower');
		if (parts?.length) {
			for (const p of parts) emit(p.start, p.end, p.type, 0.95, 'field-address');
			return;
		}
	}
	emit(s, e, type, 0.95, 'field-label');
}

/**
 * Where a value that starts at `s` ends before `end`.
 * A number or a date ends with its sentence: "MRN: 4412908. Follow up with …" is the number alone.
 * So does a date ("DOB: 03/02/1950, admitted to …"; a comma before a year or a day is the date's own) and a
 * name ("Patient: John Smith, 67 y.o. male"; "SMITH, JOHN" is one name, surname first).
 */
function valueStop(text: string, type: EntityType, s: number, end: number): number {
	const stops = ID_LIKE.has(type) ? '.;,?!' : type === 'Date' ? '.;,?!' : type === 'Patient' || type === 'Doctor' ? '.;,(<[' : '';
	if (!stops) return end;
	for (let k = s; k + 1 < end; k++) {
		if (!stops.includes(text[k]) || !(/\s/.test(text[k + 1]) || text[k] === '(' || text[k] === '<' || text[k] === '[')) continue;
		if (text[k] === ',' && type === 'Date' && DIGIT_AFTER.test(text.slice(k + 1, k + 8))) continue;
		if (
			text[k] === ',' &&
			(type === 'Patient' || type === 'Doctor') &&
			GIVEN_NAMES_AFTER.test(text.slice(k + 1, end)) &&
			!credentialAfter(text, k + 1, end)
		)
			continue;
		if (text[k] === '.' && (type === 'Patient' || type === 'Doctor') && !WORD_BEFORE_PERIOD.test(text.slice(Math.max(s, k - 12), k))) continue;
		return k;
	}
	return end;
}
