import type { EntityType } from '../types';
import type { KeyedHash } from './keyed';
import { normalise } from './text';

/**
 * Types whose surrogates come from word lists (names, places, addresses on the web): their uniqueness within a
 * run is checked by the folder job through claims. Identifier shapes, listed states, countries and professions
 * are unique by construction (keyed permutations); dates shift and ages over 89 and ZIP codes generalise, so
 * those are not claimed.
 */
export const SURROGATE_UNIT_TYPES: ReadonlySet<EntityType> = new Set([
	'Patient',
	'Doctor',
	'City',
	'Hospital',
	'Organization',
	'LocationOther',
	'Street',
	'Email',
	'Url',
	'IPAddress',
]);

/** The keyed digest that stands for a surrogate unit or key in claims (never the text itself). */
export function claimDigest(hash: KeyedHash, text: string): string {
	const b = hash(`claim\u0000${text}`);
	let out = '';
	for (let i = 0; i < 12; i++) out += (b[i] < 16 ? '0' : '') + b[i].toString(16);
	return out;
}

const NAME_WORD = /[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu;
const HAS_LETTER = /\p{L}/u;

/**
 * The units a replaced value stands for, in the form surrogate claims take (see verify.ts, which looks for them):
 * each word of a name (as a surname-kind unit, a kind verify always tries), and a place, address or web value
 * whole. For runs that replace values without surrogates (labels, masks), so that verify can still look for them.
 */
export function replacedUnits(type: EntityType, value: string): string[] {
	if (!SURROGATE_UNIT_TYPES.has(type)) return [];
	if (type !== 'Patient' && type !== 'Doctor') return [`${type}\u0000${normalise(value)}`];
	const out: string[] = [];
	for (const m of value.matchAll(NAME_WORD)) if (m[0].length > 2 && HAS_LETTER.test(m[0])) out.push(`name\u0000s\u0000${m[0].toLowerCase()}`);
	return out;
}
