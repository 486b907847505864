import type { Dictionaries, NameInfo, RawDictionaries } from '../engine';
import { spanishWordsOf, type IndexedDictionaries } from '../engine/dictionaries';
import { buildTable, PackedMap, PackedSet } from './packedTable';

/**
 * dist/dictionaries.pack: the engine's indexed dictionaries (indexDictionaries' result, computed at build time)
 * as packed hash tables (packedTable.ts), so start-up maps one file and builds nothing: no JSON to parse, no
 * 300,000 entries to lower-case, rank, de-duplicate, hash and promote in every process and worker thread.
 *
 * Layout: MAGIC, a uint32 (little-endian) header length, a JSON header giving each array's type, byte offset
 * (from the data start) and length, and the few plain values; then the arrays, each at a multiple of 8 bytes.
 */
const MAGIC = 'DEIDPK2\n';
const PLACE_KINDS = ['City', 'State', 'CountryOrRegion'] as const;
const GENDERS = [undefined, 'm', 'f'] as const;
const SETS = ['otherNames', 'spanishNames', 'placeFirstWords', 'stateAbbreviations', 'vehicleMakes', 'vehicleModels'] as const;

/** Raw fields small enough to keep in the pack; the others come from dictionaries.json when first read. */
const SMALL_RAW = ['version', 'states', 'countries', 'vehicleMakes', 'vehicleModels', 'spanishNames', 'spanishWords'] as const;
const BIG_RAW = ['firstMale', 'firstFemale', 'last', 'otherNames', 'englishWords', 'cities', 'locales', 'spareNames'] as const;

const ARRAYS = { u8: Uint8Array, u16: Uint16Array, u32: Uint32Array } as const;
type ArrayType = keyof typeof ARRAYS;
type AnyArray = Uint8Array | Uint16Array | Uint32Array;
interface Header {
	arrays: Record<string, [type: ArrayType, offset: number, length: number]>;
	maxPlaceWords: number;
	rawSmall: Pick<RawDictionaries, (typeof SMALL_RAW)[number]>;
}

/** The indexed dictionaries as a pack (build time). `raw` fields the detectors read without surrogates go along. */
export function packDictionaries(d: IndexedDictionaries): Uint8Array {
	const arrays: [string, AnyArray][] = [];
	const table = (key: string, keys: Iterable<string>) => {
		const t = buildTable([...keys]);
		arrays.push([`${key}.chars`, t.chars], [`${key}.offsets`, t.offsets], [`${key}.slots`, t.slots]);
	};
	for (const key of ['firstNames', 'lastNames'] as const) {
		table(key, d[key].keys());
		arrays.push([`${key}.rank`, Uint32Array.from(d[key].values(), (v) => v.rank)]);
		arrays.push([`${key}.gender`, Uint8Array.from(d[key].values(), (v) => GENDERS.indexOf(v.gender))]);
	}
	table('englishWords', d.englishWords.keys());
	if ([...d.englishWords.values()].some((t) => t !== (t & 0xff))) throw new Error('dictionary pack: a tier does not fit a byte');
	arrays.push(['englishWords.tier', Uint8Array.from(d.englishWords.values())]);
	table('places', d.places.keys());
	arrays.push(['places.kind', Uint8Array.from(d.places.values(), (k) => PLACE_KINDS.indexOf(k))]);
	for (const key of SETS) table(key, d[key]);

	const header: Header = {
		arrays: {},
		maxPlaceWords: d.maxPlaceWords,
		rawSmall: Object.fromEntries(SMALL_RAW.map((k) => [k, d.raw[k]])) as Header['rawSmall'],
	};
	let at = 0;
	for (const [name, a] of arrays) {
		header.arrays[name] = [a instanceof Uint8Array ? 'u8' : a instanceof Uint16Array ? 'u16' : 'u32', at, a.length];
		at += Math.ceil(a.byteLength / 8) * 8;
	}
	const json = Buffer.from(JSON.stringify(header), 'utf8');
	const dataStart = Math.ceil((MAGIC.length + 4 + json.length) / 8) * 8;
	const out = new Uint8Array(dataStart + at);
	out.set(Buffer.from(MAGIC, 'latin1'), 0);
	new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
	out.set(json, MAGIC.length + 4);
	for (const [name, a] of arrays) out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), dataStart + header.arrays[name][1]);
	return out;
}

