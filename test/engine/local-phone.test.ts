import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { deidentifyDocument } from '../../server/src/engine';
import { hmacHash } from '../../server/src/node/hash';
import { dicts, find } from '../helpers/engine';
import { mulberry32 } from '../../bench/random.mjs';

// Seven-digit local numbers: a generated family of contexts where they are phones, and of clinical number
// shapes that look alike (ranges, lab values, doses, identifiers) where they are not.
const seed = Number(process.env.DEID_SEED ?? Math.floor(Math.random() * 2 ** 31));
const rnd = mulberry32(seed);
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(l: readonly T[]) => l[int(l.length)];
const exchange = () => String(200 + int(800));
const line = () => String(int(10000)).padStart(4, '0');

const PHONE_CONTEXTS = [
	(n: string) => `Patient called ${n} today to ask about refills.`,
	(n: string) => `Daughter can be reached at ${n} in the evening.`,
	(n: string) => `Call her at ${n} with results.`,
	(n: string) => `Wife's cell: ${n}.`,
	(n: string) => `Home phone ${n}; work ${n.slice(0, 3)}-0000 is disconnected.`,
	(n: string) => `Pt's mom texted from ${n} this morning`.replace('from ', 'number '),
	(n: string) => `Phoned ${n}, left a message.`,
	(n: string) => `Contact:\n${n}\n`,
	(n: string) => `Pager ${n}.`,
];
const NOT_PHONES = [
	() => `Platelets ${exchange()}-${line()} over the last week.`,
	() => `Normal range ${exchange()}-${line()} mg/dL.`,
	() => `Target ${exchange()}-${1000 + int(9000)} mL per day.`,
	() => `Dose titrated ${exchange()}-${1000 + int(9000)} units.`,
	() => `Fibrinogen ${exchange()}.${line()} g/L`,
	() => `Glucose ranged ${exchange()}-${1000 + int(9000)} overnight.`,
	() => `Lab range 120-${1000 + int(9000)} and 3.5-5.0.`,
	() => `Seen ${1 + int(12)}/${1 + int(28)}/${2000 + int(24)}, follow-up 2-4 weeks.`,
	() => `Lot ${exchange()}-${line()}-${line()} of the vaccine.`,
	() => `Shift ${700 + int(200)}-${1900 + int(50)} staffing.`,
	() => `Account ${exchange()}-${line()}-${int(10)}.`,
	() => `Between ${exchange()} and ${exchange()}-${line()} mcg given.`,
];

describe('seven-digit local phone numbers', () => {
	it(`are found after a phone word or contact verb, or alone on their line (seed ${seed})`, () => {
		const missed: string[] = [];
		for (let k = 0; k < 300; k++) {
			const n = `${exchange()}${pick(['-', '-', '.'])}${line()}`;
			const make = pick(PHONE_CONTEXTS);
			const text = make(n);
			if (n.includes('.') && text.includes(`\n${n}\n`)) continue; // a dotted number needs its word
			const at = text.indexOf(n);
			const f = find(text).find((x) => x.start <= at && x.end >= at + n.length);
			if (!f || f.type !== 'Phone') missed.push(`${JSON.stringify(text)}: ${f?.type ?? 'nothing'}`);
		}
		assert.deepEqual(missed.slice(0, 5), [], `seed ${seed}: ${missed.length} missed`);
	});

	it(`are not found in ranges, lab values, doses or identifiers (seed ${seed})`, () => {
		const wrong: string[] = [];
		for (let k = 0; k < 300; k++) {
			const text = pick(NOT_PHONES)();
			for (const f of find(text)) if (f.type === 'Phone' || f.type === 'Fax') wrong.push(`${JSON.stringify(text)}: ${JSON.stringify(text.slice(f.start, f.end))}`);
		}
		assert.deepEqual(wrong.slice(0, 5), [], `seed ${seed}: ${wrong.length} false phones`);
	});

	it('a FHIR telecom value without its system is a phone, and the surrogate replaces it', () => {
		const sc = { dicts, hash: hmacHash(Buffer.alloc(32, 3)), dateShiftDays: 10, memo: new Map<string, string>() };
		const line = '{"resourceType":"Patient","telecom":[{"value":"555-0199"}]}';
		const r = deidentifyDocument(line, 'ndjson', dicts, {}, { operation: 'surrogate', surrogate: sc });
		assert.equal(r.counts.Phone, 1);
		assert.ok(!r.output.includes('555-0199'), r.output);
		assert.match(r.output, /"value":"\d{3}-\d{4}"/);
		const text = deidentifyDocument('Patient called 555-0199 today.', 'text', dicts, {}, { operation: 'redact' }).output;
		assert.equal(text, 'Patient called [PHONE] today.');
	});
});
