import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ENTITY_TYPES, detect, mergeOverlaps, shapeSurrogate, splitStreet, surrogateFor, transformText, type EntityType, type Finding, type KeyedHash, type SurrogateContext, type TransformOptions } from '../../server/src/engine';
import { MAX_MERGED_SPAN } from '../../server/src/engine/detect/detect';
import { hmacHash } from '../../server/src/node/hash';
import { dicts } from '../helpers/engine';
import { assertLinear } from '../helpers/linear';
import { mulberry32 } from '../../bench/random.mjs';

// Every transform (tag, each redaction format, masks, surrogates of every type, date shift) must cost time in
// proportion to the text: adversarial documents whose findings chain or whose values are long and repetitive.
const DOCUMENTS: [string, (n: number) => string][] = [
	['month-day chains', (n) => 'Jan 1 '.repeat(n / 6)],
	['day-month chains', (n) => '1 Jan 2 Feb '.repeat(n / 12)],
	['digit runs', (n) => '1'.repeat(n)],
	['spaced digits', (n) => '12345678 '.repeat(n / 9)],
	['capitalised words', (n) => 'Ab Cd '.repeat(n / 6)],
	['titled names', (n) => 'Dr. Ab Cd and Mrs. Ef Gh, '.repeat(n / 26)],
	['address runs', (n) => '12 Ab St, Apt 4, Cd, MA 02115 '.repeat(n / 30)],
	['street words', (n) => '12 Oak Ave '.repeat(n / 11)],
	['e-mail runs', (n) => 'ab.cd@ef.com '.repeat(n / 13)],
	['at signs', (n) => 'a@'.repeat(n / 2)],
	['numeric dates', (n) => '01/02/2020 '.repeat(n / 11)],
	['phones', (n) => '617-555-0199 '.repeat(n / 13)],
	['blank runs in a street', (n) => '12 Ab' + ' '.repeat(n) + 'St'],
	['place names', (n) => 'Boston, MA and Albany, NY. '.repeat(n / 27)],
];

/** A keyed hash that counts the characters it is given (the surrogates' own measure of work). */
function countingHash(seed: number): { hash: KeyedHash; chars: () => number } {
	const inner = hmacHash(Buffer.alloc(32, seed));
	let chars = 0;
	return { hash: (d) => ((chars += d.length), inner(d)), chars: () => chars };
}

let keySeed = 1;
/** A fresh context each run (fresh key, so no cache of an earlier run answers). */
function surrogateContext(extra: Partial<SurrogateContext> = {}): SurrogateContext {
	return { dicts, hash: hmacHash(Buffer.alloc(32, keySeed++ % 250)), dateShiftDays: 41, memo: new Map(), ...extra };
}

const OPERATIONS: [string, () => TransformOptions][] = [
	['tag', () => ({ operation: 'tag' })],
	['redact [{TYPE}]', () => ({ operation: 'redact' })],
	['redact {type}', () => ({ operation: 'redact', redactionFormat: '{type}' })],
	['redact *{len}', () => ({ operation: 'redact', redactionFormat: '*{len}' })],
	['redact <{Type}:x{len}>', () => ({ operation: 'redact', redactionFormat: '<{Type}:x{len}>' })],
	['mask', () => ({ operation: 'redact', policy: { default: { strategy: 'mask' } } })],
	['fixed mask', () => ({ operation: 'redact', policy: { default: { strategy: 'fixedMask', length: 6 } } })],
	['surrogate (date shift)', () => ({ operation: 'surrogate', surrogate: surrogateContext() })],
	['surrogate en-GB', () => ({ operation: 'surrogate', surrogate: surrogateContext({ locale: 'en-GB' }) })],
	['surrogate with claims', () => ({ operation: 'surrogate', surrogate: surrogateContext({ saltOf: () => 0, claim: () => undefined }) })],
];

describe('every transform is linear in the text', () => {
	for (const [docName, make] of DOCUMENTS) {
		// detection once per size: the transforms are what is measured here (detection has linear.test.ts)
		const cache = new Map<number, { text: string; findings: Finding[] }>();
		const doc = (n: number) => {
			let d = cache.get(n);
			if (!d) {
				const text = make(n);
				cache.set(n, (d = { text, findings: detect(text, dicts) }));
			}
			return d;
		};
		for (const [opName, options] of OPERATIONS) {
			it(`${opName} on ${docName}`, () => {
				assertLinear(`${opName} on ${docName}`, doc, (d) => transformText(d.text, d.findings, options()));
			});
		}
		it(`surrogates of ${docName} hash work in proportion to the text`, () => {
			const work = (n: number) => {
				const d = doc(n);
				const h = countingHash(9);
				transformText(d.text, d.findings, { operation: 'surrogate', surrogate: { dicts, hash: h.hash, dateShiftDays: 41, memo: new Map() } });
				return h.chars();
			};
			const a = work(4000);
			const b = work(32000);
			assert.ok(b <= a * 12 + 4000, `${docName}: ${a} hashed characters for 4k, ${b} for 32k`);
		});
	}
});

