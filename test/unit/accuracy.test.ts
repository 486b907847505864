import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, root } from '../helpers/cli';
import { bratGold, ece, points } from '../../bench/reliability.mjs';

// A fast regression gate on the PhysioNet development notes, scored by the shared scorer exactly as the
// benchmark does. npm run bench:accuracy measures char recall 0.982 and precision 0.930 for this build; the
// recall floor is the (0.98); its precision floor (0.80) is below ours, so ours (0.90) is kept.
const RECALL_FLOOR = 0.98;
const PRECISION_FLOOR = 0.9;
const shared = join(root, '..', 'shared');
const corpus = join(shared, 'corpora', 'physionet-deid-dev');

describe('accuracy gate (PhysioNet development notes)', () => {
	const skip = existsSync(join(corpus, 'docs')) && existsSync(join(shared, 'bench', 'score.mjs')) ? false : `../shared not found (${corpus}); accuracy gate skipped`;
	if (skip) console.log(`# ${skip}`);
	it(`char recall >= ${RECALL_FLOOR} and precision >= ${PRECISION_FLOOR}`, { skip }, () => {
		const dir = mkdtempSync(join(tmpdir(), 'deid-acc-'));
		try {
			const scan = spawnSync(process.execPath, [CLI, 'scan', '--json', join(corpus, 'docs')], { maxBuffer: 1 << 28 });
			assert.equal(scan.status, 0, String(scan.stderr));
			const pred = spawnSync(process.execPath, [join(shared, 'bench', 'scan2pred.mjs')], { input: scan.stdout, maxBuffer: 1 << 28 });
			writeFileSync(join(dir, 'pred.jsonl'), pred.stdout);
			const score = spawnSync(process.execPath, [join(shared, 'bench', 'score.mjs'), corpus, join(dir, 'pred.jsonl')], { encoding: 'utf8', maxBuffer: 1 << 28 });
			const m = /char recall ([\d.]+).*precision ([\d.]+)/.exec(score.stdout);
			assert.ok(m, score.stdout + score.stderr);
			const [recall, precision] = [Number(m[1]), Number(m[2])];
			console.log(`# PhysioNet dev: char recall ${recall}, precision ${precision}`);
			assert.ok(recall >= RECALL_FLOOR, `char recall ${recall} < ${RECALL_FLOOR}`);
			assert.ok(precision >= PRECISION_FLOOR, `precision ${precision} < ${PRECISION_FLOOR}`);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

// MEDDOCAN dev with the Spanish profile, scored by the shared brat scorer: the target is strict span F1
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
