import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { indexDictionaries, type Dictionaries, type RawDictionaries } from '../engine';

let cached: Dictionaries | undefined;

/** Where dist/dictionaries.json is: beside the bundle, or in dist/ above it (tests), or $DEID_DICTIONARIES. */
export function dictionariesPath(from = __dirname): string {
	if (process.env.DEID_DICTIONARIES) return process.env.DEID_DICTIONARIES;
	let dir = from;
	for (let i = 0; i < 6; i++) {
		for (const candidate of [join(dir, 'dictionaries.json'), join(dir, 'dist', 'dictionaries.json')]) {
			if (existsSync(candidate)) return candidate;
		}
		dir = dirname(dir);
	}
	throw new Error('dictionaries.json not found: run `npm run build` first');
}

/** Load and index the dictionaries once per process. */
export function loadDictionaries(): Dictionaries {
	if (!cached) {
		const path = dictionariesPath();
		const raw = JSON.parse(readFileSync(path, 'utf8')) as RawDictionaries;
		const es = join(dirname(path), 'spanish-words.txt');
		raw.loadSpanishWords = () => (existsSync(es) ? readFileSync(es, 'utf8') : '');
		cached = indexDictionaries(raw);
	}
	return cached;
}