// One long value of each type (a detector's own finding can be long: a URL, an identifier, a labelled field).
const VALUES: [string, (n: number) => string][] = [
	['month-day chain', (n) => 'Jan 1 '.repeat(n / 6).trim()],
	['digits', (n) => '7'.repeat(n)],
	['words', (n) => 'Ab Cd '.repeat(n / 6).trim()],
	['surname first', (n) => 'Ab, ' + 'Cd '.repeat(n / 3).trim()],
	['street with blanks', (n) => '12 Ab' + ' '.repeat(n) + 'Cd St'],
	['street words', (n) => '12 ' + 'Oak '.repeat(n / 4) + 'Ave'],
	['letters and digits', (n) => 'a1-'.repeat(n / 3)],
];

describe('every surrogate is linear in its value', () => {
	for (const type of ENTITY_TYPES) {
		for (const [shape, make] of VALUES) {
			it(`${type}: ${shape}`, () => {
				assertLinear(`${type}: ${shape}`, make, (v) => surrogateFor(type as EntityType, v, surrogateContext()), { small: 2000 });
				const work = (n: number) => {
					const h = countingHash(3);
					surrogateFor(type as EntityType, make(n), { dicts, hash: h.hash, dateShiftDays: 41 });
					return h.chars();
				};
				const a = work(2000);
				const b = work(16000);
				assert.ok(b <= a * 12 + 4000, `${type} ${shape}: ${a} hashed characters for 2k, ${b} for 16k`);
			});
		}
	}
});

describe('merged findings are bounded', () => {
	it('a chain of overlapping dates is cut into pieces that cover every character', () => {
		const text = 'Jan 1 '.repeat(5000);
		const fs = detect(text, dicts);
		assert.ok(fs.length > 1);
		for (const f of fs) assert.ok(f.end - f.start <= MAX_MERGED_SPAN, `a finding of ${f.end - f.start} characters`);
		// one run of covered characters from the first "Jan" to the last "1", with no gap and no overlap
		for (let i = 1; i < fs.length; i++) assert.ok(fs[i].start >= fs[i - 1].end);
		const covered = fs.reduce((s, f) => s + f.end - f.start, 0);
		assert.equal(covered, text.trimEnd().length - fs[0].start);
	});

	it('random overlapping findings: same characters covered, no overlap, bounded unless one finding was longer', () => {
		const seed = Number(process.env.DEID_SEED ?? Math.floor(Math.random() * 2 ** 31));
		const rnd = mulberry32(seed);
		for (let round = 0; round < 200; round++) {
			const len = 2000;
			const input: Finding[] = [];
			for (let k = 0; k < 150; k++) {
				const start = Math.floor(rnd() * len);
				const long = rnd() < 0.02;
				const end = Math.min(len, start + 1 + Math.floor(rnd() * (long ? 400 : 40)));
				input.push({ start, end, type: ENTITY_TYPES[Math.floor(rnd() * ENTITY_TYPES.length)], confidence: rnd(), detector: 'x' });
			}
			const out = mergeOverlaps(input);
			const want = new Uint8Array(len);
			for (const f of input) want.fill(1, f.start, f.end);
			const got = new Uint8Array(len);
			for (const f of out) got.fill(1, f.start, f.end);
			assert.deepEqual(got, want, `seed ${seed}: coverage changed`);
			const longest = Math.max(...input.map((f) => f.end - f.start));
			for (let i = 0; i < out.length; i++) {
				if (i > 0) assert.ok(out[i].start >= out[i - 1].end, `seed ${seed}: overlap`);
				assert.ok(out[i].end - out[i].start <= Math.max(MAX_MERGED_SPAN, longest), `seed ${seed}: ${out[i].end - out[i].start} characters`);
			}
		}
	});
});

describe('long values keep the surrogate properties', () => {
	const hash = hmacHash(Buffer.alloc(32, 5));
	it('a long value keeps its shape, never maps to itself, and one changed character changes the surrogate', () => {
		const v = 'AB-1234-xyz '.repeat(40);
		const s = shapeSurrogate(v, hash);
		assert.equal(s.length, v.length);
		assert.equal(s.replace(/[0-9]/g, '9').replace(/[a-z]/g, 'a').replace(/[A-Z]/g, 'A'), v.replace(/[0-9]/g, '9').replace(/[a-z]/g, 'a').replace(/[A-Z]/g, 'A'));
		assert.notEqual(s, v);
		assert.equal(shapeSurrogate(v, hash), s);
		const w = v.slice(0, 100) + (v[100] === '1' ? '2' : '1') + v.slice(101);
		assert.notEqual(shapeSurrogate(w, hash), s);
	});

	it('splitStreet finds the parts the street pattern found', () => {
		const seed = Number(process.env.DEID_SEED ?? Math.floor(Math.random() * 2 ** 31));
		const rnd = mulberry32(seed);
		const alphabet = ['1', '2', ' ', ' ', '\t', '\n', 'a', 'B', '.', ',', '\u00a0'];
		for (let k = 0; k < 20000; k++) {
			let v = '';
			const len = Math.floor(rnd() * 14);
			for (let i = 0; i < len; i++) v += alphabet[Math.floor(rnd() * alphabet.length)];
			const m = /^(\d+)(\s+)(.*?)(\s+\S+\.?)$/.exec(v);
			assert.deepEqual(splitStreet(v), m ? [m[1], m[2], m[3], m[4]] : undefined, `seed ${seed}: ${JSON.stringify(v)}`);
		}
	});
});
