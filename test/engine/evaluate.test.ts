import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
	AnnotationError, emptyCounts, parseBrat, parseJsonAnnotations, parseLabelMapping, resolveLabels, scoreDocument, summarize, toBrat, toJsonAnnotations,
	type TypedSpan,
} from '../../server/src/engine/evaluate';

const TEXT = 'Seen by Dr. Ruiz on 3/14/2031.\nPatient Ana\nLopez, 91 years.';

describe('brat parser', () => {
	it('reads T lines, skips other kinds, splits discontinuous spans into fragments, handles CRLF', () => {
		const ann = 'T1\tNOMBRE_PERSONAL_SANITARIO 12 16\tRuiz\r\n#1\tAnnotatorNotes T1\tx\nR1\tRel Arg1:T1 Arg2:T2\nA1\tNeg T1\nT2\tPATIENT 39 42;43 48\tAna Lopez\n\n';
		assert.deepEqual(parseBrat(ann, 'a.ann'), [
			{ label: 'NOMBRE_PERSONAL_SANITARIO', start: 12, end: 16, line: 1 },
			{ label: 'PATIENT', start: 39, end: 42, line: 5 },
			{ label: 'PATIENT', start: 43, end: 48, line: 5 },
		]);
	});
	it('names the file and line of a malformed T line, never its text', () => {
		const cases = ['T1\tPATIENT 1 x\tSECRETNAME', 'T1 PATIENT 1 4 SECRETNAME', 'T1\tPATIENT 5 3\tSECRETNAME', 'T1\tPATIENT 1 4;7\tSECRETNAME', 'T1\tPA:TIENT 1 4\tSECRETNAME', 'Tx\tPATIENT 1 4\tSECRETNAME'];
		for (const line of cases) {
			assert.throws(() => parseBrat('T9\tDATE 0 2\tok\n' + line + '\n', 'dir/a.ann'), (e: unknown) => {
				assert.ok(e instanceof AnnotationError, line);
				assert.match(e.message, /^dir\/a\.ann:2: /);
				assert.doesNotMatch(e.message, /SECRET/);
				return true;
			});
		}
		assert.throws(() => parseBrat('T1\tDATE 0 200\tx\n', 'a.ann', 100), /a\.ann:1: span ends at 200, past the end of the text \(100\)/);
	});
});

describe('JSON annotations', () => {
	it('round-trip through the writer, sorted, with types and offsets only', () => {
		const spans: TypedSpan[] = [{ type: 'Date', start: 20, end: 29 }, { type: 'Doctor', start: 12, end: 16 }];
		const json = toJsonAnnotations(spans);
		assert.deepEqual(JSON.parse(json), { version: 1, annotations: [{ type: 'Doctor', start: 12, end: 16 }, { type: 'Date', start: 20, end: 29 }] });
		assert.deepEqual(parseJsonAnnotations(json, 'a.deid.json').map((s) => [s.label, s.start, s.end]), [['Doctor', 12, 16], ['Date', 20, 29]]);
	});
	it('reject malformed files naming the file and entry, never echoing the input', () => {
		const bad = ['{"version":1,"annotations":[SECRETNAME]}', '[]', '{"version":2,"annotations":[]}', '{"version":1}', '{"version":1,"annotations":[{"type":"SECRETNAME","start":0,"end":1}]}',
			'{"version":1,"annotations":[{"type":"Patient","start":3,"end":3}]}', '{"version":1,"annotations":[{"type":"Patient","start":0.5,"end":3}]}', '{"version":1,"annotations":[null]}'];
		for (const json of bad) {
			assert.throws(() => parseJsonAnnotations(json, 'n.deid.json'), (e: unknown) => {
				assert.ok(e instanceof AnnotationError, json);
				assert.match(e.message, /^n\.deid\.json: /);
				assert.doesNotMatch(e.message, /SECRET/);
				return true;
			});
		}
		assert.throws(() => parseJsonAnnotations('{"version":1,"annotations":[{"type":"Patient","start":0,"end":9}]}', 'n.deid.json', 5), /annotations\[0\]: span ends at 9/);
	});
});

