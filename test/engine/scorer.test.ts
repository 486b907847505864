// The learned name-and-place scorer: it cannot tell one unknown name from another (so it cannot have learned the
// training notes' names), its weights are well formed, and it finds names by their context in families of
// generated sentences, with invented names that no list holds. Seeds are fixed: these tests never fail by chance.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { detect } from '../../server/src/engine';
import { detectRules } from '../../server/src/engine/detect/detect';
import { MAX_FEATURES, type ScorerModel, scorerInput, tokenFeatures } from '../../server/src/engine/detect/scorer';
import model from '../../server/src/engine/detect/model/names-en.json';
import { dicts } from '../helpers/engine';

function rng(seed: number) {
	let s = seed;
	return () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
}
const SYLLABLES = ['ka', 'lo', 'mer', 'vin', 'tas', 'ro', 'zan', 'bre', 'ther', 'ix', 'ul', 'sen', 'dra', 'gor', 'nal', 'wes', 'fen', 'qui'];
/** Invented names of a given length, in no dictionary. */
function invented(rnd: () => number, length = 0): string {
	for (;;) {
		let s = '';
		while (s.length < (length || 5 + Math.floor(rnd() * 4))) s += SYLLABLES[Math.floor(rnd() * SYLLABLES.length)];
		if (length) s = s.slice(0, length);
		const lower = s.toLowerCase();
		if (dicts.firstNames.has(lower) || dicts.lastNames.has(lower) || dicts.englishWords.has(lower) || dicts.places.has(lower)) continue;
		return s[0].toUpperCase() + s.slice(1);
	}
}

function features(text: string): number[][] {
	const { ctx, raw } = detectRules(text, dicts, { language: 'en' });
	const input = scorerInput(ctx, raw);
	const out: number[][] = [];
	const buffer = new Int32Array(MAX_FEATURES);
	for (let i = 0; i < ctx.tokens.length; i++) {
		if (!input.scored[i]) continue;
		const n = tokenFeatures(input, i, (1 << (model as ScorerModel).bits) - 1, buffer);
		out.push([...buffer.slice(0, n)].sort((a, b) => a - b));
	}
	return out;
}

describe('learned scorer', () => {
	it('sees no difference between two unknown names of the same shape (it cannot memorise a name)', () => {
		const rnd = rng(7);
		for (const template of ['Mr. X was seen today.', 'SOCIAL: DAUGHTER X CALLED.', 'd/w np x, aware.', 'Transferred to X Rehab on 3/4.']) {
			const a = invented(rnd, 7);
			const b = invented(rnd, 7);
			const style = (v: string) => (template === template.toUpperCase() ? v.toUpperCase() : template === template.toLowerCase() ? v.toLowerCase() : v);
			assert.deepEqual(features(template.replace('X', style(a))), features(template.replace('X', style(b))), `${template}: ${a} / ${b}`);
		}
	});

	it('has well-formed weights: a sparse table of feature, then one weight per class', () => {
		const m = model as ScorerModel;
		assert.deepEqual(m.classes, ['O', 'NAME', 'PLACE']);
		assert.ok(m.threshold > 0 && m.threshold < 1);
		assert.equal(m.weights.length % (m.classes.length + 1), 0);
		let last = -1;
		for (let i = 0; i < m.weights.length; i += m.classes.length + 1) {
			const f = m.weights[i];
			assert.ok(Number.isInteger(f) && f > last && f < 1 << m.bits, `feature index ${f}`);
			last = f;
		}
		assert.ok(m.weights.length / 4 > 1000, 'a trained model (npm run train), not an empty one');
	});

	it('finds invented names by their context alone (recall over a generated family, fixed seeds)', () => {
		const contexts = [
			(n: string) => `Mr. ${n} was seen today.`,
			(n: string) => `Ms. ${n} is a 67 yo woman admitted with CHF.`,
			(n: string) => `Social: daughter ${n} called for an update.`,
			(n: string) => `SOCIAL: WIFE ${n.toUpperCase()} IN TO VISIT THIS EVENING.`,
			(n: string) => `son ${n.toLowerCase()} in to visit, updated on plan.`,
			(n: string) => `NP ${n.toUpperCase()} AWARE OF LOW UOP.`,
			(n: string) => `Discussed with Dr. ${n} from cardiology.`,
			(n: string) => `${n} ${invented(rng(n.length))}, RN`,
			(n: string) => `Plan discussed with the patient's brother ${n}, who is his proxy.`,
			(n: string) => `Patient: ${n} ${invented(rng(n.length + 1))}, DOB 04/12/1961`,
		];
		const rnd = rng(11);
		let total = 0;
		let found = 0;
		const missed: string[] = [];
		for (const context of contexts) {
			for (let k = 0; k < 10; k++) {
				const name = invented(rnd);
				const text = context(name);
				const at = text.toLowerCase().indexOf(name.toLowerCase());
				const fs = detect(text, dicts, { language: 'en' });
				total++;
				if (fs.some((f) => (f.type === 'Patient' || f.type === 'Doctor') && f.start <= at && f.end >= at + name.length)) found++;
				else missed.push(text);
			}
		}
		// rules alone find 80 of these 100 (all of "WIFE X IN TO VISIT" and half of "NP X AWARE" missed); with the
		// scorer, 90 (the caps "WIFE X IN" sentences stay below its threshold)
		assert.ok(found / total >= 0.88, `${found}/${total}; missed e.g.\n${missed.slice(0, 8).join('\n')}`);
	});

	it('does not flag ordinary clinical sentences', () => {
		const sentences = [
			'Patient was seen today and is resting comfortably.',
			'Framingham risk score reviewed with the team.',
			"History of Wilson's disease and Barrett's esophagus.",
			'52 yo African American male with COPD on 2L NC.',
			'Foley catheter draining clear yellow urine.',
			'Babinski negative bilaterally, Glasgow coma scale 15.',
			"I'm feeling better today, pt states.",
			'Will continue current plan, follow up in AM.',
			'Given Lasix 40 mg IV with good response.',
			'PER NP, HOLD HEPARIN OVERNIGHT.',
		];
		const flagged = sentences.map((s) => [s, detect(s, dicts, { language: 'en' })] as const).filter(([, fs]) => fs.length);
		assert.deepEqual(flagged.map(([s, fs]) => `${s} → ${fs.map((f) => `${f.type} "${s.slice(f.start, f.end)}"`).join(', ')}`), []);
	});
});

