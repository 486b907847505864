/**
 * Dictionaries the detectors use. The engine never loads them itself: the caller hands in the raw lists
 * (built from registry packages by scripts/build-dicts.mjs) and the engine indexes them once.
 */
export interface RawDictionaries {
	version: number;
	/** First names, most frequent first. */
	firstMale: string[];
	firstFemale: string[];
	/** Surnames, most frequent first. */
	last: string[];
	/** Other person names (given or family) without frequency. */
	otherNames: string[];
	/** Lower-case English words by frequency tier (10 = most common ... 70 = rare). */
	englishWords: Record<string, string[]>;
	/** Lower-case Spanish words (a spelling list), if available. */
	spanishWords?: string[];
	/** Returns more Spanish words, newline-separated; called once, the first time a Spanish text is scanned. */
	loadSpanishWords?: () => string;
	/** Spanish given names and surnames (locale data). */
	spanishNames?: string[];
	/** City names (original case). */
	cities: string[];
	/** [name, abbreviation] of US states and territories. */
	states: [string, string][];
	/** Country and region names. */
	countries: string[];
	/** Surrogate pools per locale tag (en-US, en-GB, fr-CA, fr-FR, de-DE, es-ES). */
	locales?: Record<string, SurrogateLocale>;
	/** Given names and surnames of many locales (Latin script): spare surrogate names outside the census lists. */
	spareNames?: { male: string[]; female: string[]; last: string[] };
	/** Vehicle makes ("Honda") and models ("Civic"): words of a car's description, never a person's name there. */
	vehicleMakes?: string[];
	vehicleModels?: string[];
}

export interface SurrogateLocale {
	female: string[];
	male: string[];
	last: string[];
	cities: string[];
	/** Street types of the locale ("Avenue", "Calle"). */
	streetTypes?: string[];
	/** Company forms of the locale ("LLC", "S.L."). */
	companySuffixes?: string[];
}

export const SURROGATE_LOCALES = ['en-US', 'en-GB', 'fr-CA', 'fr-FR', 'de-DE', 'es-ES'] as const;

export interface NameInfo {
	/** Frequency rank, 1 = most common. */
	rank: number;
	gender?: 'm' | 'f';
}

/** What detectors ask of a word list: membership. A JS Set, or a packed table read from the build's pack. */
export interface WordSet {
	has(word: string): boolean;
	readonly size: number;
}

/** A word list with a value per word. A JS Map, or a packed table. */
export interface WordMap<V> extends WordSet {
	get(word: string): V | undefined;
}

export type PlaceKind = 'City' | 'State' | 'CountryOrRegion';

export interface Dictionaries {
	firstNames: WordMap<NameInfo>;
	lastNames: WordMap<NameInfo>;
	otherNames: WordSet;
	/** Lower-case word → frequency tier. */
	englishWords: WordMap<number>;
	spanishWords: WordSet;
	spanishNames: WordSet;
	/** Lower-case place name (single or multi word) → kind. */
	places: WordMap<PlaceKind>;
	/** Longest place name in words (for greedy matching). */
	maxPlaceWords: number;
	/** First words of all place names (a cheap test before building multi-word keys). */
	placeFirstWords: WordSet;
	stateAbbreviations: WordSet;
	/** Lower-case vehicle makes (single words of them too: "rover") and models. */
	vehicleMakes: WordSet;
	vehicleModels: WordSet;
	/** Raw lists, for surrogate generation. */
	raw: RawDictionaries;
}

/** The dictionaries as indexDictionaries builds them, in JS collections (the build packs them from these). */
export interface IndexedDictionaries extends Dictionaries {
	firstNames: ReadonlyMap<string, NameInfo>;
	lastNames: ReadonlyMap<string, NameInfo>;
	otherNames: ReadonlySet<string>;
	englishWords: ReadonlyMap<string, number>;
	spanishWords: ReadonlySet<string>;
	spanishNames: ReadonlySet<string>;
	places: ReadonlyMap<string, PlaceKind>;
	placeFirstWords: ReadonlySet<string>;
	stateAbbreviations: ReadonlySet<string>;
	vehicleMakes: ReadonlySet<string>;
	vehicleModels: ReadonlySet<string>;
}

