import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { formatRedaction, maskSameLength, permuteIndex, shapeSurrogate, shiftDate, surrogateFor, validateRedactionFormat, type EntityType } from '../../server/src/engine';
import { dateShiftDays, hmacHash } from '../../server/src/node/hash';
import { PROFESSIONS_EN, PROFESSIONS_ES } from '../../server/src/engine/detect/lexicon';
import { dicts } from '../helpers/engine';

const hash = hmacHash(Buffer.from('0123456789abcdef0123456789abcdef'));
const sc = { dicts, hash, dateShiftDays: 30 };

describe('redaction formats', () => {
	it('Azure variables', () => {
		assert.equal(formatRedaction('[{TYPE}]', 'Patient', 'Okafor'), '[PATIENT]');
		assert.equal(formatRedaction('[{type}]', 'Patient', 'Okafor'), '[patient]');
		assert.equal(formatRedaction('<{Type}>', 'Doctor', 'Menon'), '<Doctor>');
		assert.equal(formatRedaction('*{len}', 'Patient', 'Okafor'), '******');
		assert.equal(formatRedaction('#{len}!', 'Date', '7/22'), '####!');
	});
	it('validation', () => {
		assert.equal(validateRedactionFormat('[{TYPE}]'), undefined);
		assert.ok(validateRedactionFormat(''));
		assert.ok(validateRedactionFormat('x'.repeat(17)));
		assert.ok(validateRedactionFormat('{type}{type}'));
		assert.ok(validateRedactionFormat('{len}'));
	});
	it('same-length mask keeps line breaks', () => {
		assert.equal(maskSameLength('ab\ncd'), '**\n**');
	});
});

describe('surrogates', () => {
	it('are consistent for the same value and differ from the original', () => {
		for (const [type, value] of [['Patient', 'Okafor'], ['Phone', '617-555-0123'], ['City', 'Baltimore'], ['MedicalRecord', 'AB-123456'], ['Email', 'a@b.org']] as [EntityType, string][]) {
			const a = surrogateFor(type, value, sc);
			assert.equal(a, surrogateFor(type, value, sc));
			assert.notEqual(a, value);
		}
	});
	it('keep the shape of identifiers and phones', () => {
		const s = surrogateFor('Phone', '(617) 555-0123', sc);
		assert.match(s, /^\(\d{3}\) \d{3}-\d{4}$/);
		assert.match(surrogateFor('MedicalRecord', 'AB-123456', sc), /^[A-Z]{2}-\d{6}$/);
	});
	it('keep case for names', () => {
		assert.match(surrogateFor('Patient', 'OKAFOR', sc), /^[A-Z]+$/);
		assert.match(surrogateFor('Patient', 'okafor', sc), /^[a-z]+$/);
	});
	it('ages over 89 become 90+ (or a configured form); ZIP codes keep three digits unless restricted', () => {
		assert.equal(surrogateFor('Age', '94', sc), '90+');
		assert.equal(surrogateFor('Age', '94 años', { ...sc, ageOver89: '>89' }), '>89 años');
		assert.equal(surrogateFor('Zip', '02115', sc), '02100');
		assert.equal(surrogateFor('Zip', '02115-1234', sc), '02100-0000');
		assert.equal(surrogateFor('Zip', '03601', sc), '00000');
	});
	it('one person, one surrogate: full name, title + surname, initial + surname, capitals', () => {
		const full = surrogateFor('Patient', 'Margaret Okafor', sc);
		const [first, last] = full.split(' ');
		assert.equal(surrogateFor('Patient', 'Okafor', sc), last);
		assert.equal(surrogateFor('Patient', 'OKAFOR, MARGARET', sc), `${last.toUpperCase()}, ${first.toUpperCase()}`);
		assert.equal(surrogateFor('Patient', 'M. Okafor', sc).split(' ')[1], last);
		assert.equal(surrogateFor('Patient', 'M. Okafor', sc)[0], surrogateFor('Patient', 'M. Nowak', sc)[0], 'an initial maps by its letter');
		assert.ok(dicts.firstNames.get(first.toLowerCase())?.gender === 'f', 'a female first name stays female');
	});
	it('surrogate locales draw names and towns from that locale', () => {
		for (const locale of ['en-GB', 'fr-FR', 'de-DE', 'es-ES', 'fr-CA']) {
			const l = dicts.raw.locales![locale];
			const name = surrogateFor('Patient', 'Margaret Okafor', { ...sc, locale });
			// locale first names may be compound ("María Elena"): the surname is the last word
			const words = name.split(' ');
			const last = words.pop()!;
			const first = words.join(' ');
			assert.ok(l.female.includes(first), `${locale}: ${first}`);
			assert.ok(l.last.includes(last), `${locale}: ${last}`);
			assert.ok(l.cities.includes(surrogateFor('City', 'Baltimore', { ...sc, locale })), locale);
		}
		assert.notEqual(surrogateFor('Patient', 'Okafor', { ...sc, locale: 'de-DE' }), surrogateFor('Patient', 'Okafor', sc));
	});

	it('a different key gives a different surrogate', () => {
		const other = { ...sc, hash: hmacHash(Buffer.from('another key of 32 bytes.........')) };
		const names = ['Okafor', 'Whitfield', 'Menon', 'Pemberton'];
		assert.notDeepEqual(names.map((n) => surrogateFor('Patient', n, sc)), names.map((n) => surrogateFor('Patient', n, other)));
	});
});