describe('brat writer', () => {
	it('round-trips through the parser; a span over a line break becomes fragments without it', () => {
		const spans: TypedSpan[] = [{ type: 'Patient', start: 39, end: 48 }, { type: 'Doctor', start: 12, end: 16 }, { type: 'Date', start: 20, end: 29 }];
		const ann = toBrat(spans, TEXT);
		assert.equal(ann, 'T1\tDoctor 12 16\tRuiz\nT2\tDate 20 29\t3/14/2031\nT3\tPatient 39 42;43 48\tAna Lopez\n');
		const back = resolveLabels(parseBrat(ann, 'a.ann', TEXT.length)).gold;
		assert.deepEqual(back.map((g) => [g.type, g.start, g.end]), [['Doctor', 12, 16], ['Date', 20, 29], ['Patient', 39, 42], ['Patient', 43, 48]]);
		// CRLF: both characters of the break are left out
		assert.equal(toBrat([{ type: 'Patient', start: 0, end: 6 }], 'Ab\r\nCd'), 'T1\tPatient 0 2;4 6\tAb Cd\n');
	});
});

describe('label mapping', () => {
	it('maps MEDDOCAN, i2b2 and PhysioNet labels and our own names; a user file overrides; null leaves a label out', () => {
		const spans = ['NOMBRE_SUJETO_ASISTENCIA', 'LOCATION-OTHER', 'HCPName', 'medicalRecord', 'SEXO_SUJETO_ASISTENCIA', 'MYLABEL', 'IDNUM'].map((label, i) => ({ label, start: i, end: i + 1, line: i + 1 }));
		const r = resolveLabels(spans);
		assert.deepEqual(r.gold.map((g) => g.type), ['Patient', 'LocationOther', 'Doctor', 'MedicalRecord', undefined, 'IDNum']);
		assert.deepEqual(r.ignored, [{ start: 4, end: 5 }]);
		assert.deepEqual(r.unmapped, ['MYLABEL']);
		const { mapping } = parseLabelMapping({ MYLABEL: 'Hospital', IDNUM: null });
		const u = resolveLabels(spans, mapping);
		assert.deepEqual(u.gold.map((g) => g.type), ['Patient', 'LocationOther', 'Doctor', 'MedicalRecord', 'Hospital']);
		assert.deepEqual(u.unmapped, []);
		assert.equal(parseLabelMapping({ X: 'Nurse' }).mapping, undefined);
		assert.equal(parseLabelMapping([]).mapping, undefined);
	});
});

/** The shared brat scorer's definitions, written the plain way (fills, sets), for comparison. */
function reference(text: string, gold: { start: number; end: number }[], ignored: { start: number; end: number }[], found: TypedSpan[]) {
	const inGold = new Uint8Array(text.length), inIgnored = new Uint8Array(text.length), covered = new Uint8Array(text.length);
	for (const g of gold) inGold.fill(1, g.start, g.end);
	for (const g of ignored) inIgnored.fill(1, g.start, g.end);
	const f = found.filter((x) => x.end > x.start);
	for (const x of f) covered.fill(1, x.start, Math.min(x.end, text.length));
	let goldChars = 0, goldHit = 0, predChars = 0, predIn = 0;
	for (let i = 0; i < text.length; i++) {
		if (/\s/.test(text[i])) continue;
		if (inGold[i]) { goldChars++; if (covered[i]) goldHit++; }
		if (covered[i] && !inIgnored[i]) { predChars++; if (inGold[i]) predIn++; }
	}
	const goldKeys = new Set(gold.map((g) => `${g.start}:${g.end}`));
	const predKeys = new Set(f.filter((x) => !ignored.some((g) => x.start >= g.start && x.end <= g.end)).map((x) => `${x.start}:${x.end}`));
	let exact = 0;
	for (const k of predKeys) if (goldKeys.has(k)) exact++;
	return { gold: goldKeys.size, predicted: predKeys.size, matched: exact, chars: { gold: goldChars, goldCovered: goldHit, predicted: predChars, predictedInGold: predIn } };
}

