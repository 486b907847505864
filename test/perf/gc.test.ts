import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { detect } from '../../server/src/engine';
import { textPieces } from '../../server/src/jobs/processFile';
import { loadDictionaries } from '../../server/src/node/dictionaries';
import { mulberry32 } from '../../bench/random.mjs';

// A folder-job worker's heap is small (pool.ts), so what a piece allocates must die young: tokens or findings
// promoted to the old generation make a worker spend its time in full collections.

/** Runs in a worker thread with the pool's heap limits: detect over every piece; counts full collections. */
async function inWorker(): Promise<void> {
	const { pieces: n, seed } = workerData as { pieces: number; seed: number };
	const dicts = loadDictionaries();
	const rnd = mulberry32(seed);
	const pick = (l: readonly string[]) => l[Math.floor(rnd() * Math.min(l.length, 3000))];
	const sentences = [
		() => `Mrs. ${pick(dicts.raw.last)} resting comfortably, seen by Dr. ${pick(dicts.raw.last)} on ${1 + Math.floor(rnd() * 12)}/${1 + Math.floor(rnd() * 28)}/2031.`,
		() => `Daughter ${pick(dicts.raw.firstFemale)} ${pick(dicts.raw.last)} called from 617-555-${String(Math.floor(rnd() * 1e4)).padStart(4, '0')}.`,
		() => 'Neuro: alert and oriented x3, follows commands, PERRL. Resp: 2L NC, sats 96%, lungs clear bilaterally.',
		() => 'GI/GU: tolerating diet, Foley draining clear yellow urine, Lasix 40 mg IV given with good effect.',
		() => `MRN ${Math.floor(1e6 + rnd() * 9e6)}; transferred from ${pick(dicts.raw.cities)} on ${1 + Math.floor(rnd() * 12)}/${1 + Math.floor(rnd() * 28)}.`,
	];
	let text = '';
	while (text.length < 1 << 20) text += Array.from({ length: 3 + Math.floor(rnd() * 4) }, () => sentences[Math.floor(rnd() * sentences.length)]()).join(' ') + '\n\n';
	const pieces = [...textPieces(text, 'text')].map((p) => p.text);
	// warm up: compile, fill the word caches
	for (const p of pieces.slice(0, 20)) detect(p, dicts);
	let major = 0;
	const obs = new PerformanceObserver((list) => {
		for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
	});
	obs.observe({ entryTypes: ['gc'] });
	let findings = 0;
	for (let i = 0; i < n; i++) findings += detect(pieces[i % pieces.length], dicts).length;
	await new Promise((r) => setTimeout(r, 50)); // GC entries are delivered asynchronously
	obs.disconnect();
	parentPort!.postMessage({ major, findings, chars: pieces.reduce((a, p) => a + p.length, 0) / pieces.length });
}

if (!isMainThread && (workerData as { gcTest?: boolean } | undefined)?.gcTest) {
	void inWorker();
} else {
	describe('garbage of a folder-job worker', () => {
		it('detect over 600 pieces (about 10 MB) in a worker with the pool\'s heap limits needs few full collections', async () => {
			const result = await new Promise<{ major: number; findings: number; chars: number }>((resolve, reject) => {
				const w = new Worker(__filename, { workerData: { gcTest: true, pieces: 600, seed: 11 }, resourceLimits: { maxOldGenerationSizeMb: 160, maxYoungGenerationSizeMb: 16 } });
				w.once('message', resolve);
				w.once('error', reject);
			});
			assert.ok(result.findings > 600 * 20, `the pieces hold PHI (${result.findings} findings)`);
			assert.ok(result.chars > 12000, `pieces of about 16K characters (${result.chars.toFixed(0)} on average)`);
			assert.ok(result.major <= 2, `${result.major} full collections`);
		});
	});
}