describe('date shifting', () => {
	it('keeps the pattern and precision', () => {
		assert.equal(shiftDate('2023-10-12', 30), '2023-11-11');
		assert.equal(shiftDate('10/12/2023', 30), '11/11/2023');
		assert.equal(shiftDate('1/2/23', 1), '1/3/23');
		assert.equal(shiftDate('7/22', 10), '8/1');
		// the digit style of the pair is kept: padded stays padded, single digits stay single
		assert.equal(shiftDate('03/14/2021', 21), '04/04/2021');
		assert.equal(shiftDate('12/14/2021', -10), '12/04/2021');
		assert.equal(shiftDate('3/14/2021', 21), '4/4/2021');
		assert.equal(shiftDate('07/22', 10), '08/01');
		assert.equal(shiftDate('November 4th', 30), 'December 4th');
		assert.equal(shiftDate('Nov 4, 2020', 1), 'Nov 5, 2020');
		assert.equal(shiftDate('2023', 400), '2024');
	});
	it('day-first dates keep their language, form and precision', () => {
		assert.equal(shiftDate('12-Jan-2020', 31), '12-Feb-2020');
		assert.equal(shiftDate('10 Janvier', 31), '10 Février');
		assert.equal(shiftDate('5 de enero de 2021', 1), '6 de enero de 2021');
		assert.equal(shiftDate('4 NOV 2020', 2), '6 NOV 2020');
	});

	it('intervals between dates survive one offset', () => {
		const d = 123;
		const a = new Date(shiftDate('2023-01-01', d)!);
		const b = new Date(shiftDate('2023-03-15', d)!);
		assert.equal((b.getTime() - a.getTime()) / 86400000, 73);
	});
	it('offsets come from the key and the patient, never 0, within range', () => {
		const x = dateShiftDays(hash, 'patient-a');
		assert.equal(x, dateShiftDays(hash, 'patient-a'));
		assert.ok(x !== 0 && Math.abs(x) <= 365);
		const many = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((p) => dateShiftDays(hash, p)));
		assert.ok(many.size > 1);
	});
});

