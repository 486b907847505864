import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { deidentifyDocument, detect } from '../../server/src/engine';
import { hmacHash } from '../../server/src/node/hash';
import { dicts } from '../helpers/engine';
import { mulberry32 } from '../../bench/random.mjs';

const TEMPLATE_WORDS = new Set(['mrs', 'mrn', 'was', 'seen', 'by', 'dr', 'on', 'call', 'or', 'write', 'to', 'foley', 'in', 'place']);

describe('surrogate property: no original PHI survives', () => {
	it('over 2,000 generated notes, no planted value remains and a re-scan finds only surrogates', () => {
		const rnd = mulberry32(42);
		const pick = <T>(l: readonly T[], top = l.length) => l[Math.floor(rnd() * Math.min(top, l.length))];
		const raw = dicts.raw;
		const sc = { dicts, hash: hmacHash(Buffer.alloc(32, 7)), dateShiftDays: 41, memo: new Map<string, string>() };
		const leaks: string[] = [];
		let rescanOriginal = 0;
		for (let n = 0; n < 2000; n++) {
			const first = pick(rnd() < 0.5 ? raw.firstMale : raw.firstFemale, 300);
			const last = pick(raw.last, 3000);
			const doc = pick(raw.last, 3000);
			const mrn = String(1000000 + Math.floor(rnd() * 8999999));
			const phone = `${200 + Math.floor(rnd() * 700)}-555-${String(Math.floor(rnd() * 10000)).padStart(4, '0')}`;
			const date = `${1 + Math.floor(rnd() * 12)}/${1 + Math.floor(rnd() * 28)}/20${10 + Math.floor(rnd() * 20)}`;
			const email = `${first.toLowerCase()}.${last.toLowerCase()}@example.org`;
			const text = `Mrs. ${first} ${last} (MRN: ${mrn}) was seen by Dr. ${doc} on ${date}. Call ${phone} or write to ${email}. Foley in place.`;
			// (names that are also words of the template itself, such as Foley, are not counted as leaks)
			const planted = [first, last, doc, mrn, phone, date, email].filter((v) => v.length > 2 && !TEMPLATE_WORDS.has(v.toLowerCase()));
			const out = deidentifyDocument(text, 'text', dicts, {}, { operation: 'surrogate', surrogate: sc }).output;
			for (const v of planted) {
				const re = new RegExp(`(?<![\\p{L}\\p{N}])${v.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'iu');
				if (re.test(out)) leaks.push(`${v} in: ${out}`);
			}
			for (const f of detect(out, dicts)) if (planted.some((v) => v.toLowerCase() === out.slice(f.start, f.end).toLowerCase())) rescanOriginal++;
		}
		assert.deepEqual(leaks.slice(0, 5), []);
		assert.equal(rescanOriginal, 0);
	});
});
