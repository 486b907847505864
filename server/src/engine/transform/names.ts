import { NAME_CONNECTORS } from '../detect/lexicon';
import { isEnUs, remember, type SurrogateContext } from './context';
import { Picker } from './keyed';
import { permutedName, pools, spareVariant, type NameKind, type Pools } from './pools';
import { applyCase, HAS_LETTER } from './text';

const listOf = (pool: Pools, kind: NameKind) => (kind === 'm' ? pool.male : kind === 'f' ? pool.female : pool.surnames);

/**
 * A person's name, word by word: one word, one surrogate word, whoever bears it (patient or clinician), so "Mrs.
 * Hodges" and "HODGES, A" share it and the run-wide uniqueness check works on words.
 */
export function personSurrogate(original: string, pool: Pools, context: SurrogateContext): string {
	const words = original.split(/(\s+|,\s*|\.\s*)/);
	// "Last, First" puts the surname before the comma; otherwise the last word is the surname
	const comma = words.findIndex((x, k) => k % 2 === 1 && x.includes(','));
	return words
		.map((word, i) => {
			if (i % 2 === 1 || !HAS_LETTER.test(word)) return word;
			// an initial maps by its letter alone, so "M. Okafor" and "Margaret Okafor" stay one surrogate person's
			if (word.length === 1) return applyCase(word, String.fromCharCode(65 + new Picker(context.hash, `initial\u0000${word.toLowerCase()}`).int(26)));
			const lower = word.toLowerCase();
			// a lower-case particle inside a name ("Jennifer de Anda", "van der") is no name word of its own
			if (word === lower && words.length > 1 && NAME_CONNECTORS.has(lower)) return word;
			const firstName = context.dicts.firstNames.get(lower);
			const isSurname = comma >= 0 ? i < comma : i === words.length - 1 && words.length > 1;
			const kind: NameKind = firstName && !isSurname ? firstName.gender! : 's';
			return applyCase(word, nameWordSurrogate(lower, kind, pool, context));
		})
		.join('');
}

/** The surrogate of one name word (lower case) of a kind, claimed for the run-wide check. */
function nameWordSurrogate(word: string, kind: NameKind, pool: Pools, context: SurrogateContext): string {
	const unit = `name\u0000${kind}\u0000${word}`;
	const salt = context.saltOf ? context.saltOf(unit) : 0;
	const memoKey = `${context.memoPrefix ?? ''}w\u0000${kind}\u0000${context.locale ?? ''}\u0000${salt}\u0000${word}`;
	let v = context.memo?.get(memoKey);
	if (v === undefined) {
		v = pickNameWord(word, kind, salt, pool, context);
		if (context.memo) remember(context.memo, memoKey, v);
	}
	// the key is the word alone: a first name and a surname must not come out as one word either
	context.claim?.(unit, `name\u0000${v.toLowerCase()}`, salt);
	return context.avoid?.clashes(v) ? avoidingVariant(word, kind, unit, context) : v;
}

/**
 * en-US: a listed name maps through a keyed permutation of its census list, and an unlisted one picks from the
 * spare names (outside every listed name's surrogate); other locales and moved words pick from the pools (the
 * folder job resolves what collides).
 */
function pickNameWord(word: string, kind: NameKind, salt: number, pool: Pools, context: SurrogateContext): string {
	const en = isEnUs(context);
	let v = salt === 0 && en ? permutedName(context.dicts, kind, word, context.hash) : undefined;
	if (v === undefined && salt === 0 && en) v = spareVariant(context.dicts, kind, word, context.hash, 'unlisted');
	if (v === undefined) {
		const list = listOf(salt >= 1 ? pools(context.dicts, context.locale, true) : pool, kind);
		const picker = new Picker(context.hash, salt ? `name\u0000${word}\u0000salt${salt}` : `name\u0000${word}`);
		v = picker.pick(list);
		if (v.toLowerCase() === word) v = picker.pick(list);
	}
	return v;
}

/**
 * This word's surrogate is an original name near it: the note gets a variant of this word alone, a unit of its
 * own for the run-wide check. en-US variants come from the names outside the permutations, so they never land
 * on a listed name's surrogate; past a collision they draw from the wide pools like any moved value.
 */
function avoidingVariant(word: string, kind: NameKind, unit: string, context: SurrogateContext): string {
	const attempt = context.avoid!.salt;
	const variantUnit = `avoid${attempt}\u0000${unit}`;
	const salt = context.saltOf ? context.saltOf(variantUnit) : 0;
	const spare = isEnUs(context) && salt === 0 ? spareVariant(context.dicts, kind, word, context.hash, `variant${attempt}\u0000${kind}`) : undefined;
	const widePool = pools(context.dicts, context.locale, true);
	const v = spare ?? new Picker(context.hash, `name\u0000${word}\u0000avoid${attempt}\u0000salt${salt}`).pick(listOf(widePool, kind));
	context.claim?.(variantUnit, `name\u0000${v.toLowerCase()}`, salt);
	return v;
}