describe('identifier surrogates: a keyed permutation of each shape', () => {
	const all = (shape: (i: number) => string, n: number) => Array.from({ length: n }, (_, i) => shape(i));
	it('every value of a shape maps to another value of that shape, and no two share one', () => {
		for (const [name, values] of [
			['two digits', all((i) => String(i).padStart(2, '0'), 100)],
			['letter and digit', all((i) => String.fromCharCode(65 + Math.floor(i / 10)) + (i % 10), 260)],
			['three digits with a dash', all((i) => `${Math.floor(i / 100)}-${String(i % 100).padStart(2, '0')}`, 1000)],
			['one digit', all((i) => String(i), 10)],
		] as const) {
			const out = values.map((v) => shapeSurrogate(v, hash));
			assert.equal(new Set(out).size, values.length, `${name}: a permutation`);
			out.forEach((o, i) => {
				assert.notEqual(o, values[i], `${name}: no fixed point`);
				assert.equal(o.replace(/\d/g, '9').replace(/[A-Z]/g, 'A'), values[i].replace(/\d/g, '9').replace(/[A-Z]/g, 'A'), `${name}: shape kept`);
			});
		}
	});
	it('depends on the key, keeps case and punctuation, and is used for record numbers and phones', () => {
		const other = hmacHash(Buffer.alloc(32, 9));
		const ids = all((i) => `MRN-${String(4000000 + i * 7919)}`, 200);
		assert.notDeepEqual(ids.map((v) => shapeSurrogate(v, hash)), ids.map((v) => shapeSurrogate(v, other)));
		assert.match(shapeSurrogate('ab-12.XY', hash), /^[a-z]{2}-\d{2}\.[A-Z]{2}$/);
		assert.equal(surrogateFor('MedicalRecord', 'AB-123456', sc), shapeSurrogate('AB-123456', hash));
		assert.equal(surrogateFor('Phone', '(617) 555-0123', sc), shapeSurrogate('(617) 555-0123', hash));
		assert.equal(shapeSurrogate('--', hash), '--');
	});

	it('the cache of small-domain rounds changes no surrogate: a fresh key gives the same values cold and warm', () => {
		const values = [
			...all((i) => `${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(97 + ((i * 7) % 26))}-${i % 1000}`, 600),
			...all((i) => String(1900 + (i % 130)), 130),
			...all((i) => `${(i % 12) + 1}/${(i % 28) + 1}`, 336),
			...all((i) => `z${i % 10}Q`, 10),
		];
		// the second pass runs backwards, so cached halves meet other values
		const fresh = () => hmacHash(Buffer.alloc(32, 23));
		const h1 = fresh();
		const cold = values.map((v) => shapeSurrogate(v, h1));
		const warm = [...values.keys()].reverse().map((i) => [i, shapeSurrogate(values[i], h1)] as const);
		for (const [i, v] of warm) assert.equal(v, cold[i], values[i]);
		// and each value alone, under its own instance of the key (an empty cache), agrees with both
		assert.deepEqual(values.map((v) => shapeSurrogate(v, fresh())), cold);
	});

	it('golden vectors: a key gives the same surrogates release after release (other characters, astral ones too, stay in place)', () => {
		const golden: [string, string][] = [
			['(617) 555-0123', '(226) 250-3435'],
			['MRN 0042-7x', 'LEV 7235-0j'],
			['Zq😀9-aA', 'Fu😀6-vS'],
			['7', '8'],
			['ab-12.XY', 'fp-73.QA'],
			['1234567890123456789012345', '8237587936597877818785986'],
			['é1ü2', 'é0ü7'],
		];
		for (const [value, surrogate] of golden) assert.equal(shapeSurrogate(value, hash), surrogate, value);
	});
});

