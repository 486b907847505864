import { FACILITY_WORDS, NAME_CONNECTORS } from '../detect/lexicon';
import type { EntityType } from '../types';
import { isEnUs, isSpanish, type SurrogateContext } from './context';
import { shapeSurrogate } from './fpe';
import type { Picker } from './keyed';
import { nameTargets, permuted, spareVariant, type Pools } from './pools';
import { applyCase, DIGITS, HAS_LETTER, WORD_SPLIT } from './text';

/** The values one facility surrogate draws on. */
interface FacilityInput {
	salt: number;
	picker: Picker;
	pool: Pools;
	context: SurrogateContext;
}

/**
 * A realistic name for the proper part of a facility or street: a surname, a town of the locale, or a saint's
 * name ("Saint Agnes", "San Andrés"), from the locale's pools. A single listed surname (en-US, salt 0) maps
 * through the surname list's permutation, so two such names never share a surrogate.
 */
function properName(words: readonly string[], { salt, picker, pool, context }: FacilityInput, label: string): string {
	const word = words.length === 1 ? words[0].toLowerCase() : '';
	if (word && salt === 0 && isEnUs(context)) {
		const { dicts, hash, avoid } = context;
		const v = !avoid
			? permuted(dicts.raw.last, word, hash, label)
			: nameTargets(dicts).s.from.at.has(word)
				? spareVariant(dicts, 's', word, hash, `variant${avoid.salt}\u0000${label}`)
				: undefined;
		if (v) return v;
	}
	const old = new Set(words.map((w) => w.toLowerCase()));
	for (let k = 0; ; k++) {
		const kind = picker.int(4);
		const es = isSpanish(context);
		const saint = () =>
			es
				? picker.int(2)
					? `San ${picker.pick(pool.male)}`
					: `Santa ${picker.pick(pool.female)}`
				: `Saint ${picker.pick(picker.int(2) ? pool.male : pool.female)}`;
		const v = kind === 0 && pool.cities.length ? picker.pick(pool.cities) : kind === 1 ? saint() : picker.pick(pool.placeWords);
		if (k >= 4 || !v.split(' ').some((w) => old.has(w.toLowerCase()))) return v;
	}
}

/** The value with its proper parts replaced, and how many generic head nouns and proper parts it had. */
function replaceProperParts(original: string, input: FacilityInput): { out: string; heads: number; proper: number } {
	const parts = original.split(WORD_SPLIT);
	const generic = (w: string) => FACILITY_WORDS.has(w.toLowerCase().replace(/[.,;:]$/, '')) || NAME_CONNECTORS.has(w.toLowerCase());
	let out = '';
	let run: string[] = [];
	let heads = 0;
	let proper = 0;
	const flush = () => {
		if (!run.length) return;
		out += applyCase(run[0], properName(run, input, 'place'));
		run = [];
		proper++;
	};
	for (let i = 0; i < parts.length; i += 2) {
		const w = parts[i];
		const blank = parts[i + 1] ?? '';
		if (!w) {
			out += blank;
			continue;
		}
		if (!HAS_LETTER.test(w) && !DIGITS.test(w)) {
			flush();
			out += w + blank;
		} else if (generic(w) && HAS_LETTER.test(w)) {
			flush();
			heads += FACILITY_WORDS.has(w.toLowerCase()) ? 1 : 0;
			out += w + blank;
		} else if (DIGITS.test(w)) {
			flush();
			out += shapeSurrogate(w, input.context.hash) + blank;
		} else {
			// the run's blanks go with it: the surrogate name stands in for the whole run
			run.push(w);
			if (i + 2 < parts.length && !generic(parts[i + 2]) && HAS_LETTER.test(parts[i + 2])) continue;
			flush();
			out += blank;
		}
	}
	flush();
	return { out, heads, proper };
}

/** A whole name of the type's kind around a proper name, for a value with no head noun. */
function wholeName(type: EntityType, original: string, name: string, { picker, pool, context }: FacilityInput): string {
	const es = isSpanish(context);
	const cased = (v: string) => applyCase(original, v);
	if (type === 'Hospital') {
		const head = es
			? picker.pick(['Hospital', 'Clínica', 'Hospital Universitario', 'Centro de Salud'])
			: picker.pick(['Hospital', 'Medical Center', 'Clinic', 'Health System', 'Memorial Hospital']);
		return cased(es ? `${head} ${name}` : `${name} ${head}`);
	}
	if (type === 'Organization') {
		const forms = pool.companySuffixes.length ? pool.companySuffixes : ['LLC', 'Inc', 'Group'];
		const a = picker.pick(pool.surnames);
		let b = picker.pick(pool.surnames);
		if (b === a) b = picker.pick(pool.surnames);
		return cased(
			picker.int(2)
				? `${a} ${es ? 'y' : '&'} ${b} ${picker.pick(forms)}`
				: es
					? `${picker.pick(['Biblioteca', 'Fundación', 'Asociación'])} ${name}`
					: `${name} ${picker.pick(['Library', 'Foundation', 'Associates', 'Group'])}`,
		);
	}
	return cased(name);
}

/**
 * Facility, organisation and other place names keep their generic words (the head noun and its qualifiers:
 * "Memorial Hospital", "County Library", "Hospital Universitario") and get a real-looking proper part from the
 * locale's pools; a value with no generic word gets a whole name of its kind.
 */
export function facilitySurrogate(type: EntityType, original: string, salt: number, picker: Picker, pool: Pools, context: SurrogateContext): string {
	const input: FacilityInput = { salt, picker, pool, context };
	const { out, heads, proper } = replaceProperParts(original, input);
	if (proper > 0 && heads > 0) return out;
	const name = properName([original], input, 'place');
	// only generic words ("General Hospital"): a proper name goes before (after, in Spanish) them
	if (heads > 0) return isSpanish(context) ? `${out.trimEnd()} ${name}` : `${name} ${out}`;
	return wholeName(type, original, name, input);
}
