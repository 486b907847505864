import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { dirname, join } from 'node:path';
import { indexDictionaries, type Dictionaries, type IndexedDictionaries, type RawDictionaries } from '../engine/dictionaries';
import { unpackDictionaries } from './dictionaryPack';

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

/**
 * A UTF-8 file read in 64 KB pieces. Reading a dictionary whole would malloc and free a buffer of its size in
 * every thread; glibc then raises its trim threshold to twice the largest such block for the rest of the
 * process, and each thread's malloc arena keeps that much free memory (tens of MB over a folder job's threads).
 */
export function readTextFile(path: string): string {
	const fd = openSync(path, 'r');
	try {
		const buf = Buffer.allocUnsafeSlow(1 << 16);
		const decoder = new StringDecoder('utf8');
		const parts: string[] = [];
		for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) parts.push(decoder.write(buf.subarray(0, n)));
		parts.push(decoder.end());
		return parts.join('');
	} finally {
		closeSync(fd);
	}
}

/** A file's bytes in an ArrayBuffer of their own (typed arrays over it need offsets from 0). */
function readBinaryFile(path: string): ArrayBuffer {
	const fd = openSync(path, 'r');
	try {
		const memory = new ArrayBuffer(fstatSync(fd).size);
		const bytes = new Uint8Array(memory);
		for (let at = 0, n; at < bytes.length && (n = readSync(fd, bytes, at, bytes.length - at, null)) > 0; ) at += n;
		return memory;
	} finally {
		closeSync(fd);
	}
}

/**
 * Load and index the dictionaries once per process: from dictionaries.pack beside dictionaries.json (indexed at
 * build time; the raw lists parsed only when surrogates need them), else from the JSON.
 */
export function loadDictionaries(): Dictionaries {
	if (!cached) {
		const path = dictionariesPath();
		const es = join(dirname(path), 'spanish-words.txt');
		const loadSpanishWords = () => (existsSync(es) ? readTextFile(es) : '');
		const loadRaw = () => JSON.parse(readTextFile(path)) as RawDictionaries;
		const pack = join(dirname(path), 'dictionaries.pack');
		if (existsSync(pack)) cached = unpackDictionaries(readBinaryFile(pack), loadRaw, loadSpanishWords);
		else {
			const raw = loadRaw();
			raw.loadSpanishWords = loadSpanishWords;
			cached = indexDictionaries(raw);
		}
	}
	return cached;
}

/** The dictionaries indexed by the engine from the raw JSON, as before the pack (tests compare the two). */
export function indexDictionariesFromJson(path = dictionariesPath()): IndexedDictionaries {
	const raw = JSON.parse(readTextFile(path)) as RawDictionaries;
	const es = join(dirname(path), 'spanish-words.txt');
	raw.loadSpanishWords = () => (existsSync(es) ? readTextFile(es) : '');
	return indexDictionaries(raw);
}
