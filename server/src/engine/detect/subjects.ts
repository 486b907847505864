import { CLINICAL, CREDENTIALS, DOCTOR_ROLES, DOCTOR_TITLES, HOSPITAL_WORDS, PERSON_TITLES, RELATIONS, STOPWORDS } from './lexicon';
import type { Token } from './tokenize';
import { isListedName } from '../dictionaries';
import { type DetectContext, type Emit, matchesOf } from './context';
import { REPORTING, SIGNING, PREDICATE_WORDS, PERSON_WORDS, PARENTHETICALS, PRE_VERB_ADVERBS, ROLE_PREFIX } from './words';

/**
 * Names known by what is said of them, not by any list: the subject of an age predicate ("Gisèle Roy is a
 * 57-year-old woman"), the word after "Pt" before a patient's predicate ("Pt Schäffel resting"), the person
 * greeted, signing or signed for, and words after relations, roles, contact verbs or before credentials. The
 * words must look like a name (no stop, clinical or everyday word unless it is also a listed name; capitalised
 * where the note uses case); words in no list must not be misspelt English words.
 */
export function detectSubjects(ctx: DetectContext, emit: Emit): void {
	if (ctx.language !== 'en') return;
	predicateSubjects(ctx, emit);
	signedNames(ctx, emit);
	// The cue words are found in one pass over the tokens (a pattern per cue ran over the whole text).
	const { tokens } = ctx;
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i];
		if (t.kind !== 'w') continue;
		const cue = CUES.get(t.lower);
		if (cue) cueSubjects(ctx, emit, i, cue);
	}
}

/** The subject of an age predicate, the person greeted, and the one signing off. */
function predicateSubjects(ctx: DetectContext, emit: Emit): void {
	const { text } = ctx;
	for (const m of matchesOf(AGE_PREDICATE, text)) {
		const lineStart = Math.max(text.lastIndexOf('\n', m.index) + 1, m.index - SUBJECT_REACH);
		const before = text.slice(lineStart, m.index);
		const subject = SUBJECT_BEFORE.exec(before);
		if (!subject) continue;
		// the subject opens its sentence: the line's start, or after a sentence's end or a colon
		const opener = before.slice(0, subject.index);
		if (opener.trim() && !/(?:[.!?:;]|^)[ \t]*$/.test(opener)) continue;
		emitName(ctx, emit, lineStart + subject.index, subject[0], 'name-subject', 0.85, 'Patient', true);
	}
	// "Hi Astrée,", "Dear Mr. Lyle:" and "Thanks, Astrée" closing a line: the person greeted or signing
	for (const m of matchesOf(GREETING, text)) {
		const from = m.index + m[0].length;
		const name = NAME_THEN_COMMA.exec(text.slice(from, from + SUBJECT_REACH));
		if (name) emitName(ctx, emit, from, name[1], 'name-subject', 0.8, 'Patient', true);
	}
	for (const m of matchesOf(SIGN_OFF, text)) {
		if (m.index > 0 && LETTER.test(text[m.index - 1])) continue;
		const from = m.index + m[0].length;
		const name = NAME_THEN_LINE_END.exec(text.slice(from, from + SUBJECT_REACH));
		if (name) emitName(ctx, emit, from, name[1], 'name-subject', 0.8, 'Patient', true);
	}
}

