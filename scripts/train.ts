// npm run train — fits the learned name-and-place scorer (server/src/engine/detect/scorer.ts) and writes its
// weights to server/src/engine/detect/model/names-en.json. Byte-identical on every run: fixed seeds, a fixed order,
// weights rounded. Prints patient-level 5-fold cross-validation first: each fold's notes are scored by a model
// that never saw that fold's patients, with names and places redrawn, so the figures say what unseen notes get.
//
// Training data: the PhysioNet development notes (../shared; the script stops with a reason without them) with
// every gold name and place redrawn each epoch (census names, a share of them English words, and invented
// syllable names; towns and invented place words), so that no particular name or place can be learned — only
// the contexts and the general features around them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { detectRules, detectWith } from '../server/src/engine/detect/detect';
import { CLASSES, CLASS_NAME, CLASS_O, CLASS_PLACE, MAX_FEATURES, type ScorerModel, probabilities, scorerInput, tokenFeatures } from '../server/src/engine/detect/scorer';
import { FACILITY_WORDS, HOSPITAL_WORDS } from '../server/src/engine/detect/lexicon';
import { loadDictionaries } from '../server/src/node/dictionaries';
import { namePools } from '../bench/generalization.mjs';
import { mulberry32 } from '../bench/random.mjs';

const root = resolve(__dirname, '..');
const shared = resolve(process.env.DEID_SHARED ?? join(root, '..', 'shared'));
const corpus = join(shared, 'corpora/physionet-deid-dev');
const out = process.env.DEID_TRAIN_OUT ?? join(root, 'server/src/engine/detect/model/names-en.json');
const BITS = 18;
const EPOCHS = Number(process.env.DEID_TRAIN_EPOCHS || 10);
const FOLDS = 5;
const LEARNING_RATE = 0.05;
const PRUNE = 0.01;

if (!existsSync(join(corpus, 'docs'))) {
	console.log(`train: ${corpus} not found; the scorer needs the PhysioNet development notes. Nothing written.`);
	process.exit(0);
}

const dicts = loadDictionaries();
// the census and town pools of the generalization bench (its draws differ: a share of invented names here)
const pools = namePools(process.env.DEID_DICTIONARIES ?? join(root, 'dist', 'dictionaries.json'));
const SYLLABLES = ['ka', 'lo', 'mer', 'vin', 'tas', 'ro', 'del', 'qui', 'zan', 'bre', 'mo', 'ther', 'ix', 'ul', 'sen', 'dra', 'po', 'lan', 'tef', 'gor', 'nal', 'wes', 'bu', 'fen', 'ar', 'ben', 'cor', 'di', 'el', 'ham', 'is', 'jo', 'kel', 'mar', 'ni', 'os', 'pen', 'ra', 'sto', 'tur', 'vo', 'wick', 'ya'];
const cap = (s: string) => s[0].toUpperCase() + s.slice(1).toLowerCase();
const styled = (orig: string, v: string) => (orig === orig.toUpperCase() && /[A-Z]/.test(orig) ? v.toUpperCase() : orig === orig.toLowerCase() ? v.toLowerCase() : v);

interface Note {
	patient: number;
	text: string;
	spans: [number, number, string][];
}
const notes: Note[] = [];
for (const line of readFileSync(join(corpus, 'gold.jsonl'), 'utf8').split('\n')) {
	if (!line.trim()) continue;
	const g = JSON.parse(line) as { patient: number; note: number; spans: [number, number, string][] };
	notes.push({ patient: g.patient, text: readFileSync(join(corpus, 'docs', `${g.patient}-${g.note}.txt`), 'latin1'), spans: g.spans });
}