/** A word (lower case) in the census first-name or surname lists or the other names. */
export function isListedName(d: Dictionaries, lower: string): boolean {
	return d.firstNames.has(lower) || d.lastNames.has(lower) || d.otherNames.has(lower);
}

/** The Spanish word list: the raw list and the lines of the separately loaded file. */
export function spanishWordsOf(raw: RawDictionaries): Set<string> {
	const extra = raw.loadSpanishWords?.() ?? '';
	return new Set<string>([...(raw.spanishWords ?? []), ...(extra ? extra.split('\n') : [])]);
}

export function indexDictionaries(raw: RawDictionaries): IndexedDictionaries {
	const englishWords = new Map<string, number>();
	for (const [tier, words] of Object.entries(raw.englishWords)) {
		const t = Number(tier);
		for (const w of words) {
			const prev = englishWords.get(w);
			if (prev === undefined || prev > t) englishWords.set(w, t);
		}
	}
	// Census first-name lists hold rare entries that are everyday words ("In", "See", "Son"); a very common word
	// is kept as a first name only when it is also a common name (Will, Mark, Rose).
	const keepFirst = (k: string, rank: number) => !((englishWords.get(k) ?? 99) <= 35 && rank > 400);
	const firstNames = new Map<string, NameInfo>();
	raw.firstFemale.forEach((n, i) => {
		const k = n.toLowerCase();
		if (keepFirst(k, i + 1)) firstNames.set(k, { rank: i + 1, gender: 'f' });
	});
	raw.firstMale.forEach((n, i) => {
		const k = n.toLowerCase();
		if (!keepFirst(k, i + 1)) return;
		const prev = firstNames.get(k);
		if (!prev || prev.rank > i + 1) firstNames.set(k, { rank: i + 1, gender: 'm' });
	});
	const lastNames = new Map<string, NameInfo>();
	raw.last.forEach((n, i) => {
		const k = n.toLowerCase();
		if (!lastNames.has(k)) lastNames.set(k, { rank: i + 1 });
	});
	const otherNames = new Set(raw.otherNames.map((n) => n.toLowerCase()));
	const places = new Map<string, 'City' | 'State' | 'CountryOrRegion'>();
	let maxPlaceWords = 1;
	const addPlace = (name: string, kind: 'City' | 'State' | 'CountryOrRegion') => {
		const key = name.toLowerCase().replace(/\s+/g, ' ').trim();
		if (!key) return;
		const prev = places.get(key);
		// Countries and states outrank cities of the same name.
		if (prev && (prev === 'CountryOrRegion' || (prev === 'State' && kind === 'City'))) return;
		places.set(key, kind);
		maxPlaceWords = Math.max(maxPlaceWords, key.split(' ').length);
	};
	for (const c of raw.cities) addPlace(c, 'City');
	for (const [name] of raw.states) addPlace(name, 'State');
	for (const c of raw.countries) addPlace(c, 'CountryOrRegion');
	return {
		firstNames,
		lastNames,
		otherNames,
		englishWords,
		get spanishWords() {
			// Indexed lazily: only Spanish documents need it.
			const set = spanishWordsOf(raw);
			Object.defineProperty(this, 'spanishWords', { value: set });
			return set;
		},
		spanishNames: new Set((raw.spanishNames ?? []).map((n) => n.toLowerCase())),
		places,
		maxPlaceWords: Math.min(maxPlaceWords, 4),
		placeFirstWords: new Set([...places.keys()].map((k) => k.split(' ')[0].replace(/\.$/, ''))),
		stateAbbreviations: new Set(raw.states.map(([, a]) => a)),
		// "Land Rover", "Mercedes Benz": each word of a make stands for it next to a year or a model
		vehicleMakes: new Set((raw.vehicleMakes ?? []).flatMap((n) => [n.toLowerCase(), ...n.toLowerCase().split(/\s+/).filter((w) => w.length >= 3)])),
		vehicleModels: new Set((raw.vehicleModels ?? []).map((n) => n.toLowerCase())),
		raw,
	};
}