/** Names before a credential: a signature line, and an initial with a surname in a cc line. */
function signedNames(ctx: DetectContext, emit: Emit): void {
	const { text } = ctx;
	// a signature line: "— Elias Fly, M.D.", "-- aurèle devora, pa-c", "Page Joyal, PharmD"
	for (const m of matchesOf(SIGNATURE_LINE, text)) {
		if (!CREDENTIALS.has(m[2].toLowerCase().replace(/\./g, ''))) continue;
		emitName(ctx, emit, m.index + m[0].indexOf(m[1]), m[1], 'name-credential', 0.85, 'Doctor', true);
	}
	// "J. RING, M.D.", "K. Israel, PhD" (in a cc line): an initial, a surname and a credential
	for (const m of matchesOf(COMMA_CREDENTIAL, text)) {
		const from = Math.max(0, m.index - 40);
		const before = INITIAL_SURNAME_BEFORE.exec(text.slice(from, m.index));
		if (!before) continue;
		const w = before[2].toLowerCase();
		if (STOPWORDS.has(w) || CLINICAL.has(w) || DOCTOR_ROLES.has(w) || HOSPITAL_WORDS.has(w)) continue;
		emit(from + before.index + before[0].indexOf(before[1]), m.index, 'Doctor', 0.85, 'name-initial');
	}
}

/** Names the cue word at token `i` points to (`cue`: its bits). */
function cueSubjects(ctx: DetectContext, emit: Emit, i: number, cue: number): void {
	const { text, tokens } = ctx;
	const t = tokens[i];
	const prev = i > 0 && tokens[i - 1].kind === 'w' ? tokens[i - 1].lower : '';
	if (cue & RELATION) relationSubjects(ctx, emit, i, prev);
	// after a clinician's role or a word of consulting: "NP Tefka ordered", "per Kamo", "consult with Vintef"
	if (cue & CLINICIAN || (cue & WITH_BY && ((t.lower === 'with' && CONSULT.has(prev)) || (t.lower === 'by' && prev === 'seen'))))
		unknownAfter(ctx, emit, i, ABBREVIATED.has(t.lower) ? ROLE_GAP : BLANKS, 'name-context', 'Doctor');
	// after a contact verb: "spoke with Tefbutas", "contacts Poka Lanvinlo"
	if (cue & CONTACT || (cue & WITH_BY && (t.lower === 'with' || t.lower === 'to') && TALK.has(prev)))
		unknownAfter(ctx, emit, i, BLANKS, 'name-context', 'Patient');
	// "electronically signed by Marry Frame, NP", "dictated by gwenaëlle tilghman, frcp": the name up to the
	// credential or the line's end
	if (t.lower === 'by' && SIGNING.has(prev)) {
		const name = SIGNER.exec(text.slice(t.end, t.end + SUBJECT_REACH));
		if (name) emitName(ctx, emit, t.end + name[0].indexOf(name[1]), name[1], 'name-credential', 0.85, 'Doctor', true);
	}
	// an initial and a surname after a word of reporting or consulting: "reported to D. Champion", "per W. JESTER"
	if (cue & INITIAL_CUE && (!(cue & WITH_BY) || REPORTING.has(prev))) initialAndSurname(ctx, emit, t.end);
	// before a credential, in any case: "mozan kalo np into eval"
	if (cue & CREDENTIAL_CUE) {
		const before = wordsBefore(tokens, i, text, true);
		if (before) {
			emitUnknownRun(ctx, emit, before.start, text.slice(before.start, before.end), 'name-credential', 'Doctor', true);
			// a listed name, also one that is a word, handed a report: "report given to BARB, RN" (with the comma:
			// "given to night RN" is a shift)
			const handed = before.comma ? HANDED_TO.exec(text.slice(Math.max(0, before.start - 24), before.end)) : null;
			if (handed) listedNameBefore(ctx, emit, before.end - handed[1].length, handed[1]);
		}
	}
	// opening a clause before a contact verb: "social: wesbu called", ". Dragorka reports that"
	if (cue & CONTACT_VERB) {
		const before = wordsBefore(tokens, i, text, false);
		if (before && !before.comma && opensClause(text, before.start))
			emitUnknownRun(ctx, emit, before.start, text.slice(before.start, before.end), 'name-context');
	}
	// "Pt Schäffel resting comfortably", "Patient John White complains of …"
	if (cue & PATIENT && namelikeStart(ctx, tokens[tokens[i + 1]?.text === '.' ? i + 2 : i + 1]) && opensClause(text, t.start)) {
		const gap = /^\.?[ \t]{1,3}/.exec(text.slice(t.end, t.end + 5));
		if (!gap) return;
		const from = t.end + gap[0].length;
		const after = PATIENT_NAME_THEN_PREDICATE.exec(text.slice(from, from + SUBJECT_REACH));
		if (after) emitName(ctx, emit, from, after[1], 'name-subject', 0.8);
	}
}

