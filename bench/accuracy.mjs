// npm run bench:accuracy — runs the engine (through the CLI, as users do) over the development corpora in
// ../shared and scores it with the shared scorers. Prints their output plus characters per second, and writes
// .bench/accuracy.json. Skips with a reason when ../shared is absent.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bratAlignedScan, bratGold, byDetector, ece, physionetGold, points } from './reliability.mjs';
import { formatGenerated, runGenerated } from './generated/suite.mjs';
import { aggregate, formatAggregate, formatRun, measureVariant, namePools, scan, scoreDocs, summary } from './generalization.mjs';

const root = resolve(import.meta.dirname, '..');
const shared = resolve(process.env.DEID_SHARED ?? join(root, '..', 'shared'));
const cli = join(root, 'dist', 'cli.js');
const outDir = join(root, '.bench');
mkdirSync(outDir, { recursive: true });
if (!existsSync(cli)) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });

const corpora = [
	{ name: 'physionet-deid-dev', dir: join(shared, 'corpora/physionet-deid-dev/docs'), score: (scan) => score('score.mjs', [join(shared, 'corpora/physionet-deid-dev'), toPred(scan)]), args: [], gold: () => physionetGold(join(shared, 'corpora/physionet-deid-dev')) },
	{ name: 'meddocan-dev', dir: join(shared, 'corpora/meddocan/dev'), score: (scan) => score('score-brat.mjs', [join(shared, 'corpora/meddocan/dev'), bratAligned(scan)]), args: ['--language', 'es'], gold: () => bratGold(join(shared, 'corpora/meddocan/dev')) },
];

