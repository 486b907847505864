import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, root } from '../helpers/cli';
import { bratAlignedScan, bratGold, ece, points } from '../../bench/reliability.mjs';
import { aggregate, formatRun, measureVariant, namePools } from '../../bench/generalization.mjs';

// A regression gate on the PhysioNet development notes with their gold values swapped (bench/generalization.mjs:
// census names, a third of them English words, and towns; fixed seeds, so the figure is deterministic). The learned
// scorer was trained on these notes (with other draws), so this is no estimate for unseen notes — that is the
// cross-validation of `npm run train` — but it catches a regression. npm run bench:accuracy measured, for seeds 1
// and 2, mean char recall 0.9755 and precision 0.9184 (engine 0.9.4); the floors are those figures minus 0.005.
const SWAP_SEEDS = [1, 2];
const SWAPPED_RECALL_FLOOR = 0.97;
const SWAPPED_PRECISION_FLOOR = 0.913;
// the weights npm run train writes, so that the shipped model is the one the script makes
const MODEL = join(root, 'server', 'src', 'engine', 'detect', 'model', 'names-en.json');
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

describe('the learned scorer is rebuilt byte for byte by npm run train', () => {
	const skip = existsSync(join(corpus, 'docs')) ? false : `../shared not found (${corpus}); training check skipped`;
	it('scripts/train.mjs --no-cv writes the shipped engine/detect/model/names-en.json', { skip, timeout: 600_000 }, () => {
		const dir = mkdtempSync(join(tmpdir(), 'deid-train-'));
		try {
			const out = join(dir, 'names-en.json');
			const r = spawnSync(process.execPath, [join(root, 'scripts', 'train.mjs'), '--no-cv'], { encoding: 'utf8', env: { ...process.env, DEID_TRAIN_OUT: out, DEID_TRAIN_EPOCHS: '', DEID_SCORER_THRESHOLD: '', DEID_TRAIN_FOLDS: '' } });
			assert.equal(r.status, 0, r.stderr);
			assert.ok(readFileSync(out).equals(readFileSync(MODEL)), 'npm run train gives other weights than the shipped ones: retrain and commit the model');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

// MEDDOCAN dev with the Spanish profile, scored by the shared brat scorer: the issue's target is strict span F1
// ≥ 0.85; this build measures 0.856 (npm run bench:accuracy), so the gate holds the target.
const STRICT_F1_FLOOR = 0.88;
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
			// brat counts a leading byte-order mark as a character; deid's offsets do not
			writeFileSync(join(dir, 'scan.jsonl'), bratAlignedScan(String(scan.stdout)));
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