/** After a relation word: "her husband Windy Mucha was at the bedside", a contact list, an unknown word. */
function relationSubjects(ctx: DetectContext, emit: Emit, i: number, prev: string): void {
	const { text, tokens } = ctx;
	const t = tokens[i];
	// "her husband Windy Mucha was at the bedside", "my nephew Velvet can pick it up"
	// (also set off by commas, "spoke with pt's mother, Ivory, who agrees", and opening a clause: "Sister Sari called")
	if (POSSESSIVE_BEFORE.test(text.slice(Math.max(0, t.start - 14), t.start)) || opensClause(text, t.start)) {
		const from = t.end + (RELATION_GAP.exec(text.slice(t.end, t.end + 3))?.[0].length ?? 0);
		const after = NAME_THEN_RELATIVE_PREDICATE.exec(text.slice(from, from + SUBJECT_REACH));
		// "daughter still is at the bedside", "son first visited": an adverb is no name
		const lead = after?.[1].split(/[ \t]/)[0].toLowerCase() ?? '';
		if (after && from > t.end && !PARENTHETICALS.has(lead) && !PRE_VERB_ADVERBS.has(lead)) {
			emitName(ctx, emit, from, after[1], 'name-relation', 0.8, 'Patient', true);
		}
	}
	// a contact list: "Emergency contact: jack parody (uncle)", "Family: Peg (aunt)"
	if (prev === '' && i > 0 && tokens[i - 1].text === '(') {
		const before = LABELLED_NAME_BEFORE.exec(text.slice(Math.max(0, tokens[i - 1].start - SUBJECT_REACH), tokens[i - 1].start));
		if (before)
			emitName(
				ctx,
				emit,
				tokens[i - 1].start - before[0].length + before[0].indexOf(before[1]),
				before[1],
				'name-relation',
				0.8,
				'Patient',
				true,
			);
	}
	// a word no list knows right after a relation: "son Quitefbre calls back", "SISTER,QUILO FENNAL HAS PHONED"
	unknownAfter(ctx, emit, i, RELATION_GAP, 'name-relation', 'Patient');
}

