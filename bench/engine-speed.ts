// Engine-only speed on one core (no process start-up, no file I/O): best of three passes over a folder of .txt notes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detect } from '../server/src/engine';
import { loadDictionaries } from '../server/src/node/dictionaries';
const d = loadDictionaries();
const dir = process.argv[2];
const texts = readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(dir, f), 'utf8'));
const chars = texts.reduce((a, t) => a + t.length, 0);
for (const t of texts) detect(t, d); // warm-up
const runs: number[] = [];
for (let r = 0; r < 3; r++) {
	const t0 = process.hrtime.bigint();
	for (const t of texts) detect(t, d);
	runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
}
const best = Math.min(...runs);
console.log(`${chars} chars, best of 3: ${best.toFixed(3)} s = ${(chars / best / 1e6).toFixed(2)} M chars/s on one core (engine only)`);
