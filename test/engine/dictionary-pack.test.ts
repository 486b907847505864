import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { indexDictionariesFromJson, loadDictionaries } from '../../server/src/node/dictionaries';
import { packDictionaries, unpackDictionaries } from '../../server/src/node/dictionaryPack';
import { root } from '../helpers/cli';

/** Every index field in insertion order, values included: what the engine could observe. */
function view(d: ReturnType<typeof loadDictionaries>) {
	return {
		firstNames: [...d.firstNames],
		lastNames: [...d.lastNames],
		otherNames: [...d.otherNames],
		englishWords: [...d.englishWords],
		spanishNames: [...d.spanishNames],
		places: [...d.places],
		maxPlaceWords: d.maxPlaceWords,
		placeFirstWords: [...d.placeFirstWords],
		stateAbbreviations: [...d.stateAbbreviations],
		vehicleMakes: [...d.vehicleMakes],
		vehicleModels: [...d.vehicleModels],
	};
}

describe('dictionary pack', () => {
	it('dist/dictionaries.pack exists and is ASCII', () => {
		assert.ok(existsSync(join(root, 'dist', 'dictionaries.pack')));
	});

	it('loads to exactly the index the engine builds from dictionaries.json', () => {
		const fromJson = indexDictionariesFromJson(join(root, 'dist', 'dictionaries.json'));
		const loaded = loadDictionaries();
		assert.deepEqual(view(loaded), view(fromJson));
		// the raw lists (surrogate pools) come from the JSON on first use, field for field
		const rawKeys = (r: object) => Object.keys(r).filter((k) => k !== 'loadSpanishWords').sort();
		assert.deepEqual(rawKeys(loaded.raw), rawKeys(fromJson.raw));
		for (const k of rawKeys(fromJson.raw)) assert.deepEqual((loaded.raw as never)[k], (fromJson.raw as never)[k], k);
		assert.deepEqual([...loaded.spanishWords].slice(0, 1000), [...fromJson.spanishWords].slice(0, 1000));
		assert.equal(loaded.spanishWords.size, fromJson.spanishWords.size);
	});

	it('round-trips entries with characters outside ASCII, separators and line breaks', () => {
		const d = indexDictionariesFromJson(join(root, 'dist', 'dictionaries.json'));
		const odd = ['nguyễn', 'a\nb', '\x1fx', 'y\x1ez', 'łódź', 'plainqzx'];
		const patched = { ...d, otherNames: new Set([...d.otherNames, ...odd]), placeFirstWords: new Set(odd) };
		let rawLoads = 0;
		const back = unpackDictionaries(packDictionaries(patched), () => (rawLoads++, d.raw), undefined);
		assert.deepEqual([...back.otherNames].slice(-odd.length), odd);
		assert.deepEqual([...back.placeFirstWords], odd);
		assert.equal(rawLoads, 0, 'the raw JSON was parsed before anything asked for it');
		assert.equal(back.raw.states.length, d.raw.states.length);
		assert.equal(rawLoads, 0, 'states are in the pack');
		assert.equal(back.raw.last.length, d.raw.last.length);
		assert.equal(back.raw.firstMale, d.raw.firstMale);
		assert.equal(rawLoads, 1);
	});
});
