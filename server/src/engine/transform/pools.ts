import type { Dictionaries } from '../dictionaries';
import { permuteIndex, Picker, type KeyedHash } from './keyed';

export interface Pools {
	male: readonly string[];
	female: readonly string[];
	surnames: readonly string[];
	placeWords: readonly string[];
	cities: readonly string[];
	/** The locale's street types that read as such ("Avenue", "Calle") and company forms ("LLC", "S.L."). */
	streetTypes: readonly string[];
	companySuffixes: readonly string[];
}
/** Street types common enough to read as a street's ("Avenue", "Calle", "Paseo"). */
const COMMON_STREET_TYPES: ReadonlySet<string> = new Set([
	'street',
	'avenue',
	'road',
	'drive',
	'lane',
	'court',
	'place',
	'boulevard',
	'way',
	'circle',
	'terrace',
	'parkway',
	'calle',
	'avenida',
	'plaza',
	'paseo',
	'camino',
	'ronda',
	'travesía',
	'carretera',
	'rue',
	'chemin',
	'allée',
	'boulevard',
	'straße',
	'weg',
	'gasse',
	'platz',
	'allee',
]);
const POOLS = new WeakMap<Dictionaries, Map<string, Pools>>();

type NamePools = Omit<Pools, 'streetTypes' | 'companySuffixes'>;

function namePools(d: Dictionaries, locale: string, wide: boolean): NamePools {
	const data = locale === 'en-US' ? undefined : d.raw.locales?.[locale];
	const own = data && data.last.length && data.female.length && data.male.length ? data : undefined;
	if (wide) {
		const join = (a: readonly string[] | undefined, b: readonly string[]) => [...new Set([...(a ?? []), ...b])];
		// first names run out first (a few thousand): past the census lists, any name will do
		const names = join(d.raw.firstMale, join(d.raw.firstFemale, d.raw.last));
		return {
			male: join(own?.male, names),
			female: join(own?.female, names),
			surnames: join(own?.last, d.raw.last),
			placeWords: join(own?.last, d.raw.last),
			cities: join(own?.cities, d.raw.cities),
		};
	}
	return own
		? { male: own.male, female: own.female, surnames: own.last, placeWords: own.last, cities: own.cities.length ? own.cities : d.raw.cities }
		: {
				male: d.raw.firstMale,
				female: d.raw.firstFemale,
				surnames: d.raw.last.slice(0, 20000),
				placeWords: d.raw.last.slice(0, 10000),
				cities: d.raw.cities,
			};
}

/**
 * Surrogate pools per locale, computed once per dictionary set (this is the hot path of folder jobs). en-US uses
 * the census lists; other locales use their locale data where it exists. A value a run-wide collision moved
 * (salt 1 and up) draws from the wide pools: every name the census lists.
 */
export function pools(d: Dictionaries, locale = 'en-US', wide = false): Pools {
	let byLocale = POOLS.get(d);
	if (!byLocale) POOLS.set(d, (byLocale = new Map()));
	const id = wide ? `${locale}\u0000wide` : locale;
	let found = byLocale.get(id);
	if (!found) {
		// street types that read as such (the locale lists hold "Burgs", "Extramuros"); company forms as listed
		const data = d.raw.locales?.[locale] ?? d.raw.locales?.['en-US'];
		const streetTypes = (data?.streetTypes ?? []).filter((t) => COMMON_STREET_TYPES.has(t.toLowerCase()));
		found = {
			...namePools(d, locale, wide),
			streetTypes: streetTypes.length ? streetTypes : ['Street', 'Avenue', 'Road'],
			companySuffixes: data?.companySuffixes ?? [],
		};
		byLocale.set(id, found);
	}
	return found;
}

interface UniqueList {
	list: string[];
	at: Map<string, number>;
}
/** Dictionary lists without case duplicates, and each name's place in them (for {@link permuteIndex}). */
const UNIQUE = new WeakMap<readonly string[], UniqueList>();
function uniqueList(list: readonly string[]): UniqueList {
	let unique = UNIQUE.get(list);
	if (!unique) {
		const at = new Map<string, number>();
		const out: string[] = [];
		for (const x of list) {
			const key = x.toLowerCase();
			if (!at.has(key)) (at.set(key, out.length), out.push(x));
		}
		UNIQUE.set(list, (unique = { list: out, at }));
	}
	return unique;
}

/** Female first names, male first names, surnames. */
export type NameKind = 'f' | 'm' | 's';
interface NameTarget {
	from: UniqueList;
	to: string[];
	spare: string[];
}

