import type { Dictionaries, NameInfo, RawDictionaries } from '../engine';
import { spanishWordsOf } from '../engine/dictionaries';

/**
 * dist/dictionaries.pack: the engine's indexed dictionaries (indexDictionaries' result, computed at build time)
 * as plain text, so start-up builds the maps straight from lists instead of parsing 3 MB of JSON and lower-casing,
 * ranking and de-duplicating 300,000 entries in every process and worker thread.
 *
 * Layout: a header line, then one section per field, each "\x1e<name>\n<body>". A list body is its entries joined
 * with "\n"; an entry holding a character above U+007F is written as "\x1f" + its JSON string, so the file stays
 * ASCII (V8 then keeps every string it yields in one byte a character). A map's values follow in a section of
 * their own: numbers joined with ",", or one letter an entry for small value sets.
 */
const HEADER = 'deid-dictionaries-pack 1';
const PLACE_KINDS = ['City', 'State', 'CountryOrRegion'] as const;
const TIERS_BASE = 48; // '0'

function list(items: Iterable<string>): string {
	const out: string[] = [];
	for (const s of items) {
		if (s.includes('\n') || s.includes('\x1e') || s.startsWith('\x1f') || /[^\u0000-\u007f]/.test(s)) out.push('\x1f' + JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
		else out.push(s);
	}
	return out.join('\n');
}

function unlist(body: string): string[] {
	if (body === '') return [];
	const out = body.split('\n');
	if (body.includes('\x1f')) for (let i = 0; i < out.length; i++) if (out[i].charCodeAt(0) === 0x1f) out[i] = JSON.parse(out[i].slice(1)) as string;
	return out;
}

/** The indexed dictionaries as text (build time). `raw` fields the detectors read without surrogates go along. */
export function packDictionaries(d: Dictionaries): string {
	const sections: [string, string][] = [];
	const names = (key: string, m: ReadonlyMap<string, NameInfo>) => {
		sections.push([key, list(m.keys())]);
		sections.push([key + '.rank', [...m.values()].map((v) => String(v.rank)).join(',')]);
		sections.push([key + '.gender', [...m.values()].map((v) => (v.gender === undefined ? '-' : v.gender)).join('')]);
	};
	names('firstNames', d.firstNames);
	names('lastNames', d.lastNames);
	sections.push(['otherNames', list(d.otherNames)]);
	const tiers = [...new Set(d.englishWords.values())].sort((a, b) => a - b);
	sections.push(['englishWords', list(d.englishWords.keys())]);
	sections.push(['englishWords.tiers', tiers.join(',')]);
	sections.push(['englishWords.tier', [...d.englishWords.values()].map((t) => String.fromCharCode(TIERS_BASE + tiers.indexOf(t))).join('')]);
	sections.push(['spanishNames', list(d.spanishNames)]);
	sections.push(['places', list(d.places.keys())]);
	sections.push(['places.kind', [...d.places.values()].map((k) => String(PLACE_KINDS.indexOf(k))).join('')]);
	sections.push(['maxPlaceWords', String(d.maxPlaceWords)]);
	sections.push(['placeFirstWords', list(d.placeFirstWords)]);
	sections.push(['stateAbbreviations', list(d.stateAbbreviations)]);
	sections.push(['vehicleMakes', list(d.vehicleMakes)]);
	sections.push(['vehicleModels', list(d.vehicleModels)]);
	// small raw lists the detectors read directly (addresses: state names); the rest loads with the JSON on demand
	sections.push(['raw.small', list([JSON.stringify(Object.fromEntries(SMALL_RAW.map((k) => [k, d.raw[k]])))])]);
	for (const [name, body] of sections) if (body.includes('\x1e')) throw new Error(`dictionary pack: section ${name} holds a separator`);
	return HEADER + '\n' + sections.map(([name, body]) => `\x1e${name}\n${body}`).join('\n');
}

/** Raw fields small enough to keep in the pack; the others come from dictionaries.json when first read. */
const SMALL_RAW = ['version', 'states', 'countries', 'vehicleMakes', 'vehicleModels', 'spanishNames', 'spanishWords'] as const;
const BIG_RAW = ['firstMale', 'firstFemale', 'last', 'otherNames', 'englishWords', 'cities', 'locales', 'spareNames'] as const;

/**
 * The Dictionaries the engine would index from the raw lists, built from a pack. `loadRaw` parses the full raw
 * lists (surrogates need them; scanning does not), called at most once; `loadSpanishWords` as in RawDictionaries.
 */
export function unpackDictionaries(text: string, loadRaw: () => RawDictionaries, loadSpanishWords?: () => string): Dictionaries {
	if (!text.startsWith(HEADER + '\n')) throw new Error('dictionary pack: unknown format');
	const sec = new Map<string, string>();
	for (const part of text.slice(HEADER.length + 2).split('\n\x1e')) {
		const nl = part.indexOf('\n');
		sec.set(part.slice(0, nl), part.slice(nl + 1));
	}
	const get = (name: string): string => {
		const v = sec.get(name);
		if (v === undefined) throw new Error(`dictionary pack: section ${name} missing`);
		return v;
	};
	const names = (key: string): Map<string, NameInfo> => {
		const keys = unlist(get(key));
		const ranks = get(key + '.rank').split(',');
		const genders = get(key + '.gender');
		const m = new Map<string, NameInfo>();
		for (let i = 0; i < keys.length; i++) {
			const g = genders.charCodeAt(i);
			m.set(keys[i], g === 0x2d ? { rank: +ranks[i] } : { rank: +ranks[i], gender: g === 0x66 ? 'f' : 'm' });
		}
		return m;
	};
	const englishWords = new Map<string, number>();
	{
		const keys = unlist(get('englishWords'));
		const tiers = get('englishWords.tiers').split(',').map(Number);
		const tier = get('englishWords.tier');
		for (let i = 0; i < keys.length; i++) englishWords.set(keys[i], tiers[tier.charCodeAt(i) - TIERS_BASE]);
	}
	const places = new Map<string, 'City' | 'State' | 'CountryOrRegion'>();
	{
		const keys = unlist(get('places'));
		const kinds = get('places.kind');
		for (let i = 0; i < keys.length; i++) places.set(keys[i], PLACE_KINDS[kinds.charCodeAt(i) - 48]);
	}
	const small = JSON.parse(unlist(get('raw.small'))[0]) as Pick<RawDictionaries, (typeof SMALL_RAW)[number]>;
	// The raw lists: the small ones at once, the big ones (surrogate pools) parsed from the JSON on first use.
	let full: RawDictionaries | undefined;
	const raw = { ...small, loadSpanishWords } as RawDictionaries;
	if (!loadSpanishWords) delete raw.loadSpanishWords;
	for (const key of BIG_RAW) {
		Object.defineProperty(raw, key, {
			enumerable: true,
			configurable: true,
			get() {
				full ??= loadRaw();
				for (const k of BIG_RAW) {
					if (k in full) Object.defineProperty(raw, k, { value: full[k], enumerable: true, configurable: true, writable: true });
					else delete (raw as Partial<RawDictionaries>)[k];
				}
				return full[key];
			},
		});
	}
	return {
		firstNames: names('firstNames'),
		lastNames: names('lastNames'),
		otherNames: new Set(unlist(get('otherNames'))),
		englishWords,
		get spanishWords() {
			// As the engine's index does: built on first use, only Spanish documents need it.
			const set = spanishWordsOf(raw);
			Object.defineProperty(this, 'spanishWords', { value: set });
			return set;
		},
		spanishNames: new Set(unlist(get('spanishNames'))),
		places,
		maxPlaceWords: Number(get('maxPlaceWords')),
		placeFirstWords: new Set(unlist(get('placeFirstWords'))),
		stateAbbreviations: new Set(unlist(get('stateAbbreviations'))),
		vehicleMakes: new Set(unlist(get('vehicleMakes'))),
		vehicleModels: new Set(unlist(get('vehicleModels'))),
		raw,
	};
}
