import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { calibrate, calibrationFor } from '../../server/src/engine/detect/calibration';
import { detect } from '../../server/src/engine';
import { dicts } from '../helpers/engine';

describe('confidence calibration', () => {
	for (const language of ['en', 'es'] as const) {
		it(`${language}: a fitted step table, monotone, reported scores stay in [0.5, 1], candidates below 0.5 unchanged`, () => {
			const table = calibrationFor(language);
			assert.ok(table.knots.length >= 3, 'fitted by npm run bench:calibrate');
			let prev = -1;
			for (let raw = 0; raw <= 1.0001; raw += 0.01) {
				const c = calibrate(raw, table);
				assert.ok(c >= prev - 1e-12, `monotone at ${raw.toFixed(2)}`);
				if (raw < 0.5) assert.equal(c, raw);
				else assert.ok(c >= 0.5 && c <= 1, `${raw} → ${c}`);
				prev = c;
			}
		});
	}

	it('a step table maps each pooled block to its precision', () => {
		const table = { knots: [[0.55, 0.4], [0.7, 0.8], [1, 0.95]] as [number, number][] };
		assert.equal(calibrate(0.52, table), 0.5); // clamped: the default threshold keeps its meaning
		assert.equal(calibrate(0.6, table), 0.8);
		assert.equal(calibrate(0.7, table), 0.8);
		assert.equal(calibrate(0.71, table), 0.95);
		assert.equal(calibrate(0.3, table), 0.3);
	});

	it('detect reports calibrated confidences; calibrate: false reports the raw scores', () => {
		const text = 'Discussed with Dr. Whitfield on 3/14; Mrs. Okafor lives in Springfield.';
		const cal = detect(text, dicts);
		const raw = detect(text, dicts, { calibrate: false });
		assert.deepEqual(cal.map((f) => [f.start, f.end]), raw.map((f) => [f.start, f.end]), 'same findings at the default threshold');
		const table = calibrationFor('en');
		for (let i = 0; i < cal.length; i++) assert.equal(cal[i].confidence, calibrate(raw[i].confidence, table));
		assert.ok(cal.some((f, i) => f.confidence !== raw[i].confidence), 'calibration changes some confidence');
	});
});
