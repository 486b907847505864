// Does the detector read context, or remember the development notes' values? Copies the PhysioNet development
// notes with every gold name replaced by a census name (a third of them names that are also common English words:
// Young, Price, Rose, Bill, Will, Mark, Smith, White, Hope…) or by an invented syllable string that is in no list,
// and every one-word location by a town; keeps each original's case style and rewrites the gold offsets. Then
// scans the copy with the CLI and scores it (character level, whitespace ignored, like ../shared/bench/score.mjs).
// Used by bench/accuracy.mjs and the accuracy gate; `node bench/generalization.mjs [seeds…] [--invented]` alone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mulberry32 } from './random.mjs';

/** Census name pools from the built dictionaries (dist/dictionaries.json): all, and those that are English words. */
export function namePools(dictionariesJson) {
	const d = JSON.parse(readFileSync(dictionariesJson, 'utf8'));
	const words = new Set(['10', '20', '35'].flatMap((k) => d.englishWords?.[k] ?? []));
	const first = [...d.firstMale, ...d.firstFemale].filter((n) => /^[A-Za-z'-]{2,}$/.test(n));
	const last = d.last.slice(0, 20000).filter((n) => /^[A-Za-z'-]{2,}$/.test(n));
	const isWord = (n) => words.has(n.toLowerCase());
	const towns = d.cities.filter((c) => /^[A-Z][a-z]{3,}$/.test(c)).slice(0, 3000);
	return { first, last, firstWords: first.filter(isWord), lastWords: last.filter(isWord), towns };
}

const SYLLABLES = ['ka', 'lo', 'mer', 'vin', 'tas', 'ro', 'del', 'qui', 'zan', 'bre', 'mo', 'ther', 'ix', 'ul', 'sen', 'dra', 'po', 'lan', 'tef', 'gor', 'nal', 'wes', 'bu', 'fen'];
const cap = (s) => s[0].toUpperCase() + s.slice(1).toLowerCase();
const styled = (orig, v) => (orig === orig.toUpperCase() && /[A-Z]/.test(orig) ? v.toUpperCase() : orig === orig.toLowerCase() ? v.toLowerCase() : v);

/** A generator of invented names: 2–3 syllables, never a word or name of the given pools. */
export function inventedName(rnd, avoid) {
	for (;;) {
		let s = '';
		for (let i = 0, n = 2 + Math.floor(rnd() * 2); i < n; i++) s += SYLLABLES[Math.floor(rnd() * SYLLABLES.length)];
		const v = cap(s);
		if (!avoid?.has(v.toLowerCase())) return v;
	}
}

/**
 * Writes `<out>/<patient>-<note>.txt` and `<out>/gold.jsonl` for the corpus at `corpus` (docs/ + gold.jsonl).
 * names: 'census' (a third English-word census names) or 'invented'.
 */
export function swapCorpus({ corpus, out, seed, names = 'census', pools }) {
	const rnd = mulberry32(seed);
	const pick = (a) => a[Math.floor(rnd() * a.length)];
	const avoid = names === 'invented' ? new Set([...pools.first, ...pools.last, ...pools.towns].map((x) => x.toLowerCase())) : undefined;
	const name = () => {
		if (names === 'invented') return inventedName(rnd, avoid);
		const firstName = rnd() < 0.5;
		if (rnd() < 1 / 3) return pick(firstName ? pools.firstWords : pools.lastWords);
		return pick(firstName ? pools.first : pools.last);
	};
	mkdirSync(out, { recursive: true });
	const gold = [];
	for (const line of readFileSync(join(corpus, 'gold.jsonl'), 'utf8').split('\n')) {
		if (!line.trim()) continue;
		const g = JSON.parse(line);
		const file = `${g.patient}-${g.note}.txt`;
		const text = readFileSync(join(corpus, 'docs', file), 'latin1');
		const spans = [];
		let o = '';
		let last = 0;
		let shift = 0;
		for (const [s, e, t] of [...g.spans].sort((a, b) => a[0] - b[0])) {
			const orig = text.slice(s, e);
			let v = null;
			if (/Name/.test(t) && /^[A-Za-z'-]{2,}$/.test(orig)) v = name();
			else if (t === 'Location' && /^[A-Za-z]{4,}$/.test(orig)) v = pick(pools.towns);
			if (v === null) {
				o += text.slice(last, e);
				spans.push([s + shift, e + shift, t]);
				last = e;
				continue;
			}
			v = styled(orig, v);
			o += text.slice(last, s) + v;
			spans.push([s + shift, s + shift + v.length, t]);
			shift += v.length - (e - s);
			last = e;
		}
		writeFileSync(join(out, file), o + text.slice(last), 'latin1');
		gold.push(JSON.stringify({ patient: g.patient, note: g.note, spans }));
	}
	writeFileSync(join(out, 'gold.jsonl'), gold.join('\n') + '\n');
	return gold.length;
}

/**
 * Character recall, precision and recall per gold category of `deid scan --json` output over a folder written by
 * swapCorpus (or the corpus's own docs/ with its gold.jsonl). Whitespace is ignored.
 */
export function scoreDocs(textDir, goldJsonl, scanJsonl) {
	const pred = new Map();
	for (const l of scanJsonl.split('\n')) {
		if (!l.trim()) continue;
		const r = JSON.parse(l);
		pred.set(r.path.replace(/^.*[\\/]/, '').replace(/\.txt$/, ''), r.findings ?? []);
	}
	let gold = 0;
	let goldHit = 0;
	let predicted = 0;
	let predIn = 0;
	const cats = {};
	for (const l of readFileSync(goldJsonl, 'utf8').split('\n')) {
		if (!l.trim()) continue;
		const r = JSON.parse(l);
		const id = `${r.patient}-${r.note}`;
		const t = readFileSync(join(textDir, id + '.txt'), 'latin1');
		const g = new Uint8Array(t.length);
		const p = new Uint8Array(t.length);
		for (const [s, e] of r.spans) g.fill(1, s, e);
		for (const x of pred.get(id) ?? []) p.fill(1, x.start, x.end);
		const seen = new Uint8Array(t.length);
		for (const [s, e, ty] of r.spans) {
			const b = (cats[ty] ??= [0, 0]);
			for (let i = s; i < e; i++) if (!seen[i] && !/\s/.test(t[i])) (seen[i] = 1), b[0]++, (b[1] += p[i]);
		}
		for (let i = 0; i < t.length; i++) {
			if (/\s/.test(t[i])) continue;
			if (g[i]) (gold++, (goldHit += p[i]));
			if (p[i]) (predicted++, (predIn += g[i]));
		}
	}
	const r3 = (x) => Math.round(x * 10000) / 10000;
	const byCategory = Object.fromEntries(Object.entries(cats).sort((a, b) => b[1][0] - a[1][0]).map(([k, [n, h]]) => [k, r3(h / n)]));
	return { charRecall: r3(goldHit / gold), precision: r3(predIn / predicted), goldChars: gold, byCategory };
}

/** Scans a folder with the CLI; returns the JSON lines. */
export function scan(cli, dir, args = []) {
	const r = spawnSync(process.execPath, [cli, 'scan', '--json', ...args, dir], { maxBuffer: 1 << 30, encoding: 'utf8' });
	if (r.status !== 0 && r.status !== 1) throw new Error(`deid scan exited ${r.status}: ${String(r.stderr).slice(0, 500)}`);
	return r.stdout;
}

/** Swaps, scans and scores one variant; the temporary copy is removed. */
export function measureVariant({ cli, corpus, pools, seed, names }) {
	const dir = mkdtempSync(join(tmpdir(), 'deid-swap-'));
	try {
		swapCorpus({ corpus, out: dir, seed, names, pools });
		return { seed, names, ...scoreDocs(dir, join(dir, 'gold.jsonl'), scan(cli, dir)) };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** Mean and spread (min, max, sample standard deviation) of a list of numbers. */
export function summary(xs) {
	const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
	const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
	const r4 = (x) => Math.round(x * 10000) / 10000;
	return { mean: r4(mean), min: r4(Math.min(...xs)), max: r4(Math.max(...xs)), sd: r4(sd) };
}

/** Mean and spread of every figure over the runs: char recall, precision and each category's recall. */
export function aggregate(runs) {
	const cats = [...new Set(runs.flatMap((r) => Object.keys(r.byCategory)))];
	return {
		charRecall: summary(runs.map((r) => r.charRecall)),
		precision: summary(runs.map((r) => r.precision)),
		byCategory: Object.fromEntries(cats.map((c) => [c, summary(runs.map((r) => r.byCategory[c]).filter((x) => x !== undefined))])),
	};
}

export function formatRun(label, r) {
	return `${label.padEnd(22)} char recall ${r.charRecall.toFixed(3)}  precision ${r.precision.toFixed(3)}  by category: ${Object.entries(r.byCategory).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`;
}
export function formatAggregate(label, a) {
	const f = (s) => `${s.mean.toFixed(3)} [${s.min.toFixed(3)}–${s.max.toFixed(3)}]`;
	return `${label.padEnd(22)} char recall ${f(a.charRecall)} sd ${a.charRecall.sd.toFixed(3)}  precision ${f(a.precision)} sd ${a.precision.sd.toFixed(3)}\n${' '.repeat(23)}by category (mean [min–max]): ${Object.entries(a.byCategory).map(([k, v]) => `${k} ${f(v)}`).join(', ')}`;
}

// Run directly (not when bundled into a test): import.meta is left out so the CommonJS test bundle has no warning.
if (/generalization\.mjs$/.test(process.argv[1] ?? '')) {
	const root = resolve(process.argv[1], '..', '..');
	const shared = resolve(process.env.DEID_SHARED ?? join(root, '..', 'shared'));
	const corpus = join(shared, 'corpora/physionet-deid-dev');
	if (!existsSync(join(corpus, 'docs'))) {
		console.log(`skipped: ${corpus} not found`);
		process.exit(0);
	}
	const args = process.argv.slice(2);
	const names = args.includes('--invented') ? 'invented' : 'census';
	const seeds = args.filter((a) => /^\d+$/.test(a)).map(Number);
	const pools = namePools(join(root, 'dist', 'dictionaries.json'));
	const runs = (seeds.length ? seeds : [1, 2, 3]).map((seed) => measureVariant({ cli: join(root, 'dist', 'cli.js'), corpus, pools, seed, names }));
	for (const r of runs) console.log(formatRun(`${names} seed ${r.seed}`, r));
	if (runs.length > 1) console.log(formatAggregate(`${names} mean`, aggregate(runs)));
}