describe('dictionary names: a keyed permutation of each census list', () => {
	it('permuteIndex is a permutation without fixed points for any size', () => {
		for (const n of [2, 3, 17, 100, 1000, 4275]) {
			const out = Array.from({ length: n }, (_, i) => permuteIndex(i, n, hash, 'test'));
			assert.equal(new Set(out).size, n, `n=${n}: a permutation`);
			assert.ok(out.every((x, i) => x !== i && x >= 0 && x < n), `n=${n}: in range, no fixed point`);
		}
		assert.notDeepEqual(Array.from({ length: 50 }, (_, i) => permuteIndex(i, 50, hash, 'a')), Array.from({ length: 50 }, (_, i) => permuteIndex(i, 50, hash, 'b')));
	});
	it('listed surnames and first names never share a surrogate and keep their gender', () => {
		const raw = dicts.raw;
		const surnames = [...new Set(raw.last.slice(0, 3000).map((n) => n.toLowerCase()))];
		const out = surnames.map((n) => surrogateFor('Patient', `Mr. ${n[0].toUpperCase()}${n.slice(1)}`, sc).slice(4).toLowerCase());
		assert.equal(new Set(out).size, surnames.length);
		assert.ok(out.every((o, i) => o !== surnames[i]));
		const female = raw.firstFemale.slice(0, 300).filter((n) => dicts.firstNames.get(n.toLowerCase())?.gender === 'f');
		const femaleList = new Set(raw.firstFemale.map((n) => n.toLowerCase()));
		for (const n of female) {
			const first = surrogateFor('Patient', `${n} Okafor`, sc).split(' ')[0];
			assert.ok(femaleList.has(first.toLowerCase()), `${n} → ${first}: a female first name`);
		}
	});
	it('every census first name and surname gets its own surrogate word: no two share one, across the three lists', () => {
		const raw = dicts.raw;
		const seen = new Map<string, string>();
		let total = 0;
		const check = (list: string[], text: (n: string) => string, pick: (out: string) => string, kind: string) => {
			for (const n of new Set(list.map((x) => x.toLowerCase()))) {
				const name = n[0].toUpperCase() + n.slice(1);
				const out = pick(surrogateFor('Patient', text(name), sc)).toLowerCase();
				assert.notEqual(out, n);
				const prev = seen.get(out);
				assert.equal(prev, undefined, `${kind} ${n} → ${out}, already the surrogate of ${prev}`);
				seen.set(out, `${kind} ${n}`);
				total++;
			}
		};
		// a listed first name before a surname is a first name of its gender; a lone word after a title, a surname
		check(raw.firstFemale.filter((n) => dicts.firstNames.get(n.toLowerCase())?.gender === 'f'), (n) => `${n} Zzyzx`, (o) => o.split(' ')[0], 'female');
		check(raw.firstMale.filter((n) => dicts.firstNames.get(n.toLowerCase())?.gender === 'm'), (n) => `${n} Zzyzx`, (o) => o.split(' ')[0], 'male');
		check(raw.last, (n) => `Mr. ${n}`, (o) => o.slice(4), 'surname');
		assert.ok(total > 90000, `${total} names`);
	});
	it('states (by name or abbreviation), professions and countries map to others of their list, never two to one', () => {
		const states = dicts.raw.states;
		const byName = states.map(([n]) => surrogateFor('State', n, sc));
		const byAbbr = states.map(([, a]) => surrogateFor('State', a, sc));
		assert.equal(new Set(byName).size, states.length);
		byName.forEach((s, i) => {
			assert.notEqual(s, states[i][0]);
			// the name and the abbreviation of one state stay one state
			assert.deepEqual(states.find(([n]) => n === s)?.[1], byAbbr[i]);
		});
		assert.equal(surrogateFor('State', states[0][0].toUpperCase(), sc), byName[0].toUpperCase());
		for (const list of [PROFESSIONS_EN, PROFESSIONS_ES]) {
			const out = list.map((w) => surrogateFor('Profession', w, sc));
			assert.equal(new Set(out).size, new Set(list).size, 'professions never share a surrogate');
			out.forEach((o, i) => (assert.notEqual(o, list[i]), assert.ok(list.includes(o), `${list[i]} → ${o}: same language`)));
		}
		const countries = [...new Set(dicts.raw.countries.map((c) => c.toLowerCase()))];
		const outC = countries.map((c) => surrogateFor('CountryOrRegion', c, sc).toLowerCase());
		assert.equal(new Set(outC).size, countries.length);
		assert.ok(outC.every((o, i) => o !== countries[i]));
	});
});