/**
 * The Dictionaries the engine would index from the raw lists, over a pack's bytes (in an ArrayBuffer or a
 * SharedArrayBuffer of its own, from offset 0; nothing is copied). `loadRaw` parses the full raw lists (surrogates
 * need them; scanning does not), called at most once; `loadSpanishWords` as in RawDictionaries.
 */
export function unpackDictionaries(memory: ArrayBufferLike, loadRaw: () => RawDictionaries, loadSpanishWords?: () => string): Dictionaries {
	const bytes = new Uint8Array(memory);
	if (bytes.length < MAGIC.length + 4 || Buffer.from(bytes.subarray(0, MAGIC.length)).toString('latin1') !== MAGIC)
		throw new Error('dictionary pack: unknown format');
	const length = bytes[MAGIC.length] | (bytes[MAGIC.length + 1] << 8) | (bytes[MAGIC.length + 2] << 16) | (bytes[MAGIC.length + 3] << 24);
	const header = JSON.parse(Buffer.from(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + length)).toString('utf8')) as Header;
	const dataStart = Math.ceil((MAGIC.length + 4 + length) / 8) * 8;
	const array = (name: string): AnyArray => {
		const a = header.arrays[name];
		if (!a || !(a[0] in ARRAYS)) throw new Error(`dictionary pack: array ${name} missing`);
		const [type, offset, count] = a;
		if (dataStart + offset + count * ARRAYS[type].BYTES_PER_ELEMENT > memory.byteLength) throw new Error(`dictionary pack: array ${name} out of bounds`);
		// one constructor call per type: TypeScript cannot type a call through the union of constructors
		if (type === 'u8') return new Uint8Array(memory, dataStart + offset, count);
		return type === 'u16' ? new Uint16Array(memory, dataStart + offset, count) : new Uint32Array(memory, dataStart + offset, count);
	};
	const set = (key: string) =>
		new PackedSet({
			chars: array(`${key}.chars`) as Uint8Array | Uint16Array,
			offsets: array(`${key}.offsets`) as Uint32Array,
			slots: array(`${key}.slots`) as Uint32Array,
		});
	const names = (key: string): PackedMap<NameInfo> => {
		const rank = array(`${key}.rank`);
		const gender = array(`${key}.gender`);
		return new PackedMap(set(key), (i) => (gender[i] ? { rank: rank[i], gender: GENDERS[gender[i]] } : { rank: rank[i] }), true);
	};
	const tier = array('englishWords.tier');
	const kind = array('places.kind');
	// The raw lists: the small ones at once, the big ones (surrogate pools) parsed from the JSON on first use.
	let full: RawDictionaries | undefined;
	const raw = { ...header.rawSmall, loadSpanishWords } as RawDictionaries;
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
		otherNames: set('otherNames'),
		englishWords: new PackedMap(set('englishWords'), (i) => tier[i]),
		get spanishWords() {
			// As the engine's index does: built on first use, only Spanish documents need it.
			const words = spanishWordsOf(raw);
			Object.defineProperty(this, 'spanishWords', { value: words });
			return words;
		},
		spanishNames: set('spanishNames'),
		places: new PackedMap(set('places'), (i) => PLACE_KINDS[kind[i]]),
		maxPlaceWords: header.maxPlaceWords,
		placeFirstWords: set('placeFirstWords'),
		stateAbbreviations: set('stateAbbreviations'),
		vehicleMakes: set('vehicleMakes'),
		vehicleModels: set('vehicleModels'),
		raw,
	};
}