/**
 * The census name lists as surrogate targets: female first names map onto the female list, male first names
 * onto the male list less the names it shares with the female list, surnames onto the surname list less every
 * first name. The places those leave empty are filled with other names from the dictionaries (listed as neither),
 * so each list keeps its size and the three never share a word: a first name and a surname never come out as one
 * word. A name keeps its place where it stays, so no name maps to itself.
 */
const NAME_TARGETS = new WeakMap<Dictionaries, Record<NameKind, NameTarget>>();
export function nameTargets(dicts: Dictionaries): Record<NameKind, NameTarget> {
	let targets = NAME_TARGETS.get(dicts);
	if (!targets) NAME_TARGETS.set(dicts, (targets = buildNameTargets(dicts)));
	return targets;
}

function buildNameTargets(dicts: Dictionaries): Record<NameKind, NameTarget> {
	const raw = dicts.raw;
	const female = uniqueList(raw.firstFemale);
	const male = uniqueList(raw.firstMale);
	const surnames = uniqueList(raw.last);
	const listed = (w: string) => female.at.has(w) || male.at.has(w) || surnames.at.has(w);
	// spare words already given out (as padding or as another kind's spares)
	const used = new Set<string>();
	const spare = (candidates: Iterable<string>) => {
		const seen = new Set<string>();
		const out: string[] = [];
		for (const c of candidates) {
			const w = c.toLowerCase();
			if (/^\p{L}{3,}$/u.test(c) && !listed(w) && !seen.has(w) && !used.has(w)) (seen.add(w), out.push(c));
		}
		return out;
	};
	const fill = (from: UniqueList, taken: (w: string) => boolean, padding: string[]) => {
		let k = 0;
		return from.list.map((w) => {
			if (!taken(w.toLowerCase()) || k >= padding.length) return w;
			used.add(padding[k].toLowerCase());
			return padding[k++];
		});
	};
	const locales = Object.values(raw.locales ?? {});
	const more = raw.spareNames;
	const femaleSpare = spare([...locales.flatMap((l) => l.female), ...(more?.female ?? [])]);
	femaleSpare.forEach((w) => used.add(w.toLowerCase()));
	const malePadding = spare([...locales.flatMap((l) => l.male), ...(more?.male ?? [])]);
	const maleTo = fill(male, (w) => female.at.has(w), malePadding);
	const maleSpare = malePadding.filter((w) => !used.has(w.toLowerCase()));
	maleSpare.forEach((w) => used.add(w.toLowerCase()));
	const surnamePadding = spare([...locales.flatMap((l) => l.last), ...(more?.last ?? []), ...raw.otherNames]);
	const surnameTo = fill(surnames, (w) => female.at.has(w) || male.at.has(w), surnamePadding);
	// what the padding left over: the words note-local variants are drawn from (outside every permutation)
	const surnameSpare = surnamePadding.filter((w) => !used.has(w.toLowerCase()));
	return {
		f: { from: female, to: female.list, spare: femaleSpare },
		m: { from: male, to: maleTo, spare: maleSpare },
		s: { from: surnames, to: surnameTo, spare: surnameSpare },
	};
}

/** The surrogate of a census name word of one kind (en-US, salt 0), or undefined when the word is not listed. */
export function permutedName(dicts: Dictionaries, kind: NameKind, word: string, hash: KeyedHash): string | undefined {
	const target = nameTargets(dicts)[kind];
	const i = target.from.at.get(word);
	return i === undefined ? undefined : target.to[permuteIndex(i, target.to.length, hash, `name\u0000${kind}`)];
}

/**
 * A note-local variant of a name word from the spare names of its kind (en-US): a listed name within the spare
 * list's size maps through a keyed permutation of it, so two such variants never share a word; other words pick.
 */
export function spareVariant(dicts: Dictionaries, kind: NameKind, word: string, hash: KeyedHash, label: string): string | undefined {
	const target = nameTargets(dicts)[kind];
	if (target.spare.length === 0) return undefined;
	const i = target.from.at.get(word);
	if (i !== undefined && i < target.spare.length) return target.spare[permuteIndex(i, target.spare.length, hash, label)];
	const picker = new Picker(hash, `${label}\u0000${word}`);
	let v = picker.pick(target.spare);
	if (v.toLowerCase() === word) v = picker.pick(target.spare);
	return v;
}

/** The dictionary surrogate of a dictionary word (en-US, salt 0), or undefined when the word is not listed. */
export function permuted(list: readonly string[], word: string, hash: KeyedHash, label: string): string | undefined {
	const unique = uniqueList(list);
	const i = unique.at.get(word);
	return i === undefined ? undefined : unique.list[permuteIndex(i, unique.list.length, hash, label)];
}