/** A copy of the note with every gold name and place word redrawn; offsets rewritten. */
function redraw(note: Note, rnd: () => number): Note {
	const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
	const invented = () => {
		let s = '';
		for (let i = 0, n = 2 + Math.floor(rnd() * 2); i < n; i++) s += pick(SYLLABLES);
		return cap(s);
	};
	const name = () => {
		const r = rnd();
		if (r < 0.25) return invented();
		const firstName = rnd() < 0.5;
		if (r < 0.55) return pick(firstName ? pools.firstWords : pools.lastWords);
		return pick(firstName ? pools.first : pools.last);
	};
	const place = () => (rnd() < 0.75 ? pick(pools.towns) : invented());
	const spans: [number, number, string][] = [];
	let text = '';
	let at = 0;
	let shift = 0;
	for (const [s, e, t] of [...note.spans].sort((a, b) => a[0] - b[0])) {
		if (s < at) continue;
		const orig = note.text.slice(s, e);
		let v: string | null = null;
		if (/Name/.test(t) && /^[A-Za-z'-]{2,}$/.test(orig)) v = styled(orig, name());
		else if (t === 'Location') {
			// every word of a place but its generic ones ("Rehab", "Hospital", "St") is redrawn
			v = orig.replace(/[A-Za-z]{3,}/g, (w) => (HOSPITAL_WORDS.has(w.toLowerCase()) || FACILITY_WORDS.has(w.toLowerCase()) ? w : styled(w, place())));
		}
		if (v === null) v = orig;
		text += note.text.slice(at, s) + v;
		spans.push([s + shift, s + shift + v.length, t]);
		shift += v.length - (e - s);
		at = e;
	}
	return { patient: note.patient, text: text + note.text.slice(at), spans };
}

const NAME_CATEGORIES = /Name/;

interface Example {
	features: Int32Array;
	label: number;
}

/** Feature vectors and labels of every word token of a note (tokens of "Other" PHI are left out). */
function examples(note: Note, into: Example[], rnd: () => number): void {
	const { ctx, raw: found } = detectRules(note.text, dicts, { language: 'en' });
	const input = scorerInput(ctx, found);
	const { tokens } = ctx;
	const label = new Int8Array(note.text.length);
	for (const [s, e, t] of note.spans) label.fill(NAME_CATEGORIES.test(t) ? 1 : t === 'Location' ? 2 : t === 'Other' ? -1 : 3, s, e);
	const buffer = new Int32Array(MAX_FEATURES);
	const mask = (1 << BITS) - 1;
	for (let i = 0; i < tokens.length; i++) {
		if (!input.scored[i]) continue;
		let y = CLASS_O;
		for (let c = tokens[i].start; c < tokens[i].end; c++) {
			if (label[c] === -1) y = -1;
			else if (label[c] === 1) y = CLASS_NAME;
			else if (label[c] === 2 && y !== CLASS_NAME) y = CLASS_PLACE;
		}
		if (y < 0) continue;
		// mostly without the rules' features, so that the contexts carry weight of their own
		const count = tokenFeatures(input, i, mask, buffer, rnd() < 0.3);
		into.push({ features: buffer.slice(0, count), label: y });
	}
}

/** Averaged stochastic gradient descent on the multinomial log loss. */
function train(pick: (n: Note) => boolean, seed: number): ScorerModel {
	const k = CLASSES.length;
	const size = 1 << BITS;
	const w = new Float64Array(size * k);
	const u = new Float64Array(size * k);
	let t = 1;
	const scores = new Float64Array(k);
	const p = new Float64Array(k);
	for (let epoch = 0; epoch < EPOCHS; epoch++) {
		const rnd = mulberry32(seed * 1000 + epoch);
		const data: Example[] = [];
		for (const note of notes) if (pick(note)) examples(redraw(note, rnd), data, rnd);
		// a fixed shuffle
		for (let i = data.length - 1; i > 0; i--) {
			const j = Math.floor(rnd() * (i + 1));
			[data[i], data[j]] = [data[j], data[i]];
		}
		for (const ex of data) {
			probabilities(scores, w, ex.features, ex.features.length, k, p);
			for (let c = 0; c < k; c++) {
				const g = p[c] - (c === ex.label ? 1 : 0);
				if (Math.abs(g) < 1e-4) continue;
				for (const f of ex.features) {
					w[f * k + c] -= LEARNING_RATE * g;
					u[f * k + c] -= t * LEARNING_RATE * g;
				}
			}
			t++;
		}
	}
	const weights: number[] = [];
	for (let f = 0; f < size; f++) {
		const row: number[] = [];
		let any = false;
		for (let c = 0; c < k; c++) {
			const v = Math.round((w[f * k + c] - u[f * k + c] / t) * 1000) / 1000;
			row.push(v);
			if (v !== 0) any = true;
		}
		// features whose weights all stay this small move no decision; leaving them out keeps the model small
		if (any && Math.max(...row.map(Math.abs)) >= PRUNE) weights.push(f, ...row);
	}
	return { version: 1, bits: BITS, classes: [...CLASSES], threshold: 0.5, weights };
}

/** Character recall and precision (non-space characters, any type) of the rules with and without the scorer. */
function evaluate(test: Note[], model: ScorerModel, thresholds: number[]) {
	const rows = [{ label: 'rules only', model: undefined as ScorerModel | undefined }, ...thresholds.map((th) => ({ label: `scorer ≥ ${th}`, model: { ...model, threshold: th } }))];
	return rows.map(({ label, model: m }) => {
		let gold = 0;
		let hit = 0;
		let predicted = 0;
		let right = 0;
		let names = 0;
		let namesHit = 0;
		for (const note of test) {
			const found = detectWith(note.text, dicts, { language: 'en' }, m ?? null);
			const g = new Uint8Array(note.text.length);
			const isName = new Uint8Array(note.text.length);
			const pr = new Uint8Array(note.text.length);
			for (const [s, e, t] of note.spans) {
				g.fill(1, s, e);
				if (NAME_CATEGORIES.test(t)) isName.fill(1, s, e);
			}
			for (const f of found) pr.fill(1, f.start, f.end);
			for (let i = 0; i < note.text.length; i++) {
				if (/\s/.test(note.text[i])) continue;
				if (g[i]) (gold++, (hit += pr[i]));
				if (isName[i]) (names++, (namesHit += pr[i]));
				if (pr[i]) (predicted++, (right += g[i]));
			}
		}
		return { label, recall: hit / gold, precision: right / predicted, nameRecall: namesHit / names };
	});
}

const thresholds = [0.3, 0.4, 0.5, 0.6, 0.7];
const cv = process.argv.includes('--no-cv') ? [] : process.env.DEID_TRAIN_FOLDS ? process.env.DEID_TRAIN_FOLDS.split(',').map(Number) : Array.from({ length: FOLDS }, (_, fold) => fold);
const sums = new Map<string, { recall: number; precision: number; nameRecall: number }>();
for (const fold of cv) {
	const t0 = Date.now();
	const model = train((n) => n.patient % FOLDS !== fold, fold + 1);
	const rnd = mulberry32(9000 + fold);
	const test = notes.filter((n) => n.patient % FOLDS === fold).map((n) => redraw(n, rnd));
	const rows = evaluate(test, model, thresholds);
	console.log(`fold ${fold + 1}/${FOLDS} (${test.length} notes, patients ≡ ${fold} mod ${FOLDS}, values redrawn; ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
	for (const r of rows) {
		console.log(`  ${r.label.padEnd(14)} char recall ${r.recall.toFixed(3)}  precision ${r.precision.toFixed(3)}  name recall ${r.nameRecall.toFixed(3)}`);
		const s = sums.get(r.label) ?? { recall: 0, precision: 0, nameRecall: 0 };
		s.recall += r.recall / FOLDS;
		s.precision += r.precision / FOLDS;
		s.nameRecall += r.nameRecall / FOLDS;
		sums.set(r.label, s);
	}
}
if (cv.length) {
	console.log(`cross-validation, mean of ${FOLDS} folds:`);
	for (const [label, s] of sums) console.log(`  ${label.padEnd(14)} char recall ${s.recall.toFixed(3)}  precision ${s.precision.toFixed(3)}  name recall ${s.nameRecall.toFixed(3)}`);
}
if (process.argv.includes('--cv-only')) process.exit(0);
const threshold = Number(process.env.DEID_SCORER_THRESHOLD || 0.4);
const model = { ...train(() => true, 100), threshold };
writeFileSync(out, JSON.stringify(model) + '\n');
console.log(`wrote ${out}: ${model.weights.length / (CLASSES.length + 1)} weighted features, threshold ${threshold}`);

