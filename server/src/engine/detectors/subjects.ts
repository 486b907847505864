import { CLINICAL, CREDENTIALS, DOCTOR_TITLES, PERSON_TITLES, RELATIONS, STOPWORDS } from '../lexicon';
import type { DetectContext, Emit } from './context';

/**
 * Names known by what is said of them, not by any list: the subject of an age predicate ("Gisèle Roy is a
 * 57-year-old woman", "Mr. Yon is a 47 yo") and the word after "Pt"/"Patient" before a patient's predicate
 * ("Pt Schäffel resting comfortably", "Patient John White complains of …"). The words must look like a name
 * (no stop, clinical or everyday word unless it is also a listed name; capitalised where the note uses case).
 */
export function detectSubjects(ctx: DetectContext, emit: Emit): void {
	if (ctx.language !== 'en') return;
	const { text } = ctx;
	for (const m of text.matchAll(AGE_PREDICATE)) {
		const lineStart = Math.max(text.lastIndexOf('\n', m.index) + 1, m.index - SUBJECT_REACH);
		const before = text.slice(lineStart, m.index);
		const subject = SUBJECT_BEFORE.exec(before);
		if (!subject) continue;
		// the subject opens its sentence: the line's start, or after a sentence's end or a colon
		const opener = before.slice(0, subject.index);
		if (opener.trim() && !/(?:[.!?:;]|^)[ \t]*$/.test(opener)) continue;
		emitName(ctx, emit, lineStart + subject.index, subject[0], 'name-subject', 0.85);
	}
	// "Hi Astrée,", "Dear Mr. Lyle:" and "Thanks, Astrée" closing a line: the person greeted or signing
	for (const m of text.matchAll(GREETING)) {
		const from = m.index + m[0].length;
		const name = NAME_THEN_COMMA.exec(text.slice(from, from + SUBJECT_REACH));
		if (name) emitName(ctx, emit, from, name[1], 'name-subject', 0.8);
	}
	for (const m of text.matchAll(SIGN_OFF)) {
		const from = m.index + m[0].length;
		const name = NAME_THEN_LINE_END.exec(text.slice(from, from + SUBJECT_REACH));
		if (name) emitName(ctx, emit, from, name[1], 'name-subject', 0.8);
	}
	// a signature line: "— Elias Fly, M.D.", "-- aurèle devora, pa-c", "Page Joyal, PharmD"
	for (const m of text.matchAll(SIGNATURE_LINE)) {
		if (!CREDENTIALS.has(m[2].toLowerCase().replace(/\./g, ''))) continue;
		emitName(ctx, emit, m.index + m[0].indexOf(m[1]), m[1], 'name-credential', 0.85, 'Doctor');
	}
	// "her husband Windy Mucha was at the bedside", "my nephew Velvet can pick it up"
	for (const m of text.matchAll(RELATION_WORD)) {
		const from = m.index + m[0].length;
		const after = NAME_THEN_RELATIVE_PREDICATE.exec(text.slice(from, from + SUBJECT_REACH));
		if (after) emitName(ctx, emit, from, after[1], 'name-relation', 0.8);
	}
	for (const m of text.matchAll(PATIENT_WORD)) {
		const from = m.index + m[0].length;
		const after = PATIENT_NAME_THEN_PREDICATE.exec(text.slice(from, from + SUBJECT_REACH));
		if (!after) continue;
		emitName(ctx, emit, from, after[1], 'name-subject', 0.8);
	}
}

