// Runs the engine (the built CLI, `deid scan --json`, as users do) over a generated suite and scores it: character
// recall on PHI (whitespace ignored) overall, per entity type, per context, case style and document kind; and the
// share of PHI-free sentences with any finding. Values are never printed: missed examples show their context with
// every gold value replaced by its type.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, pools } from './generator.mjs';

const SENTENCES_PER_FILE = 50;
/**
 * The generic head of a facility's name ("Hospital", "Medical Center", "of") identifies no one; the engine, like
 * the PhysioNet annotators, leaves it out of the finding ("CALVERT HOSPITAL" is gold "CALVERT"). Its characters
 * count neither as PHI to find nor as a false finding.
 */
const FACILITY_HEADS = new Set(['hospital', 'medical', 'center', 'centre', 'clinic', 'of']);
function optionalChars(doc) {
	const opt = new Uint8Array(doc.text.length);
	for (const [s, e, type] of doc.spans) {
		if (type !== 'Hospital') continue;
		for (const m of doc.text.slice(s, e).matchAll(/[\p{L}'’]+/gu)) if (FACILITY_HEADS.has(m[0].toLowerCase())) opt.fill(1, s + m.index, s + m.index + m[0].length);
	}
	return opt;
}

function scanDir(cli, dir) {
	const r = spawnSync(process.execPath, [cli, 'scan', '--json', dir], { maxBuffer: 1 << 30, encoding: 'utf8' });
	if (r.status !== 0 && r.status !== 1) throw new Error(`deid scan exited ${r.status}: ${String(r.stderr).slice(0, 500)}`);
	const m = new Map();
	for (const l of r.stdout.split('\n')) if (l.trim()) {
		const o = JSON.parse(l);
		m.set(o.path.replace(/^.*[\\/]/, ''), o.findings ?? []);
	}
	return m;
}

const r4 = (x) => (Number.isFinite(x) ? Math.round(x * 10000) / 10000 : null);

/** Generates the suite from `seed`, scans it and scores it. */
export function runGenerated({ cli, dictionaries, seed, count = 300, sentences = count * 4, examples = 15 }) {
	const suite = generate({ seed, count, pools: pools(dictionaries), phiFreeSentences: sentences });
	const dir = mkdtempSync(join(tmpdir(), 'deid-gen-'));
	try {
		mkdirSync(join(dir, 'phi'));
		mkdirSync(join(dir, 'free'));
		for (const d of suite.docs) writeFileSync(join(dir, 'phi', d.name), d.text);
		const files = [];
		for (let i = 0; i < suite.phiFree.length; i += SENTENCES_PER_FILE) files.push(suite.phiFree.slice(i, i + SENTENCES_PER_FILE));
		files.forEach((f, i) => writeFileSync(join(dir, 'free', `free-${String(i).padStart(3, '0')}.txt`), f.map((s) => s.text).join('\n') + '\n'));
		const t0 = process.hrtime.bigint();
		const phiScan = scanDir(cli, join(dir, 'phi'));
		const freeScan = scanDir(cli, join(dir, 'free'));
		const scanSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

		// PHI recall
		const tally = {};
		const add = (group, key, n, hit, typed) => {
			const b = ((tally[group] ??= {})[key] ??= [0, 0, 0]);
			b[0] += n;
			b[1] += hit;
			b[2] += typed;
		};
		let predChars = 0;
		let predInGold = 0;
		const missed = [];
		for (const d of suite.docs) {
			const n = d.text.length;
			const cover = new Uint8Array(n);
			const coverType = new Array(n);
			for (const f of phiScan.get(d.name) ?? []) for (let i = f.start; i < Math.min(n, f.end); i++) (cover[i] = 1), ((coverType[i] ??= new Set()).add(f.type));
			const gold = new Uint8Array(n);
			for (const [s, e] of d.spans) gold.fill(1, s, e);
			const optional = optionalChars(d);
			for (let i = 0; i < n; i++) if (cover[i] && !optional[i] && !/\s/.test(d.text[i])) (predChars++, (predInGold += gold[i]));
			for (const [s, e, type, ctx] of d.spans) {
				let chars = 0;
				let hit = 0;
				let typed = 0;
				for (let i = s; i < e; i++) {
					if (optional[i] || /\s/.test(d.text[i])) continue;
					chars++;
					hit += cover[i];
					typed += coverType[i]?.has(type) ? 1 : 0;
				}
				for (const [g, k] of [['all', 'all'], ['type', type], ['context', ctx], ['style', d.style], ['kind', d.kind]]) add(g, k, chars, hit, typed);
				if (hit < chars && missed.length < 400) missed.push({ doc: d, s, e, type, ctx, partial: hit > 0 });
			}
		}
		const rates = (group) => Object.fromEntries(Object.entries(tally[group] ?? {}).sort((a, b) => b[1][0] - a[1][0]).map(([k, [n, h, ty]]) => [k, { chars: n, recall: r4(h / n), typedRecall: r4(ty / n) }]));
		const masked = ({ doc, s, e, type }) => {
			const lo = Math.max(0, s - 50);
			const hi = Math.min(doc.text.length, e + 40);
			let out = '';
			let i = lo;
			for (const [gs, ge, gt] of [...doc.spans].filter(([gs, ge]) => ge > lo && gs < hi).sort((a, b) => a[0] - b[0])) {
				if (gs < i) continue;
				out += doc.text.slice(i, gs) + (gs === s && ge === e ? `<<${gt}>>` : `[${gt}]`);
				i = ge;
			}
			return `${type}: …${(out + doc.text.slice(i, hi)).replace(/\s+/g, ' ')}…`;
		};
		const step = Math.max(1, Math.floor(missed.length / examples));
		const missedExamples = missed.filter((_, i) => i % step === 0).slice(0, examples).map((m) => `[${m.ctx}${m.partial ? ', partly' : ''}] ${masked(m)}`);

		// PHI-free sentences with any finding
		let flagged = 0;
		const byTemplate = {};
		const fpExamples = [];
		files.forEach((f, fi) => {
			const findings = freeScan.get(`free-${String(fi).padStart(3, '0')}.txt`) ?? [];
			let off = 0;
			for (const s of f) {
				const end = off + s.text.length;
				const hits = findings.filter((x) => x.start < end && x.end > off);
				const b = (byTemplate[s.template] ??= [0, 0]);
				b[0]++;
				if (hits.length) {
					flagged++;
					b[1]++;
					if (fpExamples.length < 400) fpExamples.push(`${hits.map((x) => `${x.type} "${s.text.slice(x.start - off, x.end - off)}"`).join(', ')} in: ${s.text}`);
				}
				off = end + 1;
			}
		});
		const fpStep = Math.max(1, Math.floor(fpExamples.length / examples));
		const all = tally.all.all;
		return {
			seed,
			documents: suite.docs.length,
			phiChars: all[0],
			scanSeconds: r4(scanSeconds),
			charRecall: r4(all[1] / all[0]),
			typedCharRecall: r4(all[2] / all[0]),
			precision: r4(predInGold / predChars),
			byType: rates('type'),
			byContext: rates('context'),
			byStyle: rates('style'),
			byKind: rates('kind'),
			phiFree: { sentences: suite.phiFree.length, withFinding: flagged, share: r4(flagged / suite.phiFree.length), byTemplate: Object.fromEntries(Object.entries(byTemplate).map(([k, [n, f]]) => [k, r4(f / n)])) },
			missedExamples,
			falsePositiveExamples: fpExamples.filter((_, i) => i % fpStep === 0).slice(0, examples),
		};
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

export function formatGenerated(r) {
	const rows = (o) => Object.entries(o).map(([k, v]) => `${k} ${v.recall.toFixed(3)}`).join(', ');
	return [
		`seed ${r.seed}: ${r.documents} documents, ${r.phiChars} PHI chars; scan ${r.scanSeconds.toFixed(1)} s`,
		`PHI char recall ${r.charRecall.toFixed(3)} (same type ${r.typedCharRecall.toFixed(3)})  precision ${r.precision.toFixed(3)}`,
		`  by type: ${rows(r.byType)}`,
		`  by context: ${rows(r.byContext)}`,
		`  by case style: ${rows(r.byStyle)}`,
		`  by document kind: ${rows(r.byKind)}`,
		`PHI-free sentences with any finding: ${r.phiFree.withFinding} of ${r.phiFree.sentences} = ${(100 * r.phiFree.share).toFixed(1)}%`,
		`  by template (share flagged): ${Object.entries(r.phiFree.byTemplate).filter(([, v]) => v > 0).map(([k, v]) => `#${k} ${v.toFixed(2)}`).join(', ') || 'none'}`,
		'missed PHI (context, values shown as their type):',
		...r.missedExamples.map((x) => `  ${x}`),
		'findings in PHI-free sentences:',
		...r.falsePositiveExamples.map((x) => `  ${x}`),
	].join('\n');
}
