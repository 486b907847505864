import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { deidentifyDocument, validatePolicy } from '../../server/src/engine';
import { hmacHash } from '../../server/src/node/hash';
import { runCli } from '../helpers/cli';
import { dicts } from '../helpers/engine';

const dir = mkdtempSync(join(tmpdir(), 'deid-policy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('policies', () => {
	it('invalid policies get precise messages with their paths', () => {
		const { policy, errors } = validatePolicy({
			types: { Patient: { strategy: 'shred' }, Phone: { strategy: 'mask', char: '**' }, Martian: { strategy: 'keep' }, Date: { strategy: 'fixedMask', length: 0 }, City: { strategy: 'surrogate', values: [] }, Age: { strategy: 'keep', format: 'x' } },
			redactionFormat: '{type}{type}',
			colour: 'blue',
		});
		assert.equal(policy, undefined);
		const text = errors.join('\n');
		for (const want of [/types\.Patient\.strategy: must be one of label, mask, fixedMask, surrogate, keep/, /types\.Phone\.char: must be a single character/, /types\.Martian: unknown entity type/, /types\.Date\.length: must be a whole number/, /types\.City\.values: must be a non-empty list/, /types\.Age\.format: not an option of the "keep" strategy/, /redactionFormat: The variable \{type\} may appear only once/, /unknown property "colour"/]) {
			assert.match(text, want);
		}
		assert.deepEqual(validatePolicy('nope').errors, ['the policy must be a JSON object']);
	});

	it('applies a strategy per type; unlisted types follow the operation', () => {
		const { policy } = validatePolicy({
			types: { Phone: { strategy: 'mask' }, Date: { strategy: 'keep' }, Patient: { strategy: 'fixedMask', length: 5, char: '#' }, Hospital: { strategy: 'surrogate', values: ['Northgate', 'Riverbend'] }, Doctor: { strategy: 'label', format: '<{Type}>' } },
		});
		assert.ok(policy);
		const text = 'Mrs. Okafor saw Dr. Whitfield on 3/14/2031 at Calvert Hospital; call 617-555-0123. MRN: 48213907.';
		const r = deidentifyDocument(text, 'text', dicts, {}, { operation: 'redact', redactionFormat: '[{TYPE}]', policy, surrogate: { dicts, hash: hmacHash(Buffer.alloc(32, 1)), dateShiftDays: 10 } });
		assert.match(r.output, /^Mrs\. ##### saw Dr\. <Doctor> on 3\/14\/2031 at (Northgate|Riverbend) Hospital; call \*{12}\. MRN: \[MEDICALRECORD\]\.$/);
	});

	it('deid deidentify --policy uses it, records its hash in the report, and rejects an invalid one with the reason', () => {
		mkdirSync(join(dir, 'in'));
		writeFileSync(join(dir, 'in', 'a.txt'), 'Dr. Whitfield, call 617-555-0123.\n');
		writeFileSync(join(dir, 'policy.json'), JSON.stringify({ types: { Phone: { strategy: 'mask', char: 'X' } } }));
		const ok = runCli(['deidentify', join(dir, 'in'), join(dir, 'out'), '--policy', join(dir, 'policy.json')]);
		assert.equal(ok.code, 0, ok.stderr);
		assert.equal(readFileSync(join(dir, 'out', 'a.txt'), 'utf8'), 'Dr. [DOCTOR], call XXXXXXXXXXXX.\n');
		const report = JSON.parse(readFileSync(join(dir, 'out', 'deid-report.json'), 'utf8'));
		assert.match(report.policy.sha256, /^[0-9a-f]{64}$/);
		writeFileSync(join(dir, 'bad.json'), JSON.stringify({ types: { Phone: { strategy: 'blur' } } }));
		const bad = runCli(['deidentify', join(dir, 'in'), join(dir, 'out2'), '--policy', join(dir, 'bad.json')]);
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /types\.Phone\.strategy: must be one of/);
		writeFileSync(join(dir, 'broken.json'), '{ not json');
		assert.match(runCli(['deidentify', join(dir, 'in'), join(dir, 'out3'), '--policy', join(dir, 'broken.json')]).stderr, /not valid JSON/);
	});
});
