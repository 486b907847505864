// npm run bench:calibrate — fits the confidence calibration (server/src/engine/detect/calibration.json) on the development
// corpora in ../shared: every finding the engine reports at the default threshold, scored raw (--raw-confidence),
// is a hit when at least half of its non-space characters lie in gold PHI. Findings are pooled by raw score and
// the share of hits is made monotone by isotonic regression (pool adjacent violators). Prints the reliability
// (expected calibration error) before and after. Skips with a reason when ../shared is absent.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bratGold, ece, physionetGold, points } from './reliability.mjs';

const root = resolve(import.meta.dirname, '..');
const shared = resolve(process.env.DEID_SHARED ?? join(root, '..', 'shared'));
const cli = join(root, 'dist', 'cli.js');
const out = join(root, 'server', 'src', 'engine', 'detect', 'calibration.json');
const physionet = join(shared, 'corpora', 'physionet-deid-dev');
const meddocan = join(shared, 'corpora', 'meddocan', 'train');
if (!existsSync(physionet) || !existsSync(meddocan)) {
	console.log(`calibration skipped: ${physionet} or ${meddocan} not found`);
	process.exit(0);
}

function scan(dir, args) {
	const r = spawnSync(process.execPath, [cli, 'scan', '--json', '--raw-confidence', ...args, dir], { encoding: 'utf8', maxBuffer: 1 << 30 });
	return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
const en = points(scan(join(physionet, 'docs'), ['--language', 'en']), physionetGold(physionet));
const es = points(scan(meddocan, ['--language', 'es']), bratGold(meddocan));
/** Pool by raw score (two decimals), then pool adjacent violators; one step per block, at its highest score. */
function fit(pts) {
	const groups = new Map();
	for (const [c, h] of pts) {
		const k = Math.round(c * 100) / 100;
		const g = groups.get(k) ?? { n: 0, h: 0 };
		g.n++;
		g.h += h;
		groups.set(k, g);
	}
	const blocks = [...groups].sort((a, b) => a[0] - b[0]).map(([x, g]) => ({ hi: x, n: g.n, h: g.h }));
	for (let i = 0; i + 1 < blocks.length; ) {
		if (blocks[i].h / blocks[i].n > blocks[i + 1].h / blocks[i + 1].n) {
			const [a, b] = blocks.splice(i, 2);
			blocks.splice(i, 0, { hi: b.hi, n: a.n + b.n, h: a.h + b.h });
			if (i > 0) i--;
		} else i++;
	}
	// Laplace-smoothed: a block that was always right on the corpus is not reported as certain
	// Laplace smoothing can undo the pooled blocks' order (a small last block): keep the table non-decreasing
	let floor = 0;
	const knots = blocks.map((b) => [b.hi, (floor = Math.max(floor, Math.round(((b.h + 1) / (b.n + 2)) * 1000) / 1000))]);
	if (knots.length && knots[knots.length - 1][0] < 1) knots.push([1, knots[knots.length - 1][1]]);
	return knots;
}
const tables = { en: { knots: fit(en) }, es: { knots: fit(es) } };
writeFileSync(out, JSON.stringify({ fitted: 'npm run bench:calibrate: en on physionet-deid-dev, es on meddocan/train', ...tables }, null, '\t') + '\n');

// the engine's own mapping, bundled, applied with the new knots
const esbuild = await import('esbuild');
const bundled = join(root, '.bench', 'calibration.mjs');
await esbuild.build({ entryPoints: [join(root, 'server', 'src', 'engine', 'detect', 'calibration.ts')], bundle: true, format: 'esm', platform: 'node', outfile: bundled, logLevel: 'warning' });
const { calibrate } = await import(bundled);
for (const [name, pts, table] of [['physionet-deid-dev (en)', en, tables.en], ['meddocan/train (es)', es, tables.es]]) {
	const before = ece(pts, (c) => c);
	const after = ece(pts, (c) => calibrate(c, table));
	console.log(`${name}: ${pts.length} findings; expected calibration error ${before.ece.toFixed(3)} raw → ${after.ece.toFixed(3)} calibrated`);
	console.log(after.rows.join('\n'));
	console.log(`  knots: ${JSON.stringify(table.knots)}`);
}
console.log(`wrote ${out}`);
