import type { Dictionaries } from '../dictionaries';
import type { EntityType } from '../types';
import type { KeyedHash } from './keyed';

export interface SurrogateContext {
	dicts: Dictionaries;
	hash: KeyedHash;
	/** Days to shift dates by (one offset per patient in folder jobs). */
	dateShiftDays: number;
	/** Optional cache of computed surrogates (same key and offset only). */
	memo?: Map<string, string>;
	/** Distinguishes memo entries of differently salted hashes sharing one memo. */
	memoPrefix?: string;
	/** What replaces an age over 89 (default "90+"). */
	ageOver89?: string;
	/** Surrogate locale (en-US default; en-GB, fr-CA, fr-FR, de-DE, es-ES). */
	locale?: string;
	/**
	 * Run-wide uniqueness (folder jobs): the salt of a surrogate unit (0 unless a collision moved it), and a
	 * recorder of every unit's surrogate key. See {@link SURROGATE_UNIT_TYPES}.
	 */
	saltOf?: (unit: string) => number;
	claim?: (unit: string, key: string, salt: number) => void;
	/**
	 * Note-local variants of name words (a word's surrogate is an original near it): `clashes` tells which words
	 * need one; `salt` counts the attempts.
	 */
	avoid?: { salt: number; clashes: (word: string) => boolean };
}

/** Whether surrogates follow the en-US census lists (keyed permutations) rather than picks from locale pools. */
export const isEnUs = (context: SurrogateContext) => (context.locale ?? 'en-US') === 'en-US';
export const isSpanish = (context: SurrogateContext) => (context.locale ?? 'en-US').startsWith('es');

const MEMO_MAX = 60_000;
/** Types whose surrogates are worth remembering: names and places recur; dates, phones and numbers are mostly unique. */
export const MEMO_TYPES: ReadonlySet<EntityType> = new Set([
	'Patient',
	'Doctor',
	'Hospital',
	'Organization',
	'City',
	'Street',
	'State',
	'LocationOther',
	'CountryOrRegion',
	'Profession',
	'Username',
	'Email',
]);
/** Bounded memo: past the limit the oldest quarter goes (unique phones and record numbers would otherwise flush the names). */
export function remember(memo: Map<string, string>, key: string, value: string): void {
	if (memo.size >= MEMO_MAX) {
		let n = MEMO_MAX >> 2;
		for (const oldest of memo.keys()) {
			memo.delete(oldest);
			if (--n <= 0) break;
		}
	}
	memo.set(key, value);
}
