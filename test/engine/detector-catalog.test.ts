// Every detector the engine can emit is described in words (hovers and reports show them).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { root } from '../helpers/cli';
import { DETECTOR_DESCRIPTIONS, describeDetector, detect } from '../../server/src/engine';
import { loadDictionaries } from '../../server/src/node/dictionaries';
import { formatConfidence } from '../../server/src/protocol';

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('detector descriptions', () => {
	it('every detector id written in the engine has a description', () => {
		const ids = new Set<string>();
		for (const f of sources(join(root, 'server', 'src', 'engine'))) {
			const text = readFileSync(f, 'utf8');
			// a finding is written as (…, 'Type', confidence, 'detector-id') or with a `detector:` field
			for (const m of text.matchAll(/'[A-Z][A-Za-z]+',\s*[^,()]+,\s*'([a-z]+(?:[-:][a-z]+)*)'|detector:\s*'([a-z]+(?:[-:][a-z]+)*)'/g)) ids.add(m[1] ?? m[2]);
		}
		assert.ok(ids.size >= 30, `found only ${ids.size} detector ids: the pattern no longer matches how findings are written`);
		assert.deepEqual([...ids].filter((id) => !(id in DETECTOR_DESCRIPTIONS)), []);
	});
	it('what the engine finds in clinical text is described', () => {
		const dicts = loadDictionaries();
		const text = readFileSync(join(root, 'samples', 'patient-a', 'admission-note.txt'), 'utf8') + '\n' + readFileSync(join(root, 'samples', 'nota-clinica.txt'), 'utf8') + '\nAddress: 1457 Larkspur Avenue, Dunmore, PA 18512. Called 555-0199.';
		for (const f of detect(text, dicts, { language: 'auto' })) assert.notEqual(describeDetector(f.detector), 'a detector without a description', f.detector);
		assert.match(describeDetector('fhir:dateShift'), /dateShift rule/);
	});
	it('confidences read as calibrated percentages, never a rounded-up 100%', () => {
		assert.equal(formatConfidence(0.996), '99.6%');
		assert.equal(formatConfidence(0.9999), '99.9%');
		assert.equal(formatConfidence(1), '100%');
		assert.equal(formatConfidence(0.734), '73%');
	});
});