const RELATION = 1;
const CLINICIAN = 2;
const CONTACT = 4;
const WITH_BY = 8;
const CREDENTIAL_CUE = 16;
const CONTACT_VERB = 32;
const PATIENT = 64;
const INITIAL_CUE = 128;
const CUES = new Map<string, number>();
const addCue = (words: Iterable<string>, bit: number) => {
	for (const w of words) CUES.set(w, (CUES.get(w) ?? 0) | bit);
};
addCue([...RELATIONS].filter((r) => /^[a-z-]+$/.test(r)), RELATION);
addCue(['np', 'rn', 'md', 'dr', 'resident', 'attending', 'fellow', 'intern', 'per', 'page', 'paged', ...ROLE_PREFIX], CLINICIAN);
addCue(['contacts', 'contacted', 'updated', 'notified', 'informed'], CONTACT);
addCue(['with', 'by', 'to'], WITH_BY);
addCue(['np', 'rn', 'md', 'lpn', 'cna', 'rrt', 'pharmd', 'msw', 'lcsw', 'bsn', 'fnp', 'crnp'], CREDENTIAL_CUE);
addCue(['called', 'visited', 'phoned', 'reports', 'spoke'], CONTACT_VERB);
addCue(['pt', 'patient'], PATIENT);
addCue(['per', 'with', 'to', 'by', 'meet', 'notified', 'paged', 'called', 'contacted', 'informed', 'updated', 'dr', 'np', 'rn', 'md'], INITIAL_CUE);
/** Roles written abbreviated with a period ("Dr. X", "NP. X"). */
const ABBREVIATED = new Set(['dr', 'np', 'rn', 'md']);
const INITIAL_SURNAME = /^\.?[ \t]{1,2}(\p{L})\.[ \t]{0,2}(\p{L}[\p{L}'’-]{1,30})(?!\p{L})/u;

/** "D. Champion" after `end`: an initial with its period and a surname that is no clinical or stop word. */
function initialAndSurname(ctx: DetectContext, emit: Emit, end: number): void {
	const m = INITIAL_SURNAME.exec(ctx.text.slice(end, end + 40));
	if (!m) return;
	const mixed = ctx.casing === 'mixed';
	const [initial, surname] = [m[1], m[2]];
	if (mixed && (initial !== initial.toUpperCase() || surname[0] !== surname[0].toUpperCase())) return;
	const w = surname.toLowerCase();
	if (STOPWORDS.has(w) || CLINICAL.has(w) || CREDENTIALS.has(w) || DOCTOR_ROLES.has(w) || HOSPITAL_WORDS.has(w)) return;
	const d = ctx.dicts;
	if (!isListedName(d, w) && (d.englishWords.get(w) ?? 99) <= 60) return;
	const at = end + m[0].indexOf(initial + '.');
	emit(at, end + m[0].length, 'Doctor', 0.8, 'name-initial');
}
/** "given to X", "report to X", "handed off to X", "signed out to X": the one or two words after "to". */
const HANDED_TO =
	/(?:given|report|reported|called|handed[ \t]{1,2}off|signed[ \t]{1,2}out|endorsed)[ \t]{1,2}to[ \t]{1,2}([\p{L}][\p{L}'’-]{1,30}(?:[ \t]{1,2}[\p{L}][\p{L}'’-]{1,30})?)$/iu;

/** Emits `phrase` when each of its words is a listed name or a word no list knows, and none a stop, clinical or role word. */
function listedNameBefore(ctx: DetectContext, emit: Emit, at: number, phrase: string): void {
	const d = ctx.dicts;
	for (const m of phrase.matchAll(NAME_WORD)) {
		const w = m[0].toLowerCase();
		if (ctx.casing === 'mixed' && m[0][0] === w[0]) return;
		if (STOPWORDS.has(w) || CLINICAL.has(w) || CREDENTIALS.has(w) || DOCTOR_ROLES.has(w) || RELATIONS.has(w) || PERSON_WORDS.has(w)) return;
		if (!isListedName(d, w) && (d.englishWords.has(w) || d.places.has(w) || w.length < 3 || !VOWEL.test(w))) return;
	}
	emit(at, at + phrase.length, 'Doctor', 0.8, 'name-credential');
}
/** A comma and a credential (with or without its periods) ending a name. */
const COMMA_CREDENTIAL = /,[ \t]{1,2}(?:m\.?d|d\.?o|ph\.?d|r\.?n|n\.?p|pa-c|pharm\.?d|lpn|mbbs|frcp|msw|dds|bsn|crnp)\.?(?![\p{L}])/giu;
const INITIAL_SURNAME_BEFORE = /(?<![\p{L}])(\p{L})\.[ \t]{0,2}(\p{L}[\p{L}'’-]{1,30})$/u;
const SIGNER = /^[ \t]{1,2}((?:[\p{L}][\p{L}'’.-]*[ \t]{1,2}){0,2}[\p{L}][\p{L}'’-]*)[ \t]{0,2}(?:,[ \t]{0,2}[\p{L}][\p{L}.-]{0,7}[ \t]*(?:[,;\n]|$)|\n|$)/u;
const CONSULT = new Set(['consult', 'consulted', 'made']);
const TALK = new Set(['spoke', 'talked', 'met', 'discussed']);
const BLANKS = /^[ \t]{1,2}/;
const RELATION_GAP = /^(?:[ \t]{1,2}|[,:][ \t]{0,2})/;
const ROLE_GAP = /^\.?[ \t]{1,2}/;
/** After a label's colon, one to three words then the "(relation)": "contact: jack parody (". */
const LABELLED_NAME_BEFORE = /:[ \t]{1,3}((?:[\p{L}][\p{L}'’.-]*[ \t]{1,2}){0,2}[\p{L}][\p{L}'’-]*)[ \t]{1,2}$/u;
const POSSESSIVE_BEFORE = /(?<![\p{L}])(?:his|her|their|my|our|pt['’]s|patient['’]s)[ \t]{1,2}$/iu;

/**
 * The one or two words (three letters or more each, blanks between) right before token i, through a comma when
 * `comma` allows one: their span, and whether the comma was there.
 */
function wordsBefore(tokens: readonly Token[], i: number, text: string, comma: boolean): { start: number; end: number; comma: boolean } | undefined {
	let j = i - 1;
	let sawComma = false;
	if (comma && j >= 0 && tokens[j].text === ',' && blanksBetween(text, tokens[j].end, tokens[i].start, 0, 2)) {
		sawComma = true;
		j--;
		if (j < 0 || !blanksBetween(text, tokens[j].end, tokens[j + 1].start, 0, 0)) return undefined;
	} else if (j < 0 || !blanksBetween(text, tokens[j].end, tokens[i].start, 1, 2)) return undefined;
	if (tokens[j].kind !== 'w' || tokens[j].text.length < 3) return undefined;
	let first = j;
	const k = j - 1;
	if (k >= 0 && tokens[k].kind === 'w' && tokens[k].text.length >= 3 && blanksBetween(text, tokens[k].end, tokens[j].start, 1, 2)) first = k;
	return { start: tokens[first].start, end: tokens[j].end, comma: sawComma };
}
/** Only blanks (spaces or tabs), between `min` and `max` of them, from `a` to `b`. */
function blanksBetween(text: string, a: number, b: number, min: number, max: number): boolean {
	if (b - a < min || b - a > max) return false;
	for (let k = a; k < b; k++) if (text[k] !== ' ' && text[k] !== '\t') return false;
	return true;
}

/** A word a name could start with (checked before the patterns run): no stop, clinical or predicate word. */
function namelikeStart(ctx: DetectContext, t: Token | undefined): boolean {
	if (!t || t.kind !== 'w' || STOPWORDS.has(t.lower) || CLINICAL.has(t.lower) || PREDICATE_WORDS.has(t.lower)) return false;
	return ctx.casing !== 'mixed' || t.text[0] !== t.lower[0];
}

/** The text before `at` holds only a few blanks back to a line start or a sentence's end. */
function opensClause(text: string, at: number): boolean {
	for (let k = at - 1; k >= Math.max(0, at - 4); k--) {
		const c = text[k];
		if (c === ' ' || c === '\t') continue;
		return c === '\n' || c === '.' || c === '!' || c === '?' || c === ':' || c === ';';
	}
	return at <= 4 && !text.slice(0, at).trim();
}

/** The unknown-word run after `end` and its gap (see emitUnknownRun). */
function unknownAfter(ctx: DetectContext, emit: Emit, i: number, gapRe: RegExp, detector: string, type: 'Patient' | 'Doctor'): void {
	// (most cue words are followed by an everyday word: checked on the next word token before any slicing)
	const { tokens } = ctx;
	let j = i + 1;
	if (j < tokens.length && tokens[j].kind === 'p') j++;
	const next = tokens[j];
	if (
		!next ||
		next.kind !== 'w' ||
		next.text.length < 4 ||
		ctx.dicts.englishWords.has(next.lower) ||
		STOPWORDS.has(next.lower) ||
		CLINICAL.has(next.lower)
	)
		return;
	const end = tokens[i].end;
	const gap = gapRe.exec(ctx.text.slice(end, end + 4));
	if (!gap || !gap[0]) return;
	const from = end + gap[0].length;
	const words = UNKNOWN_RUN.exec(ctx.text.slice(from, from + SUBJECT_REACH));
	if (words) emitUnknownRun(ctx, emit, from, words[1], detector, type);
}

/** "is a 57-year-old", "was a 47 yo", "is an 81 y.o." */
const AGE_PREDICATE =
	/(?<![ \t])[ \t]{1,3}(?:is|was)[ \t]{1,3}an?[ \t]{1,3}\d{1,3}[ \t-]?(?:years?[ \t-]?old|yrs?[ \t-]?old|y\/?o\b|y\.o\.?|yo\b|-?year\b|-?yr\b)/gi;
/** How far back a subject may start (four words, a title, room to spare). */
const SUBJECT_REACH = 80;
/** One to four words (initials with their periods) ending where the predicate starts. */
const SUBJECT_BEFORE = /(?:[\p{L}][\p{L}'’.-]*[ \t]{1,3}){0,3}[\p{L}][\p{L}'’-]*$/u;
/** One to three name words, then a word that opens what is said of a patient. */
const PATIENT_NAME_THEN_PREDICATE = new RegExp(
	`^((?:[\\p{L}][\\p{L}'’.-]*[ \\t]{1,3}){0,2}?[\\p{L}][\\p{L}'’-]*),?[ \\t]{1,3}(?:${[...PREDICATE_WORDS].join('|')})\\b`,
	'iu',
);

/** A greeting that opens a line. */
// Line-start patterns consume the line break (a look-behind for it was tried at every position, four times the
// cost); their users read the match's end or its groups, which do not move.
const GREETING = /(?:^|\n)[ \t]{0,3}(?:hi|hello|hey|dear|good morning|good afternoon)[ \t]{1,3}/gi;
/** A closing word and its comma, the name after it on the same line or the next (a letter before is checked apart). */
const SIGN_OFF = /(?:thanks|thank you|regards|sincerely|cheers|respectfully|best wishes|best|yours truly|yours)[ \t]{0,2},[ \t]{0,3}(?:\n[ \t]{0,3}){0,2}/gi;
const LETTER = /\p{L}/u;
const NAME_THEN_COMMA = /^((?:[\p{L}][\p{L}'’.-]*[ \t]{1,3}){0,2}[\p{L}][\p{L}'’-]*)[ \t]{0,2}[,:!]/u;
const NAME_THEN_LINE_END = /^((?:[\p{L}][\p{L}'’.-]*[ \t]{1,3}){0,2}[\p{L}][\p{L}'’-]*)[ \t]{0,2}(?:\n|$)/u;
/** A line of one to three name words, a comma and a credential (more may follow), and nothing else. */
const SIGNATURE_LINE =
	/(?:^|\n)[ \t]{0,3}(?:[—–-]{1,2}[ \t]{0,2})?((?:[\p{L}][\p{L}'’.-]*[ \t]{1,2}){0,2}[\p{L}][\p{L}'’-]*),[ \t]{1,2}([\p{L}][\p{L}.-]{0,7})(?:,[ \t]{1,2}[\p{L}][\p{L}.-]{0,7}){0,3}[ \t]*(?=\n|$)/gu;

/** One or two name words, then what is said of a relative, or another relative ("wife Hope and son visited"). */
const NAME_THEN_RELATIVE_PREDICATE = new RegExp(
	"^((?:[\\p{L}][\\p{L}'’.-]*[ \\t]{1,2})??[\\p{L}][\\p{L}'’-]*),?[ \\t]{1,3}" +
		'(?:was|is|called|visited|came|can|will|phoned|states|reports|agrees|brought|drove|lives|who|' +
		`and[ \\t]{1,2}(?:(?:his|her|their|pt's)[ \\t]{1,2})?(?:${[...RELATIONS].filter((r) => /^[a-z]+$/.test(r)).join('|')}))\\b`,
	'iu',
);

/** One or two words (the first is checked to be unknown; the second joins when it is too, or is a listed name). */
const UNKNOWN_RUN = /^([\p{L}][\p{L}'’-]{2,30}(?:[ \t]{1,2}[\p{L}][\p{L}'’-]{1,30})?)/u;

/**
 * Emits the leading words of `phrase` that no word list knows (no English word, clinical term, stop word,
 * credential or relation; four letters or more, with a vowel, so abbreviations stay out), or a listed name
 * after an unknown first word. Case must fit the note: capitalised in a note that uses case.
 */
function emitUnknownRun(
	ctx: DetectContext,
	emit: Emit,
	at: number,
	phrase: string,
	detector: string,
	type: 'Patient' | 'Doctor' = 'Patient',
	fromEnd = false,
): void {
	// from the end (before a credential), the run is read backwards and its last word must be unknown
	const words = [...phrase.matchAll(NAME_WORD)];
	if (fromEnd) words.reverse();
	let end = -1;
	for (let j = 0; j < words.length; j++) {
		const raw = words[j][0].replace(/\.$/, '');
		// a hyphen glues words ("VISITED-", "phoned-family", "CO-SIGNATURE"): no name
		if (raw.includes('-')) break;
		const w = raw.toLowerCase().replace(/['’]s$/, '');
		if (ctx.casing === 'mixed' && (raw[0] === raw[0].toLowerCase() || (raw.length > 1 && raw === raw.toUpperCase()))) break;
		const d = ctx.dicts;
		const listed = isListedName(d, w);
		const blocked =
			STOPWORDS.has(w) ||
			CLINICAL.has(w) ||
			CREDENTIALS.has(w) ||
			RELATIONS.has(w) ||
			TITLE_WORDS.has(w) ||
			PERSON_WORDS.has(w) ||
			DOCTOR_ROLES.has(w) ||
			HOSPITAL_WORDS.has(w);
		if (blocked) break;
		const unknown = !d.englishWords.has(w) && !listed && !d.places.has(w);
		const ok = unknown ? w.length >= 4 && VOWEL.test(w) && !misspelled(ctx, w) : j > 0 && listed && (d.englishWords.get(w) ?? 99) > 40;
		if (!ok) break;
		end = j;
	}
	if (end < 0) return;
	// "seen by Cardic Transplant team": a service's name before a group noun
	if (!fromEnd && GROUP_AFTER.test(ctx.text.slice(at + words[end].index + words[end][0].length, at + phrase.length + 20))) return;
	const [a, b] = fromEnd ? [words[end], words[0]] : [words[0], words[end]];
	emit(at + a.index, at + b.index + b[0].replace(/\.$/, '').length, type, 0.75, detector);
}

const VOWEL = /[aeiouàâäéèêëíìîïóòôöúùû]/;
/** Group nouns after a service's name ("tranplant team", "GI service"). */
const GROUP_AFTER = /^[ \t]{0,2}(?:team|service|services|dept|department|clinic|unit|group|staff|consult|fellow|resident|attending)\b/i;

const MISSPELT = new WeakMap<object, Map<string, boolean>>();
/**
 * A misspelt or run-together word rather than a name: two letters swapped ("tema"), or, in a word of seven
 * letters or more, one letter dropped, added or changed, from an English word or a clinical term ("tranplant",
 * "GLUCCOSE", "visisted", "liters" for "litres"); or two common words written as one ("madeno"). Memoised per
 * dictionary set.
 */
function misspelled(ctx: DetectContext, w: string): boolean {
	let memo = MISSPELT.get(ctx.dicts);
	if (!memo) MISSPELT.set(ctx.dicts, (memo = new Map()));
	if (memo.size > 50000) memo.clear();
	let r = memo.get(w);
	if (r === undefined) memo.set(w, (r = misspelledNow(ctx, w)));
	return r;
}
function misspelledNow(ctx: DetectContext, w: string): boolean {
	const known = (x: string) => (ctx.dicts.englishWords.get(x) ?? 99) <= 50 || CLINICAL.has(x);
	const n = w.length;
	// two letters swapped at any length ("tema"); other edits only in longer words, as a short name is one
	// letter from many words ("Kalo", "halo")
	for (let i = 0; i + 1 < n; i++) if (known(w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2))) return true;
	if (n < 7) return false;
	for (let i = 0; i < n; i++) if (known(w.slice(0, i) + w.slice(i + 1))) return true;
	for (let i = 0; i <= n; i++) {
		for (let c = 97; c <= 122; c++) {
			const ch = String.fromCharCode(c);
			if (i < n && ch !== w[i] && known(w.slice(0, i) + ch + w.slice(i + 1))) return true;
			if (known(w.slice(0, i) + ch + w.slice(i))) return true;
		}
	}
	const common = (x: string) => (ctx.dicts.englishWords.get(x) ?? 99) <= (x.length <= 2 ? 10 : 20);
	for (let i = 2; i <= n - 2; i++) if (common(w.slice(0, i)) && common(w.slice(i))) return true;
	return false;
}

const TITLE_WORDS = new Set([...PERSON_TITLES, ...DOCTOR_TITLES]);
const NAME_WORD = /[\p{L}][\p{L}'’-]*\.?/gu;

/** Emits the name words of `phrase` (at `at`), leading titles left out, when every word looks like a name. */
function emitName(
	ctx: DetectContext,
	emit: Emit,
	at: number,
	phrase: string,
	detector: string,
	confidence: number,
	type: 'Patient' | 'Doctor' = 'Patient',
	strong = false,
): void {
	const words = [...phrase.matchAll(NAME_WORD)];
	let k = 0;
	while (k < words.length && TITLE_WORDS.has(words[k][0].toLowerCase().replace(/\.$/, ''))) k++;
	if (k >= words.length) return;
	const mixed = ctx.casing === 'mixed';
	let distinct = 0;
	for (let j = k; j < words.length; j++) {
		const raw = words[j][0].replace(/\.$/, '');
		const w = raw.toLowerCase();
		// an initial; the article opening the phrase is none ("his wife, a nurse, is here")
		if (raw.length === 1) {
			if (j === k && w === 'a' && !words[j][0].endsWith('.')) return;
			continue;
		}
		if (PERSON_WORDS.has(w) || STOPWORDS.has(w) || CREDENTIALS.has(w) || RELATIONS.has(w) || TITLE_WORDS.has(w)) return;
		if (mixed && raw[0] === raw[0].toLowerCase()) return;
		const d = ctx.dicts;
		const named = isListedName(d, w);
		// a clinical word ("brady") may be a surname beside another name word, where the context is strong
		if (CLINICAL.has(w) && !(strong && named && words.length - k > 1)) return;
		const tier = d.englishWords.get(w) ?? 99;
		if (tier <= 40 && !named) return;
		if (tier === 99 && !named && misspelled(ctx, w)) return;
		// without case to go by, an everyday word is too often not a name ("pt round resting", "PT STILL HAS")
		// (a greeting, a sign-off or a signature line says "a name" strongly enough for a listed name that is a word)
		if (!mixed && tier <= 60 && (!named || (tier <= 20 && !strong))) return;
		if (ctx.dicts.places.get(w) === 'State' || ctx.dicts.places.get(w) === 'CountryOrRegion') return;
		distinct++;
	}
	if (!distinct) return;
	const start = at + words[k].index;
	const last = words[words.length - 1];
	const end = at + last.index + last[0].length - (last[0].endsWith('.') && last[0].length > 2 ? 1 : 0);
	emit(start, end, type, confidence, detector);
}
