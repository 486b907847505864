import { detect, mergeOverlaps } from './detect/detect';
import type { Dictionaries } from './dictionaries';
import { applyStrategy, type Policy } from './policy';
import { applyReplacements, DEFAULT_REDACTION_FORMAT, type Operation, type SurrogateContext } from './transform';
import type { DetectOptions, Finding } from './types';

/**
 * File and folder names are PHI too ("Okafor-Margaret/visit-555-0199.txt"). A name is detected as a short text
 * in which separators read as spaces, and de-identified with the run's operation, so outputs, reports and
 * manifests never carry an original name.
 */
export interface PathTransform {
	operation: Operation;
	redactionFormat?: string;
	policy?: Policy;
	surrogate?: SurrogateContext;
}

/** Characters no output name may hold on any common file system, and control characters. */
const UNSAFE = /[/\\:*?"<>|\u0000-\u001f\u007f]/g;
/** Longest name we write, in UTF-16 units (file systems allow 255 bytes; a surrogate may be longer than its value). */
const MAX_NAME = 120;

const PHONE_IN_NAME = /(?<![\d])(?:\(?\d{3}\)?[-. _]?)?[2-9]\d{2}[-._]\d{4}(?![\d])/g;

/** Findings in a file or folder name; `_` and `.` read as spaces, and `-` both as itself and as a space. */
export function detectInName(name: string, dicts: Dictionaries, options: DetectOptions): Finding[] {
	if (!/[\p{L}\p{N}]/u.test(name)) return [];
	const spaced = name.replace(/[_.]/g, ' ');
	const found = detect(spaced, dicts, options);
	if (spaced.includes('-')) for (const f of detect(spaced.replace(/-/g, ' '), dicts, options)) found.push(f);
	// a name's own extension is never PHI (".txt" read as a word could join a finding)
	const ext = /\.[A-Za-z0-9]{1,8}$/.exec(name);
	const limit = ext ? ext.index : name.length;
	const clipped: Finding[] = [];
	for (const f of found) {
		const end = Math.min(f.end, limit);
		if (end > f.start && !plainWords(name.slice(f.start, end), dicts)) clipped.push({ ...f, end });
	}
	const pair = namePair(name, limit, dicts);
	if (pair) clipped.push(pair);
	// a telephone number's shape in a name is a number of someone's (running text also wants a contact word)
	for (const m of name.slice(0, limit).matchAll(PHONE_IN_NAME))
		clipped.push({ start: m.index!, end: m.index! + m[0].length, type: 'Phone', confidence: 0.8, detector: 'phone-in-path' });
	return mergeOverlaps(clipped);
}

/**
 * Dictionary words in one case, nothing else: "nota-clinica", "informe-alta" name a kind of document, not a
 * person or a place (a lower-case person's name is still found by namePair below).
 */
function plainWords(text: string, dicts: Dictionaries): boolean {
	// one case throughout (lower or upper): capitals mark a name only where the rest is lower case
	if (/\p{N}/u.test(text) || (/\p{Lu}/u.test(text) && /\p{Ll}/u.test(text))) return false;
	const words = text.toLowerCase().split(/[^\p{L}']+/u).filter(Boolean);
	return words.length > 0 && words.every((w) => dicts.englishWords.has(w) || dicts.spanishWords.has(w));
}

/**
 * Files are often named after their patient, "Last-First" or "first_last" (with a date or number beside): two or
 * three adjacent words that are all known given names or surnames, one of each, are a person's name there, even
 * when a word is also an English word (Smith, Rose) that running text would not take alone.
 */
function namePair(name: string, limit: number, dicts: Dictionaries): Finding | undefined {
	const words = [...name.slice(0, limit).matchAll(/\p{L}[\p{L}']*/gu)].filter((m) => m[0].length > 1);
	for (let i = 0; i + 1 < words.length; i++) {
		for (const n of [3, 2]) {
			const run = words.slice(i, i + n);
			if (run.length < n) continue;
			// adjacent words: only separators between them
			if (run.some((w, k) => k > 0 && !/^[\s_.,-]+$/.test(name.slice(run[k - 1].index! + run[k - 1][0].length, w.index)))) continue;
			const keys = run.map((w) => w[0].toLowerCase());
			const first = keys.some((k) => dicts.firstNames.has(k));
			const last = keys.some((k) => dicts.lastNames.has(k));
			if (!first || !last || !keys.every((k) => dicts.firstNames.has(k) || dicts.lastNames.has(k) || dicts.otherNames.has(k))) continue;
			// in one case, common words alone ("rose-garden", "WILL_GRANT") are words, not a name
			if (run.every((w) => !/\p{Lu}/u.test(w[0]) || w[0] === w[0].toUpperCase()) && keys.every((k) => (dicts.englishWords.get(k) ?? 99) <= 30)) continue;
			const end = run[n - 1].index! + run[n - 1][0].length;
			return { start: run[0].index!, end, type: 'Patient', confidence: 0.8, detector: 'name-in-path' };
		}
	}
	return undefined;
}

/** A name with its findings replaced (unchanged when there are none, or for the tag operation). */
export function deidentifyName(name: string, findings: readonly Finding[], t: PathTransform): string {
	if (findings.length === 0 || t.operation === 'tag') return name;
	const format = t.redactionFormat ?? DEFAULT_REDACTION_FORMAT;
	const reps = findings.map((f) => ({
		start: f.start,
		end: f.end,
		text: applyStrategy(f, name.slice(f.start, f.end), t.operation, format, t.policy, t.surrogate),
	}));
	return safeName(applyReplacements(name, reps));
}

/** A replaced name made safe to write: no separators or reserved characters, no dot names, bounded length. */
export function safeName(name: string): string {
	let s = name.replace(UNSAFE, '_').replace(/[ .]+$/, '');
	if (s.length > MAX_NAME) {
		const ext = /\.[A-Za-z0-9]{1,8}$/.exec(s)?.[0] ?? '';
		s = s.slice(0, MAX_NAME - ext.length) + ext;
	}
	return s === '' || s === '.' || s === '..' ? '_' : s;
}

/**
 * Make the replaced names of one folder's entries distinct (two patients' folders can both become "[PATIENT]"):
 * later entries of a clash, in the order given, get "-2", "-3", … before their extension. Case-insensitive, as
 * some file systems are. `names` maps each original name to its replaced name; entries that were not replaced
 * keep their names and win any clash.
 */
export function distinctNames(names: ReadonlyMap<string, string>): Map<string, string> {
	const taken = new Set<string>();
	// next suffix to try per replaced name, so a thousand clashes of one name cost a thousand steps, not a million
	const next = new Map<string, number>();
	const out = new Map<string, string>();
	for (const [orig, mapped] of names) if (orig === mapped) taken.add(mapped.toLowerCase());
	for (const [orig, mapped] of names) {
		if (orig === mapped) {
			out.set(orig, mapped);
			continue;
		}
		let candidate = mapped;
		const ext = /\.[A-Za-z0-9]{1,8}$/.exec(mapped)?.[0] ?? '';
		const key = mapped.toLowerCase();
		for (let n = next.get(key) ?? 2; taken.has(candidate.toLowerCase()); n++) {
			candidate = `${mapped.slice(0, mapped.length - ext.length)}-${n}${ext}`;
			next.set(key, n + 1);
		}
		taken.add(candidate.toLowerCase());
		out.set(orig, candidate);
	}
	return out;
}
