import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { LABEL_RE, labelMatches } from '../../server/src/engine/detect/fields';

function rng(seed: number) {
	return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

describe('field labels found from the colons', () => {
	it('give exactly the matches of the full pattern run over the text (random text of labels, words, blanks, colons, letters outside ASCII)', () => {
		const pieces = [
			'Name', 'NAME', 'name', 'Patient name', 'pt name', 'Médico', 'MEDICO', 'Nº Col', 'nºcol', 'D.O.B.', 'c.p.', 'Fecha de nacimiento', 'historia clínica',
			'medical record number', 'record', 'Sex', 'ſex', 'e-mail', 'Tel', 'x', 'Dr', '12', '𝒜', 'é', 'ñame', 'é', '\u0301', ':', ':', ':', '::', ' ', ' ', '  ', '\t', '\n', '.', ',', '-', '/',
		];
		const r = rng(11);
		let checked = 0;
		for (let n = 0; n < 3000; n++) {
			let text = '';
			const len = 1 + Math.floor(r() * 60);
			for (let k = 0; k < len; k++) text += pieces[Math.floor(r() * pieces.length)];
			const expected = [...text.matchAll(LABEL_RE)].map((m) => [m.index, m[0].length, m[1]]);
			const got = [...labelMatches(text)].map((m) => [m.index, m.length, m.label]);
			assert.deepEqual(got, expected, JSON.stringify(text));
			checked += expected.length;
		}
		assert.ok(checked > 1000, `only ${checked} matches were compared`);
	});
	it('find a label after a long run without colons, and none inside a word', () => {
		const text = 'x'.repeat(100000) + ' Name: Ana\nSurname: Ruiz\nDOB : 1/2/2000';
		assert.deepEqual([...labelMatches(text)].map((m) => m.label), ['Name', 'DOB']);
	});
});
