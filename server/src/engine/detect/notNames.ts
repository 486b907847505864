import type { Finding } from '../types';
import { CENTER_QUALIFIERS, CENTER_WORDS, WEEKDAYS } from './lexicon';
import { GROUP_WORDS, EPONYM_HEADS, SEX_WORDS, PERSON_OR_PLACE, TITLED } from './words';

/** A word between an eponym and its head noun ("Framingham risk score", "Glasgow coma scale"). */
const BETWEEN = /^(?:'s|’s|s'|’)?(?:\s+(?:risk|coma|outcome|severity|heart|grading|lymph|clinical|i|ii|iii|iv))?\s+([A-Za-z]+)/i;

/** The word before a centre word ("Medical Center", "Community Center"): the head of a facility's name, whatever name lists say of "Center". */
const WORD_BEFORE = /([a-z]+)[ \t]{1,2}$/i;
const CENTER_AFTER: ReadonlySet<string> = new Set([...CENTER_QUALIFIERS, 'community', 'care']);

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
		if (
			words.length === 1 &&
			CENTER_WORDS.has(words[0]) &&
			CENTER_AFTER.has(WORD_BEFORE.exec(text.slice(Math.max(0, f.start - 16), f.start))?.[1].toLowerCase() ?? '')
		)
			return false;
		// (a place keeps its name: Alaska is a state, Indian River a town)
		if (
			(f.type === 'Patient' || f.type === 'Doctor') &&
			words.length > 0 &&
			words.length <= 4 &&
			GROUP_WORDS.has(words[0]) &&
			words.every((w) => GROUP_WORDS.has(w) || SEX_WORDS.has(w))
		)
			return false;
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
