import { PROFESSIONS_EN, PROFESSIONS_ES } from '../detect/lexicon';
import type { EntityType } from '../types';
import { SURROGATE_UNIT_TYPES } from './claims';
import { isEnUs, MEMO_TYPES, remember, type SurrogateContext } from './context';
import { shiftDate } from './dates';
import { facilitySurrogate } from './facilities';
import { shapeSurrogate } from './fpe';
import { permuteIndex, Picker } from './keyed';
import { personSurrogate } from './names';
import { permuted, pools, type Pools } from './pools';
import { streetValueSurrogate } from './streets';
import { applyCase, normalise } from './text';

/**
 * Three-digit ZIP prefixes whose areas held 20,000 people or fewer (HHS de-identification guidance, 2000 census):
 * under Safe Harbor they become 000.
 */
export const RESTRICTED_ZIP3: ReadonlySet<string> = new Set([
	'036',
	'059',
	'063',
	'102',
	'203',
	'556',
	'692',
	'790',
	'821',
	'823',
	'830',
	'831',
	'878',
	'879',
	'884',
	'890',
	'893',
]);

/** A realistic replacement for one value; the same (type, value) under the same key always gets the same one. */
export function surrogateFor(type: EntityType, original: string, context: SurrogateContext): string {
	// names are claimed word by word (inside), so with a recorder they skip the whole-value memo
	const person = type === 'Patient' || type === 'Doctor';
	const unitType = SURROGATE_UNIT_TYPES.has(type) && !person;
	const norm = person ? '' : normalise(original);
	const unit = unitType ? `${type}\u0000${norm}` : '';
	const salt = unitType && context.saltOf ? context.saltOf(unit) : 0;
	const memo = MEMO_TYPES.has(type) && !(person && (context.claim || context.saltOf || context.avoid)) ? context.memo : undefined;
	let v: string | undefined;
	let memoKey = '';
	if (memo) {
		// only dates depend on the offset: other types share entries across patients
		memoKey = `${context.memoPrefix ?? ''}${type}\u0000${type === 'Date' ? context.dateShiftDays : ''}\u0000${context.locale ?? ''}\u0000${salt}\u0000${original}`;
		v = memo.get(memoKey);
	}
	if (v === undefined) {
		v = computeSurrogate(type, original, norm, salt, context);
		if (memo) remember(memo, memoKey, v);
	}
	if (unitType && context.claim) context.claim(unit, `${type}\u0000${normalise(v)}`, salt);
	return v;
}

/** What one value's surrogate is computed from. */
interface Value {
	original: string;
	/** The value normalised ('' for names, which go word by word). */
	norm: string;
	/** 0, or the attempt after a run-wide collision moved the value. */
	salt: number;
	picker: Picker;
	pool: Pools;
	context: SurrogateContext;
}

function computeSurrogate(type: EntityType, original: string, norm: string, salt: number, context: SurrogateContext): string {
	const picker = new Picker(context.hash, salt ? `${type}\u0000${norm}\u0000salt${salt}` : `${type}\u0000${norm}`);
	const pool = pools(context.dicts, context.locale, salt >= 1);
	const value: Value = { original, norm, salt, picker, pool, context };
	switch (type) {
		case 'Patient':
		case 'Doctor':
			return personSurrogate(original, pool, context);
		case 'Date':
			return shiftDate(original, context.dateShiftDays) ?? shapeSurrogate(original, context.hash);
		case 'Age':
			return ageSurrogate(original, context);
		case 'Zip':
			return zipSurrogate(original, context);
		case 'City':
			return citySurrogate(value);
		case 'State':
			return stateSurrogate(value);
		case 'CountryOrRegion':
			return applyCase(original, permuted(context.dicts.raw.countries, norm, context.hash, 'country') ?? pickOther(value, context.dicts.raw.countries));
		case 'Hospital':
		case 'Organization':
		case 'LocationOther':
			return facilitySurrogate(type, original, salt, picker, pool, context);
		case 'Street':
			return streetValueSurrogate(original, norm, picker, pool, context);
		case 'Email':
			return `${picker.pick(pool.female).toLowerCase()}.${picker.pick(pool.surnames).toLowerCase()}@example.${picker.pick(['com', 'org', 'net'])}`;
		case 'Url':
			return urlSurrogate(picker);
		case 'IPAddress':
			// the documentation ranges (RFC 5737, RFC 3849)
			return original.includes(':')
				? `2001:db8::${picker.int(65535).toString(16)}`
				: `${picker.pick(['192.0.2', '198.51.100', '203.0.113'])}.${1 + picker.int(254)}`;
		case 'Profession':
			return professionSurrogate(value);
		default:
			return shapeSurrogate(original, context.hash);
	}
}

