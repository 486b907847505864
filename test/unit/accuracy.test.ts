import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, root } from '../helpers/cli';
import { bratGold, ece, points } from '../../bench/reliability.mjs';
import { aggregate, formatRun, measureVariant, namePools } from '../../bench/generalization.mjs';

// A regression gate on the PhysioNet development notes with their gold values swapped (bench/generalization.mjs:
// census names, a third of them English words, and towns; fixed seeds, so the figure is deterministic), which
// says more about unseen notes than the notes as they are. npm run bench:accuracy measured, for seeds 1 and 2,
// mean char recall 0.890 and precision 0.925 (the issue's target, 0.975, is not met yet); the floors are those
// figures minus 0.005, so the gate catches a regression, not a miss of the target.
const SWAP_SEEDS = [1, 2];
const SWAPPED_RECALL_FLOOR = 0.885;
const SWAPPED_PRECISION_FLOOR = 0.92;
const shared = join(root, '..', 'shared');
const corpus = join(shared, 'corpora', 'physionet-deid-dev');

describe('accuracy gate (PhysioNet development notes, values swapped)', () => {
	const skip = existsSync(join(corpus, 'docs')) && existsSync(join(corpus, 'gold.jsonl')) ? false : `../shared not found (${corpus}); accuracy gate skipped`;
	if (skip) console.log(`# ${skip}`);
	it(`mean char recall >= ${SWAPPED_RECALL_FLOOR} and precision >= ${SWAPPED_PRECISION_FLOOR} over seeds ${SWAP_SEEDS.join(', ')}`, { skip }, () => {
		const pools = namePools(join(root, 'dist', 'dictionaries.json'));
		const runs = SWAP_SEEDS.map((seed) => measureVariant({ cli: CLI, corpus, pools, seed, names: 'census' }));
		for (const r of runs) console.log(`# ${formatRun(`swapped seed ${r.seed}`, r)}`);
		const a = aggregate(runs);
		console.log(`# PhysioNet dev swapped: mean char recall ${a.charRecall.mean}, precision ${a.precision.mean}`);
		assert.ok(a.charRecall.mean >= SWAPPED_RECALL_FLOOR, `swapped char recall ${a.charRecall.mean} < ${SWAPPED_RECALL_FLOOR}`);
		assert.ok(a.precision.mean >= SWAPPED_PRECISION_FLOOR, `swapped precision ${a.precision.mean} < ${SWAPPED_PRECISION_FLOOR}`);
	});
});

// MEDDOCAN dev with the Spanish profile, scored by the shared brat scorer: the issue's target is strict span F1
// ≥ 0.85; this build measures 0.856 (npm run bench:accuracy), so the gate holds the target.
const STRICT_F1_FLOOR = 0.85;
const ECE_CEILING = 0.05;

/** Expected calibration error of a scan's findings against the corpus's brat gold. */
function calibrationError(scanJsonl: string, dir: string): number {
	const results = scanJsonl.trim().split('\n').map((l) => JSON.parse(l));
	return ece(points(results, bratGold(dir)), (c) => c).ece;
}
const meddocan = join(shared, 'corpora', 'meddocan', 'dev');

describe('accuracy gate (MEDDOCAN dev, Spanish profile)', () => {
	const skip = existsSync(meddocan) && existsSync(join(shared, 'bench', 'score-brat.mjs')) ? false : `../shared not found (${meddocan}); MEDDOCAN gate skipped`;
	if (skip) console.log(`# ${skip}`);
	it(`strict span F1 >= ${STRICT_F1_FLOOR}`, { skip }, () => {
		const dir = mkdtempSync(join(tmpdir(), 'deid-acc-es-'));
		try {
			const scan = spawnSync(process.execPath, [CLI, 'scan', '--json', '--language', 'es', meddocan], { maxBuffer: 1 << 28 });
			assert.equal(scan.status === 0 || scan.status === 1, true, String(scan.stderr));
			writeFileSync(join(dir, 'scan.jsonl'), scan.stdout);
			const score = spawnSync(process.execPath, [join(shared, 'bench', 'score-brat.mjs'), meddocan, join(dir, 'scan.jsonl')], { encoding: 'utf8', maxBuffer: 1 << 28 });
			const m = /strict span\s+P ([\d.]+)\s+R ([\d.]+)\s+F1 ([\d.]+)/.exec(score.stdout);
			assert.ok(m, score.stdout + score.stderr);
			console.log(`# MEDDOCAN dev: strict P ${m[1]} R ${m[2]} F1 ${m[3]}`);
			assert.ok(Number(m[3]) >= STRICT_F1_FLOOR, `strict F1 ${m[3]} < ${STRICT_F1_FLOOR}`);
			// Calibrated confidences on notes the Spanish calibration was not fitted on (it uses meddocan/train).
			const err = calibrationError(String(scan.stdout), meddocan);
			console.log(`# MEDDOCAN dev: expected calibration error ${err.toFixed(3)}`);
			assert.ok(err <= ECE_CEILING, `expected calibration error ${err} > ${ECE_CEILING}`);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
