import type { Finding } from '../types';
import { CENTER_QUALIFIERS, CENTER_WORDS, WEEKDAYS } from '../lexicon';

/**
 * Words that name a group of people (ethnicity, nationality, religion) and never one person: "67 yo Latina
 * woman", "identifies as Native American". General knowledge of how notes describe patients, not corpus values.
 */
const GROUP_WORDS = new Set([
	'african', 'american', 'americans', 'asian', 'black', 'caucasian', 'hispanic', 'latina', 'latino', 'latinx', 'native', 'alaska', 'alaskan',
	'pacific', 'islander', 'indian', 'indigenous', 'arab', 'arabic', 'jewish', 'muslim', 'catholic', 'christian', 'hindu', 'buddhist', 'sikh',
	'mexican', 'puerto', 'rican', 'cuban', 'dominican', 'haitian', 'jamaican', 'chinese', 'japanese', 'korean', 'vietnamese', 'filipino',
	'filipina', 'european', 'middle', 'eastern', 'somali', 'ethiopian', 'nigerian', 'russian', 'polish', 'irish', 'italian', 'portuguese',
	'brazilian', 'creole', 'multiracial', 'biracial', 'mixed', 'hmong', 'navajo', 'cherokee', 'samoan', 'hawaiian',
]);

/** Nouns that follow an eponym: "Wilson's disease", "Ross procedure", "Ranson score", "Framingham risk score". */
const EPONYM_HEADS = new Set([
	'disease', 'syndrome', 'sign', 'signs', 'score', 'scale', 'criteria', 'procedure', 'operation', 'classification', 'maneuver', 'manoeuvre',
	'test', 'reflex', 'esophagus', 'oesophagus', 'palsy', 'lymphoma', 'sarcoma', 'ulcer', 'triad', 'phenomenon', 'catheter', 'equation', 'formula',
	'staging', 'fracture', 'cyst', 'tumor', 'tumour', 'disorder', 'aneurysm', 'node', 'nodes', 'repair', 'shunt', 'incision', 'position',
	'guidelines', 'guideline', 'protocol', 'trial', 'study', 'rule', 'rules', 'index', 'law', 'point', 'block', 'method', 'approach',
	'grade', 'grading', 'stage', 'class',
]);

/** Words that may follow a group word in the same finding ("Latina woman", "LATINA MALE"). */
const SEX_WORDS = new Set(['man', 'woman', 'male', 'female', 'boy', 'girl', 'men', 'women', 'gentleman', 'lady']);

/** A word between an eponym and its head noun ("Framingham risk score", "Glasgow coma scale"). */
const BETWEEN = /^(?:'s|’s|s'|’)?(?:\s+(?:risk|coma|outcome|severity|heart|grading|lymph|clinical|i|ii|iii|iv))?\s+([A-Za-z]+)/i;

/** The word before a centre word ("Medical Center", "Community Center"): the head of a facility's name, whatever name lists say of "Center". */
const WORD_BEFORE = /([a-z]+)[ \t]{1,2}$/i;
const CENTER_AFTER: ReadonlySet<string> = new Set([...CENTER_QUALIFIERS, 'community', 'care']);

const PERSON_OR_PLACE = new Set(['Patient', 'Doctor', 'City', 'LocationOther', 'Organization', 'State']);
/** Detectors whose context already says "a person" (a title before the name), which no rule here overrides. */
const TITLED = new Set(['name-title', 'name-credential', 'name-relation', 'deny-list', 'field-label', 'field-name']);

/**
 * Findings that name a group of people or an eponym rather than a person or a place are dropped: a finding of a
 * person or place type made only of group words, or one word (or hyphenated eponym) followed by an eponym's head
 * noun. A title, credential or relation before the name keeps it ("Mrs. White", "Dr. Ross").
 */
export function dropGroupsAndEponyms(text: string, findings: Finding[]): Finding[] {
	return findings.filter((f) => {
		if (!PERSON_OR_PLACE.has(f.type) || TITLED.has(f.detector)) return true;
		const value = text.slice(f.start, f.end);
		const words = value.toLowerCase().split(/[\s-]+/).filter(Boolean);
		// "Sunday dinner": a weekday's full name is no person's ("Sun" may be a surname)
		if (words.length === 1 && words[0].length > 4 && WEEKDAYS.has(words[0]) && (f.type === 'Patient' || f.type === 'Doctor')) return false;
		if (words.length === 1 && CENTER_WORDS.has(words[0]) && CENTER_AFTER.has(WORD_BEFORE.exec(text.slice(Math.max(0, f.start - 16), f.start))?.[1].toLowerCase() ?? '')) return false;
		// (a place keeps its name: Alaska is a state, Indian River a town)
		if ((f.type === 'Patient' || f.type === 'Doctor') && words.length > 0 && words.length <= 4 && GROUP_WORDS.has(words[0]) && words.every((w) => GROUP_WORDS.has(w) || SEX_WORDS.has(w))) return false;
		// the eponym and its head noun taken together ("BARRETT'S ESOPHAGUS")
		const whole = /^\p{Lu}[\p{L}-]*['’]s\s+(\p{L}+)$/iu.exec(value);
		if (whole && EPONYM_HEADS.has(whole[1].toLowerCase())) return false;
		if (/^\p{Lu}[\p{L}'’-]*$/u.test(value)) {
			const next = BETWEEN.exec(text.slice(f.end, f.end + 40));
			if (next && EPONYM_HEADS.has(next[1].toLowerCase())) return false;
		}
		return true;
	});
}