function toPred(scanFile) {
	const pred = scanFile.replace(/scan-(.*)\.jsonl$/, 'pred-$1.jsonl');
	const r = spawnSync(process.execPath, [join(shared, 'bench/scan2pred.mjs')], { input: readFileSync(scanFile), maxBuffer: 1 << 30 });
	writeFileSync(pred, r.stdout);
	return pred;
}
/** The scan file with offsets in brat's convention, beside it. */
function bratAligned(scanFile) {
	const out = scanFile.replace(/\.jsonl$/, '.brat.jsonl');
	writeFileSync(out, bratAlignedScan(readFileSync(scanFile, 'utf8')));
	return out;
}
function score(script, args) {
	const r = spawnSync(process.execPath, [join(shared, 'bench', script), ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
	return r.stdout + r.stderr;
}
function charsIn(dir) {
	let n = 0;
	for (const f of readdirSync(dir)) if (f.endsWith('.txt')) n += readFileSync(join(dir, f), 'utf8').length;
	return n;
}

const result = { date: new Date().toISOString(), corpora: {} };
let ran = 0;
for (const c of corpora) {
	if (!existsSync(c.dir)) {
		console.log(`${c.name}: skipped (${c.dir} not found)`);
		continue;
	}
	const scanFile = join(outDir, `scan-${c.name}.jsonl`);
	const t0 = process.hrtime.bigint();
	const r = spawnSync(process.execPath, [cli, 'scan', '--json', ...c.args, c.dir], { maxBuffer: 1 << 30 });
	const secs = Number(process.hrtime.bigint() - t0) / 1e9;
	writeFileSync(scanFile, r.stdout);
	const chars = charsIn(c.dir);
	const out = c.score(scanFile);
	console.log(`\n== ${c.name}: ${chars} chars in ${secs.toFixed(2)} s (whole CLI process) = ${Math.round(chars / secs).toLocaleString('en-US')} chars/s`);
	console.log(out.trim());
	// Reliability of the reported (calibrated) confidences; the calibration was fitted on physionet-deid-dev and
	// meddocan/train (npm run bench:calibrate), so meddocan-dev is held out from it.
	const results = readFileSync(scanFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
	const gold = c.gold();
	const rel = ece(points(results, gold), (x) => x);
	console.log(`confidence reliability: expected calibration error ${rel.ece.toFixed(3)}\n${rel.rows.join('\n')}`);
	// What each method contributes (characters approximate the scorer's: non-space characters, any gold type)
	const contrib = byDetector(results, gold);
	console.log('contribution by detector: findings, characters, of them in gold (precision), share of all gold characters');
	for (const d of contrib) console.log(`    ${d.detector.padEnd(22)} ${String(d.findings).padStart(5)} ${String(d.chars).padStart(6)} ${String(d.goldChars).padStart(6)} (${d.precision.toFixed(3)})  ${d.recallShare.toFixed(4)}`);
	result.corpora[c.name] = { chars, seconds: secs, charsPerSecond: Math.round(chars / secs), scorer: out.trim().split('\n'), expectedCalibrationError: Number(rel.ece.toFixed(4)), byDetector: contrib };
	ran++;
}
// Generalization (English): the same notes with the gold values swapped for census names (a third of them
// English words) and towns, over several seeds, and with invented names that no list holds (context alone).
const physionet = join(shared, 'corpora/physionet-deid-dev');
if (existsSync(corpora[0].dir)) {
	const t0 = process.hrtime.bigint();
	const cliPath = cli;
	const pools = namePools(join(root, 'dist', 'dictionaries.json'));
	const asIs = scoreDocs(corpora[0].dir, join(physionet, 'gold.jsonl'), scan(cliPath, corpora[0].dir));
	const variant = (names, seeds) => seeds.map((seed) => measureVariant({ cli: cliPath, corpus: physionet, pools, seed, names }));
	const swapped = variant('census', [1, 2, 3, 4, 5]);
	const invented = variant('invented', [1, 2, 3]);
	// The shared generator (uniform census draws, so few English-word names) for comparison with earlier figures.
	const sharedSwap = (existsSync(join(shared, 'bench/swap.mjs')) ? [1, 2, 3] : []).map((seed) => {
		const dir = mkdtempSync(join(tmpdir(), 'deid-sharedswap-'));
		try {
			spawnSync(process.execPath, [join(shared, 'bench/swap.mjs'), physionet, dir, '--seed', String(seed)], { encoding: 'utf8' });
			return { seed, ...scoreDocs(dir, join(dir, 'gold.jsonl'), scan(cliPath, dir)) };
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
	const secs = Number(process.hrtime.bigint() - t0) / 1e9;
	console.log(`\n== generalization (physionet-deid-dev, English; bench/generalization.mjs): ${secs.toFixed(1)} s`);
	console.log(formatRun('as is', asIs));
	for (const r of swapped) console.log(formatRun(`swapped seed ${r.seed}`, r));
	console.log(formatAggregate('swapped, mean', aggregate(swapped)));
	for (const r of invented) console.log(formatRun(`invented seed ${r.seed}`, r));
	console.log(formatAggregate('invented, mean', aggregate(invented)));
	for (const r of sharedSwap) console.log(formatRun(`shared swap.mjs seed ${r.seed}`, r));
	if (sharedSwap.length) console.log(formatAggregate('shared swap.mjs, mean', aggregate(sharedSwap)));
	result.generalization = { seconds: Number(secs.toFixed(1)), asIs, swapped: { seeds: swapped, ...aggregate(swapped) }, invented: { seeds: invented, ...aggregate(invented) }, sharedSwap: sharedSwap.length ? { seeds: sharedSwap, ...aggregate(sharedSwap) } : null };
}
// The generated clinical suite (bench/generated/; needs no corpus): fixed seeds here so builds compare, 300
// documents each; `node bench/generated.mjs` draws a new seed.
{
	const t0 = process.hrtime.bigint();
	const runs = [1, 2, 3].map((seed) => runGenerated({ cli, dictionaries: join(root, 'dist', 'dictionaries.json'), seed, count: 300, examples: 8 }));
	const secs = Number(process.hrtime.bigint() - t0) / 1e9;
	console.log(`\n== generated clinical suite (bench/generated/, seeds 1-3, 300 documents each): ${secs.toFixed(1)} s`);
	for (const r of runs) console.log(formatGenerated(r));
	const s = (f) => summary(runs.map(f));
	const types = [...new Set(runs.flatMap((r) => Object.keys(r.byType)))];
	const contexts = [...new Set(runs.flatMap((r) => Object.keys(r.byContext)))];
	const mean = {
		charRecall: s((r) => r.charRecall),
		precision: s((r) => r.precision),
		phiFreeShare: s((r) => r.phiFree.share),
		byType: Object.fromEntries(types.map((t) => [t, s((r) => r.byType[t]?.recall ?? 0)])),
		byContext: Object.fromEntries(contexts.map((t) => [t, s((r) => r.byContext[t]?.recall ?? 0)])),
	};
	console.log(`generated, mean of 3: PHI char recall ${mean.charRecall.mean.toFixed(3)} [${mean.charRecall.min.toFixed(3)}–${mean.charRecall.max.toFixed(3)}], precision ${mean.precision.mean.toFixed(3)}, PHI-free sentences with a finding ${(100 * mean.phiFreeShare.mean).toFixed(1)}%`);
	console.log(`  by type: ${Object.entries(mean.byType).map(([k, v]) => `${k} ${v.mean.toFixed(3)}`).join(', ')}`);
	console.log(`  by context: ${Object.entries(mean.byContext).map(([k, v]) => `${k} ${v.mean.toFixed(3)}`).join(', ')}`);
	result.generated = { seconds: Number(secs.toFixed(1)), runs: runs.map(({ missedExamples, falsePositiveExamples, ...r }) => r), mean };
}
// Engine-only throughput on one core over the PhysioNet notes (the CLI figures above include start-up and I/O).
if (existsSync(corpora[0].dir)) {
	const esbuild = await import('esbuild');
	await esbuild.build({ entryPoints: [join(root, 'bench', 'engine-speed.ts')], bundle: true, platform: 'node', outfile: join(outDir, 'engine-speed.js'), logLevel: 'warning' });
	const r = spawnSync(process.execPath, [join(outDir, 'engine-speed.js'), corpora[0].dir], { encoding: 'utf8', env: { ...process.env, DEID_DICTIONARIES: join(root, 'dist', 'dictionaries.json') } });
	console.log(`\n== engine speed (physionet-deid-dev): ${r.stdout.trim()}`);
	result.engineSpeed = r.stdout.trim();
}
writeFileSync(join(outDir, 'accuracy.json'), JSON.stringify(result, null, 2));
console.log(`\nwrote ${join(outDir, 'accuracy.json')}`);
if (!ran) console.log('no corpus found: nothing measured');
void statSync;
