import type { EntityType } from '../types';
import type { KeyedHash } from './keyed';

/**
 * Types whose surrogates come from word lists (names, places, addresses on the web): their uniqueness within a
 * run is checked by the folder job through claims. Identifier shapes, listed states, countries and professions
 * are unique by construction (keyed permutations); dates shift and ages over 89 and ZIP codes generalise, so
 * those are not claimed.
 */
export const SURROGATE_UNIT_TYPES: ReadonlySet<EntityType> = new Set(['Patient', 'Doctor', 'City', 'Hospital', 'Organization', 'LocationOther', 'Street', 'Email', 'Url', 'IPAddress']);

/** The keyed digest that stands for a surrogate unit or key in claims (never the text itself). */
export function claimDigest(hash: KeyedHash, text: string): string {
	const b = hash(`claim\u0000${text}`);
	let out = '';
	for (let i = 0; i < 12; i++) out += (b[i] < 16 ? '0' : '') + b[i].toString(16);
	return out;
}
