import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { indexDictionariesFromJson, loadDictionaries } from '../../server/src/node/dictionaries';
import { packDictionaries, unpackDictionaries } from '../../server/src/node/dictionaryPack';
import { root } from '../helpers/cli';

/** Every index field in insertion order, values included (packed tables iterate too, for this test). */
function view(d: Record<keyof ReturnType<typeof indexDictionariesFromJson>, unknown>) {
	const all = (x: unknown) => [...(x as Iterable<unknown>)];
	return {
		firstNames: all(d.firstNames),
		lastNames: all(d.lastNames),
		otherNames: all(d.otherNames),
		englishWords: all(d.englishWords),
		spanishNames: all(d.spanishNames),
		places: all(d.places),
		maxPlaceWords: d.maxPlaceWords,
		placeFirstWords: all(d.placeFirstWords),
		stateAbbreviations: all(d.stateAbbreviations),
		vehicleMakes: all(d.vehicleMakes),
		vehicleModels: all(d.vehicleModels),
	};
}

describe('dictionary pack', () => {
	it('dist/dictionaries.pack exists', () => {
		assert.ok(existsSync(join(root, 'dist', 'dictionaries.pack')));
	});

	it('loads to exactly the index the engine builds from dictionaries.json', () => {
		const fromJson = indexDictionariesFromJson(join(root, 'dist', 'dictionaries.json'));
		const loaded = loadDictionaries();
		assert.deepEqual(view(loaded as never), view(fromJson));
		// look-ups answer as the JS collections do, for words in and out of each list
		const probes = ['smith', 'mary', 'john', 'the', 'boston', 'new york', 'ca', 'rover', 'civic', 'zzqx', '', 'garcía', 'łódź', 'smit', 'smithe'];
		for (const key of ['firstNames', 'lastNames', 'englishWords', 'places'] as const) {
			for (const w of [...probes, ...[...fromJson[key].keys()].filter((_, i) => i % 997 === 0)]) assert.deepEqual(loaded[key].get(w), fromJson[key].get(w), `${key} ${w}`);
		}
		for (const key of ['otherNames', 'spanishNames', 'placeFirstWords', 'stateAbbreviations', 'vehicleMakes', 'vehicleModels'] as const) {
			for (const w of [...probes, ...[...fromJson[key]].filter((_, i) => i % 97 === 0)]) assert.equal(loaded[key].has(w), fromJson[key].has(w), `${key} ${w}`);
			assert.equal(loaded[key].size, fromJson[key].size, key);
		}
		// the raw lists (surrogate pools) come from the JSON on first use, field for field
		const rawKeys = (r: object) => Object.keys(r).filter((k) => k !== 'loadSpanishWords').sort();
		assert.deepEqual(rawKeys(loaded.raw), rawKeys(fromJson.raw));
		for (const k of rawKeys(fromJson.raw)) assert.deepEqual((loaded.raw as never)[k], (fromJson.raw as never)[k], k);
		assert.deepEqual([...(loaded.spanishWords as Set<string>)].slice(0, 1000), [...fromJson.spanishWords].slice(0, 1000));
		assert.equal(loaded.spanishWords.size, fromJson.spanishWords.size);
	});

	it('round-trips entries with characters outside ASCII, separators and line breaks', () => {
		const d = indexDictionariesFromJson(join(root, 'dist', 'dictionaries.json'));
		const odd = ['nguyễn', 'a\nb', '\x1fx', 'y\x1ez', 'łódź', 'plainqzx'];
		const patched = { ...d, otherNames: new Set([...d.otherNames, ...odd]), placeFirstWords: new Set(odd) };
		let rawLoads = 0;
		const packed = packDictionaries(patched);
		const back = unpackDictionaries(packed.slice().buffer, () => (rawLoads++, d.raw), undefined);
		assert.deepEqual([...(back.otherNames as unknown as Iterable<string>)].slice(-odd.length), odd);
		assert.deepEqual([...(back.placeFirstWords as unknown as Iterable<string>)], odd);
		for (const w of odd) assert.ok(back.otherNames.has(w) && back.placeFirstWords.has(w), w);
		assert.ok(!back.placeFirstWords.has('nguyên') && !back.placeFirstWords.has('a\n'));
		assert.equal(rawLoads, 0, 'the raw JSON was parsed before anything asked for it');
		assert.equal(back.raw.states.length, d.raw.states.length);
		assert.equal(rawLoads, 0, 'states are in the pack');
		assert.equal(back.raw.last.length, d.raw.last.length);
		assert.equal(back.raw.firstMale, d.raw.firstMale);
		assert.equal(rawLoads, 1);
	});
});