function rng(seed: number) {
	return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

describe('scoring', () => {
	it('counts strict spans typed and type-blind, and characters, per type', () => {
		const gold = resolveLabels([
			{ label: 'Doctor', start: 12, end: 16, line: 1 },
			{ label: 'Date', start: 20, end: 29, line: 2 },
			{ label: 'Patient', start: 39, end: 48, line: 3 },
		]).gold;
		const predicted: TypedSpan[] = [{ type: 'Patient', start: 12, end: 16 }, { type: 'Date', start: 20, end: 29 }, { type: 'Patient', start: 39, end: 42 }];
		const r = summarize(scoreDocument({ text: TEXT, gold, predicted }));
		assert.deepEqual([r.strict.gold, r.strict.predicted, r.strict.matched], [3, 3, 2]);
		assert.deepEqual([r.strictTyped.gold, r.strictTyped.predicted, r.strictTyped.matched], [3, 3, 1]);
		assert.deepEqual(r.perType.Doctor.strict, { gold: 1, predicted: 0, matched: 0, precision: 0, recall: 0, f1: 0 });
		assert.deepEqual([r.perType.Patient.strict.gold, r.perType.Patient.strict.predicted, r.perType.Patient.strict.matched], [1, 2, 0]);
		// Patient: gold "Ana\nLopez" = 8 non-blank characters; predicted "Ruiz" (not Patient gold) + "Ana"
		assert.deepEqual(r.perType.Patient.chars, { gold: 8, goldCovered: 3, predicted: 7, predictedInGold: 3, precision: 3 / 7, recall: 3 / 8, f1: (2 * (3 / 7) * (3 / 8)) / (3 / 7 + 3 / 8) });
		assert.deepEqual([r.chars.gold, r.chars.goldCovered, r.chars.predicted, r.chars.predictedInGold], [21, 16, 16, 16]);
		assert.deepEqual([r.charsTyped.goldCovered, r.charsTyped.predictedInGold], [12, 12]);
		assert.deepEqual(r.perLabel.Doctor, { gold: 1, matched: 1, recall: 1 });
	});
	it('agrees with the shared scorer\'s definitions on random overlapping gold, ignored spans and predictions', () => {
		const r = rng(7);
		const types = ['Patient', 'Doctor', 'Date', 'City'] as const;
		const span = (n: number) => {
			const a = Math.floor(r() * n), b = Math.min(n, a + 1 + Math.floor(r() * 12));
			return { start: a, end: b };
		};
		for (let doc = 0; doc < 300; doc++) {
			const n = 5 + Math.floor(r() * 80);
			let text = '';
			for (let i = 0; i < n; i++) text += ' \nab\u00a0cd.'[Math.floor(r() * 9)];
			const gold = Array.from({ length: Math.floor(r() * 6) }, () => ({ label: types[Math.floor(r() * 4)], ...span(n), line: 1 }));
			const ignored = Array.from({ length: Math.floor(r() * 2) }, () => span(n));
			const found = Array.from({ length: Math.floor(r() * 6) }, () => ({ type: types[Math.floor(r() * 4)], ...span(n) }));
			// sometimes exactly a gold span, or empty, or past the text's end
			if (gold.length && r() < 0.5) found.push({ type: gold[0].label, start: gold[0].start, end: gold[0].end });
			if (r() < 0.1) found.push({ type: 'Date', start: 3, end: 3 }, { type: 'Date', start: n - 1, end: n + 4 });
			const resolved = resolveLabels(gold);
			const c = scoreDocument({ text, gold: resolved.gold, ignored, predicted: found });
			const want = reference(text, resolved.gold, ignored, found);
			assert.deepEqual({ gold: c.strict.gold, predicted: c.strict.predicted, matched: c.strict.matched, chars: c.chars }, want, JSON.stringify({ text, gold, ignored, found }));
		}
	});
	it('takes steps linear in the text and the spans on adversarial input (nested gold, long predictions, many ignored spans)', () => {
		const steps = (n: number) => {
			const text = 'a'.repeat(n);
			const gold = resolveLabels(Array.from({ length: n }, (_, i) => ({ label: ['Patient', 'Date', 'City', 'NOTMAPPED'][i % 4], start: 0, end: n - i, line: 1 }))).gold;
			const ignored = Array.from({ length: n }, (_, i) => ({ start: i, end: n }));
			const predicted: TypedSpan[] = Array.from({ length: n }, (_, i) => ({ type: 'Patient', start: 0, end: n - (i >> 1) }));
			const meter = { steps: 0 };
			scoreDocument({ text, gold, ignored, predicted }, emptyCounts(), meter);
			return meter.steps;
		};
		const small = steps(2000), big = steps(16000);
		assert.ok(big / small < 8 * 1.5, `steps grew ${big / small}x for 8x the input`);
		assert.ok(big < 16000 * 40, `${big} steps for 16,000 characters`);
	});
	it('parses an adversarial brat file (a long line of fragments) in one pass', () => {
		const fragments = Array.from({ length: 50000 }, (_, i) => `${2 * i} ${2 * i + 1}`).join(';');
		const spans = parseBrat(`T1\tPATIENT ${fragments}\tx\n`, 'a.ann');
		assert.equal(spans.length, 50000);
	});
});