describe('span edges: a finding covers the value and nothing else', () => {
	const spans = (text: string) => detect(text, dicts, { language: 'en' }).map((f) => `${f.type} ${text.slice(f.start, f.end)}`);
	it('a labelled date or number ends with the value, not the line', () => {
		assert.deepEqual(spans('DOB: 03/02/1950, admitted to Mercy Hospital for chest pain.').filter((s) => s.startsWith('Date')), ['Date 03/02/1950']);
		assert.deepEqual(spans('MRN: 5512-3390? Please confirm.'), ['MedicalRecord 5512-3390']);
		assert.deepEqual(spans('Date of admission: January 5, 2020, via the ED.').filter((s) => s.startsWith('Date')), ['Date January 5, 2020']);
	});
	it('a labelled name ends at its comma unless given names follow (surname first)', () => {
		assert.ok(spans('Patient: Rose Young, 67 y.o. female.').includes('Patient Rose Young'), String(spans('Patient: Rose Young, 67 y.o. female.')));
		assert.ok(spans('Patient: OKAFOR, MARGARET').includes('Patient OKAFOR, MARGARET'), String(spans('Patient: OKAFOR, MARGARET')));
	});
	it('a label word is no part of the name; an initial keeps its period', () => {
		assert.deepEqual(spans('Patient James Carter was seen in clinic.'), ['Patient James Carter']);
		assert.deepEqual(spans('Seen by Dr. Anna S. today.'), ['Doctor Anna S.']);
	});
});

describe("what a new user types on day one", () => {
	it('finds the name in each of these sentences, whole', () => {
		const cases: [string, string][] = [
			['Mr. John Smith was seen today.', 'John Smith'],
			['Mr. Smith was seen today.', 'Smith'],
			['Ms. Young was seen today.', 'Young'],
			['Mr. Bill Price is 45.', 'Bill Price'],
			['Patient: John Smith, 67 y.o. male.', 'John Smith'],
			['Patient John White complains of chest pain.', 'John White'],
			['John Smith is a 67 year old man seen today.', 'John Smith'],
			['Patient: Rose Young, DOB 04/12/1961', 'Rose Young'],
		];
		const wrong = cases.filter(([text, name]) => !detect(text, dicts, { language: 'en' }).some((f) => f.type === 'Patient' && text.slice(f.start, f.end) === name));
		assert.deepEqual(wrong, []);
	});
});

describe('codes after a title', () => {
	it('a plate or an identifier after MS or MR is no name', () => {
		for (const text of ['MS KXT-4471 noted on the car.', 'Plate: PA KXT-4471. MR ABC-123 parked outside.', 'Ms. Lee drove car PA KXT-4471.']) {
			const names = detect(text, dicts, { language: 'en' }).filter((f) => (f.type === 'Patient' || f.type === 'Doctor') && /\d/.test(text.slice(f.start, f.end)));
			assert.deepEqual(names.map((f) => text.slice(f.start, f.end)), [], text);
		}
	});
});