/** A pick from the list that is not the value itself (a few tries). */
function pickOther({ picker, norm }: Value, list: readonly string[]): string {
	let v = picker.pick(list);
	for (let k = 0; k < 4 && v.toLowerCase() === norm; k++) v = picker.pick(list);
	return v;
}

/** Only the number changes: its unit word stays ("67 años" → "23 años", "4 y/o", "18 meses"). */
function ageSurrogate(original: string, context: SurrogateContext): string {
	const n = Number(/\d+/.exec(original)?.[0] ?? NaN);
	if (n > 89) return original.replace(/\d+/, context.ageOver89 ?? '90+');
	if (!(n >= 0)) return original;
	let first = true;
	return original.replace(/\d+/g, (d) => {
		if (!first) return shapeSurrogate(d, context.hash);
		first = false;
		// a keyed permutation of 0..89: two ages never share a surrogate, and none keeps its own
		return String(permuteIndex(n, 90, context.hash, 'age'));
	});
}

/** HIPAA Safe Harbor: keep the first three digits unless that area has 20,000 people or fewer (then 000). */
function zipSurrogate(original: string, context: SurrogateContext): string {
	const m = /^(\d{3})(\d{2})(-\d{4})?$/.exec(original.trim());
	if (!m) return shapeSurrogate(original, context.hash);
	const prefix = RESTRICTED_ZIP3.has(m[1]) ? '000' : m[1];
	return `${prefix}00${m[3] ? '-0000' : ''}`;
}

function citySurrogate(value: Value): string {
	const { original, norm, salt, pool, context } = value;
	const listed = salt === 0 && isEnUs(context) ? permuted(context.dicts.raw.cities, norm, context.hash, 'city') : undefined;
	return applyCase(original, listed ?? pickOther(value, pool.cities));
}

/** A listed state (by name or abbreviation) maps through a keyed permutation of the list: two states never share. */
function stateSurrogate({ original, norm, picker, context }: Value): string {
	const states = context.dicts.raw.states;
	const at = states.findIndex(([name, abbreviation]) => name.toLowerCase() === norm || abbreviation.toLowerCase() === norm);
	const state = at >= 0 ? states[permuteIndex(at, states.length, context.hash, 'state')] : picker.pick(states);
	return /^[A-Z]{2}$/.test(original) ? state[1] : applyCase(original, state[0]);
}

function urlSurrogate(picker: Picker): string {
	let path = '';
	for (let i = 0; i < 6; i++) path += String.fromCharCode(97 + picker.int(26));
	return `https://www.example.${picker.pick(['com', 'org', 'net'])}/${path}`;
}

/** A listed profession maps through a keyed permutation of its language's list: two never share one. */
function professionSurrogate({ original, norm, picker, context }: Value): string {
	const es = PROFESSIONS_ES.includes(norm);
	const out = permuted(es ? PROFESSIONS_ES : PROFESSIONS_EN, norm, context.hash, es ? 'profession es' : 'profession');
	return applyCase(original, out ?? picker.pick(PROFESSIONS_EN));
}
