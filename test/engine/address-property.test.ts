import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { deidentifyDocument, detect, type EntityType } from '../../server/src/engine';
import { STREET_WORDS } from '../../server/src/engine/detect/addresses';
import { hmacHash } from '../../server/src/node/hash';
import { dicts } from '../helpers/engine';
import { mulberry32 } from '../../bench/random.mjs';

// Full addresses in the common shapes, with values drawn from the dictionaries (surnames as street names, the
// city lists as towns, the state list) and generated numbers and codes. No part of an address may survive a
// surrogate or a redaction, and tagging finds each part as its own type.

interface Part {
	value: string;
	type: EntityType;
}
interface Planted {
	text: string;
	parts: Part[];
}

const WORD = /^[A-Z][a-z]{2,}$/;
const seed = Number(process.env.DEID_SEED ?? Math.floor(Math.random() * 2 ** 31));

function generator(rnd: () => number) {
	const raw = dicts.raw;
	const int = (n: number) => Math.floor(rnd() * n);
	const pick = <T>(l: readonly T[]) => l[int(l.length)];
	const stateWords = new Set(raw.states.flatMap(([n, a]) => [...n.toLowerCase().split(' '), a.toLowerCase()]));
	const plain = (w: string) => WORD.test(w) && !STREET_WORDS.has(w.toLowerCase()) && !stateWords.has(w.toLowerCase()) && (dicts.englishWords.get(w.toLowerCase()) ?? 99) > 40;
	const streets = raw.last.slice(0, 5000).filter(plain);
	const townsOf = (list: readonly string[]) => list.filter((c) => c.split(' ').length <= 3 && c.split(' ').every(plain));
	const usTowns = townsOf(raw.cities);
	const ukTowns = townsOf(raw.locales?.['en-GB']?.cities ?? []);
	const caTowns = townsOf(raw.locales?.['fr-CA']?.cities ?? []);
	const suffixes = ['Street', 'St', 'Avenue', 'Ave', 'Road', 'Rd', 'Drive', 'Dr.', 'Lane', 'Ln', 'Boulevard', 'Blvd', 'Court', 'Ct', 'Way', 'Place', 'Terrace', 'Circle'];
	const letter = () => String.fromCharCode(65 + int(26));
	const digits = (n: number) => String(10 ** (n - 1) + int(9 * 10 ** (n - 1)));
	return (): Planted => {
		// numbers of different lengths, so no surrogate of one can be mistaken for another
		const numLen = 1 + int(4);
		const num = digits(numLen);
		const street = pick(streets);
		const suffix = pick(suffixes);
		// (a ZIP code that ends in 00 is its own Safe Harbor surrogate: its first three digits are kept)
		let zip5 = digits(5);
		while (zip5.endsWith('00')) zip5 = digits(5);
		const zip = zip5 + (rnd() < 0.3 ? '-' + digits(4) : '');
		const [stateName, abbr] = pick(raw.states);
		const state = rnd() < 0.7 ? abbr : stateName;
		const unitNo = numLen === 1 ? digits(2) + (rnd() < 0.5 ? letter() : '') : digits(1) + letter();
		const unit = pick(['Apt', 'Apt.', 'Unit', 'Suite', '#']) + (rnd() < 0.5 ? ' ' : ' ') + unitNo;
		const label = rnd() < 0.5 ? 'Address: ' : '';
		const lead = label ? label : pick(['Lives at ', 'Home address is ', 'Mailing address on file: ']);
		const usParts = (town: string): Part[] => [
			{ value: num, type: 'Street' },
			{ value: street, type: 'Street' },
			{ value: town, type: 'City' },
			{ value: zip, type: 'Zip' },
		];
		const shape = int(9);
		if (shape <= 5) {
			const town = pick(usTowns);
			const line = `${num} ${street} ${suffix}`;
			const withUnit = shape === 2 ? `${line}, ${unit}` : shape === 3 ? `${line} ${unit}` : line;
			const parts = usParts(town);
			if (shape === 2 || shape === 3) parts.splice(2, 0, { value: unitNo, type: 'Street' });
			const text =
				shape === 1 ? `${lead}${withUnit} ${town} ${state} ${zip}` // no commas
				: shape === 4 ? `${label || 'Address:'}\n${withUnit}\n${town}, ${state} ${zip}` // lines
				: shape === 5 ? `${lead}${withUnit}, ${town}, ${state} ${zip}, USA`
				: `${lead}${withUnit}, ${town}, ${state} ${zip}`;
			return { text: `Seen in clinic today. ${text}. Follow up in two weeks.`, parts };
		}
		if (shape === 6) {
			const town = pick(usTowns);
			const box = digits(numLen + 1);
			const text = `${lead}${pick(['PO Box', 'P.O. Box', 'P.O. BOX'])} ${box}, ${town}, ${state} ${zip}`;
			return { text: `Seen in clinic today. ${text}. Follow up in two weeks.`, parts: [{ value: box, type: 'Street' }, { value: town, type: 'City' }, { value: zip, type: 'Zip' }] };
		}
		if (shape === 7) {
			// UK: town and postcode, no state
			const town = pick(ukTowns);
			const postcode = `${letter()}${letter()}${1 + int(9)} ${int(10)}${letter()}${letter()}`;
			const text = rnd() < 0.5 ? `${lead}${num} ${street} ${suffix}, ${town} ${postcode}` : `${label || 'Address:'}\n${num} ${street} ${suffix}\n${town}\n${postcode}\nUK`;
			return { text: `Seen in clinic today. ${text}. Follow up in two weeks.`, parts: [{ value: num, type: 'Street' }, { value: street, type: 'Street' }, { value: town, type: 'City' }, { value: postcode, type: 'Zip' }] };
		}
		// Canada: town, province, postal code
		const town = pick(caTowns);
		const postal = `${letter()}${int(10)}${letter()} ${int(10)}${letter()}${int(10)}`;
		const province = pick(['ON', 'QC', 'BC', 'AB', 'MB', 'NS']);
		const text = `${lead}${num} ${street} ${suffix}, ${town}, ${province} ${postal}${rnd() < 0.5 ? ', Canada' : ''}`;
		return { text: `Seen in clinic today. ${text}. Follow up in two weeks.`, parts: [{ value: num, type: 'Street' }, { value: street, type: 'Street' }, { value: town, type: 'City' }, { value: postal, type: 'Zip' }] };
	};
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const present = (out: string, v: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(v)}(?![\\p{L}\\p{N}])`, 'iu').test(out);

describe('address property: no part of a planted address survives', () => {
	const rnd = mulberry32(seed);
	const next = generator(rnd);
	const samples = Array.from({ length: 400 }, next);
	const sc = { dicts, hash: hmacHash(Buffer.alloc(32, 11)), dateShiftDays: 41, memo: new Map<string, string>() };

	for (const operation of ['surrogate', 'redact'] as const) {
		it(`${operation}: street number, street name, town and postal code are all gone (seed ${seed})`, () => {
			const leaks: string[] = [];
			for (const s of samples) {
				const out = deidentifyDocument(s.text, 'text', dicts, {}, { operation, surrogate: sc }).output;
				for (const p of s.parts) if (present(out, p.value)) leaks.push(`${p.type} part in ${JSON.stringify(s.text)} → ${JSON.stringify(out)}`);
			}
			assert.deepEqual(leaks.slice(0, 5), [], `seed ${seed}: ${leaks.length} leaks (DEID_SEED=${seed} repeats the run)`);
		});
	}

	it(`tag: each part is found as its own type (seed ${seed})`, () => {
		const wrong: string[] = [];
		for (const s of samples) {
			const fs = detect(s.text, dicts);
			// the parts in their order (a street may be named like its town)
			let from = 0;
			for (const p of s.parts) {
				const re = new RegExp(`(?<![\\p{L}\\p{N}])${escape(p.value)}(?![\\p{L}\\p{N}])`, 'gu');
				re.lastIndex = from;
				const at = re.exec(s.text)!.index;
				from = at + p.value.length;
				const f = fs.find((x) => x.start <= at && x.end >= at + p.value.length);
				if (!f || f.type !== p.type) wrong.push(`${p.type} part found as ${f?.type ?? 'nothing'} in ${JSON.stringify(s.text)}`);
			}
		}
		assert.deepEqual(wrong.slice(0, 5), [], `seed ${seed}: ${wrong.length} parts (DEID_SEED=${seed} repeats the run)`);
	});
});

describe('a house number never comes out as itself', () => {
	it('every number from 1 to 999 in "Address: <n> Oak Street." gets another number (one fixed key)', () => {
		const sc = { dicts, hash: hmacHash(Buffer.alloc(32, 11)), dateShiftDays: 41, memo: new Map<string, string>() };
		const same: number[] = [];
		for (let n = 1; n <= 999; n++) {
			const out = deidentifyDocument(`Address: ${n} Oak Street.`, 'text', dicts, {}, { operation: 'surrogate', surrogate: sc }).output;
			if (/\d+/.exec(out)?.[0] === String(n)) same.push(n);
		}
		// with this key, 273 came back as itself through the leading-zero repair ("073" → "273")
		assert.deepEqual(same, []);
	});
});