/** "is a 57-year-old", "was a 47 yo", "is an 81 y.o." */
const AGE_PREDICATE = /(?<![ \t])[ \t]{1,3}(?:is|was)[ \t]{1,3}an?[ \t]{1,3}\d{1,3}[ \t-]?(?:years?[ \t-]?old|yrs?[ \t-]?old|y\/?o\b|y\.o\.?|yo\b|-?year\b|-?yr\b)/gi;
/** How far back a subject may start (four words, a title, room to spare). */
const SUBJECT_REACH = 80;
/** One to four words (initials with their periods) ending where the predicate starts. */
const SUBJECT_BEFORE = /(?:[\p{L}][\p{L}'’.-]*[ \t]{1,3}){0,3}[\p{L}][\p{L}'’-]*$/u;
/** "Pt" or "Patient" as a word at the start of a sentence or line, and a blank. */
const PATIENT_WORD = /(?<=^|[\n.!?:;][ \t]{0,3})(?:pt|patient)\.?[ \t]{1,3}/gimu;
/** One to three name words, then a word that opens what is said of a patient. */
const PATIENT_NAME_THEN_PREDICATE = new RegExp(
	`^((?:[\\p{L}][\\p{L}'’.-]*[ \\t]{1,3}){0,2}?[\\p{L}][\\p{L}'’-]*),?[ \\t]{1,3}(?:${[
		'is', 'was', 'has', 'had', 'resting', 'sleeping', 'lying', 'sitting', 'awake', 'alert', 'remains', 'continues',
		'denies', 'reports', 'states', 'complains', 'c/o', 'presents', 'presented', 'arrived', 'tolerating', 'tolerated',
		'ambulating', 'agrees', 'refused', 'declined', 'underwent', 'received', 'seen', 'feels', 'appears',
	].join('|')})\\b`,
	'iu',
);

/** A greeting that opens a line. */
const GREETING = /(?<=^|\n)[ \t]{0,3}(?:hi|hello|hey|dear|good morning|good afternoon)[ \t]{1,3}/gi;
/** A closing word and its comma, the name after it on the same line or the next. */
const SIGN_OFF = /(?<![\p{L}])(?:thanks|thank you|regards|sincerely|cheers|respectfully|best wishes|best|yours truly|yours)[ \t]{0,2},[ \t]{0,3}(?:\n[ \t]{0,3}){0,2}/giu;
const NAME_THEN_COMMA = /^((?:[\p{L}][\p{L}'’.-]*[ \t]{1,3}){0,2}[\p{L}][\p{L}'’-]*)[ \t]{0,2}[,:!]/u;
const NAME_THEN_LINE_END = /^((?:[\p{L}][\p{L}'’.-]*[ \t]{1,3}){0,2}[\p{L}][\p{L}'’-]*)[ \t]{0,2}(?:\n|$)/u;
/** A line of one to three name words, a comma and a credential (more may follow), and nothing else. */
const SIGNATURE_LINE = /(?<=^|\n)[ \t]{0,3}(?:[—–-]{1,2}[ \t]{0,2})?((?:[\p{L}][\p{L}'’.-]*[ \t]{1,2}){0,2}[\p{L}][\p{L}'’-]*),[ \t]{1,2}([\p{L}][\p{L}.-]{0,7})(?:,[ \t]{1,2}[\p{L}][\p{L}.-]{0,7}){0,3}[ \t]*(?=\n|$)/gu;

/** A possessive and a relation: "her husband ", "pt's daughter ", "my nephew ". */
const RELATION_WORD = new RegExp(`(?<![\\p{L}])(?:his|her|their|my|our|pt's|pt’s|patient's|patient’s)[ \\t]{1,2}(?:${[...RELATIONS].filter((r) => /^[a-z-]+$/.test(r)).join('|')})[ \\t]{1,2}`, 'giu');
/** One or two name words, then what is said of a relative. */
const NAME_THEN_RELATIVE_PREDICATE = /^((?:[\p{L}][\p{L}'’.-]*[ \t]{1,2})??[\p{L}][\p{L}'’-]*),?[ \t]{1,3}(?:was|is|called|visited|came|can|will|phoned|states|reports|agrees|brought|drove|lives|who)\b/iu;

const TITLE_WORDS = new Set([...PERSON_TITLES, ...DOCTOR_TITLES]);
const PERSON_WORDS = new Set(['patient', 'pt', 'the', 'this', 'our', 'your', 'he', 'she', 'they']);
const NAME_WORD = /[\p{L}][\p{L}'’-]*\.?/gu;

/** Emits the name words of `phrase` (at `at`), leading titles left out, when every word looks like a name. */
function emitName(ctx: DetectContext, emit: Emit, at: number, phrase: string, detector: string, confidence: number, type: 'Patient' | 'Doctor' = 'Patient'): void {
	const words = [...phrase.matchAll(NAME_WORD)];
	let k = 0;
	while (k < words.length && TITLE_WORDS.has(words[k][0].toLowerCase().replace(/\.$/, ''))) k++;
	if (k >= words.length) return;
	const mixed = ctx.casing === 'mixed';
	let distinct = 0;
	for (let j = k; j < words.length; j++) {
		const raw = words[j][0].replace(/\.$/, '');
		const w = raw.toLowerCase();
		if (raw.length === 1) continue; // an initial
		if (PERSON_WORDS.has(w) || STOPWORDS.has(w) || CLINICAL.has(w) || CREDENTIALS.has(w) || RELATIONS.has(w) || TITLE_WORDS.has(w)) return;
		if (mixed && raw[0] === raw[0].toLowerCase()) return;
		const d = ctx.dicts;
		const named = d.firstNames.has(w) || d.lastNames.has(w) || d.otherNames.has(w);
		const tier = d.englishWords.get(w) ?? 99;
		if (tier <= 40 && !named) return;
		// without case to go by, an everyday word is too often not a name ("pt round resting")
		if (!mixed && tier <= 60 && !named) return;
		if (ctx.dicts.places.get(w) === 'State' || ctx.dicts.places.get(w) === 'CountryOrRegion') return;
		distinct++;
	}
	if (!distinct) return;
	const start = at + words[k].index;
	const last = words[words.length - 1];
	const end = at + last.index + last[0].length - (last[0].endsWith('.') && last[0].length > 2 ? 1 : 0);
	emit(start, end, type, confidence, detector);
}
