// npm run bench:verify — de-identifies the PhysioNet development notes with `--operation redact` into a temporary
// folder, runs `deid verify` over the output, and reports how many residual suspects there are, how many of them
// lie on gold PHI the job missed, and how many gold spans the job missed in all. Texts stay in memory; only
// counts are printed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const corpus = join(root, '..', 'shared', 'corpora', 'physionet-deid-dev');
if (!existsSync(join(corpus, 'docs'))) {
	console.log(`skipped: ${corpus} not found`);
	process.exit(0);
}
const tmp = mkdtempSync(join(tmpdir(), 'deid-bench-verify-'));
const out = join(tmp, 'out');
const run = (args) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
try {
	let t = Date.now();
	// with the test key, so that the replaced-values check runs too (redact runs record what they replaced)
	const key = ['--key-file', join(root, 'test', 'fixtures', 'test.key')];
	const job = run(['deidentify', join(corpus, 'docs'), out, '--operation', 'redact', '--no-verify', ...key]);
	if (job.status !== 0) throw new Error(`deidentify exited ${job.status}`);
	const jobSeconds = (Date.now() - t) / 1000;
	t = Date.now();
	const v = run(['verify', out, '--json', ...key]);
	if (v.status !== 0 && v.status !== 1) throw new Error(`verify exited ${v.status}`);
	const verifySeconds = (Date.now() - t) / 1000;
	const report = JSON.parse(v.stdout);
	// What the job replaced: its findings in each source (deid scan runs the same detection, in the same pieces).
	// Checked: the source with those findings labelled must be the output, or the note is left out of the mapping.
	const scan = run(['scan', '--json', join(corpus, 'docs')]);
	const replacedOf = new Map();
	for (const line of scan.stdout.trim().split('\n')) {
		const j = JSON.parse(line);
		replacedOf.set(j.path.slice(j.path.lastIndexOf('/') + 1), j.findings);
	}
	const suspectsOf = new Map(report.byFile.map((f) => [f.path, f.suspects]));
	let goldSpans = 0;
	let missedSpans = 0;
	let missedFound = 0;
	let suspectsOnMissed = 0;
	let suspectsOnCaught = 0;
	let suspectsElsewhere = 0;
	let unmapped = 0;
	const byType = {};
	for (const line of readFileSync(join(corpus, 'gold.jsonl'), 'utf8').trim().split('\n')) {
		const g = JSON.parse(line);
		const name = `${g.patient}-${g.note}.txt`;
		const src = readFileSync(join(corpus, 'docs', name), 'utf8');
		const dst = readFileSync(join(out, name), 'utf8');
		const fs = (replacedOf.get(name) ?? []).slice().sort((a, b) => a.start - b.start);
		// segments: [outStart, outEnd, srcStart, srcEnd] of kept text and of labels, in order
		const segs = [];
		let s = 0;
		let o = 0;
		let rebuilt = '';
		for (const f of fs) {
			segs.push([o, o + f.start - s, s, f.start]);
			rebuilt += src.slice(s, f.start);
			o += f.start - s;
			const label = `[${f.type.toUpperCase()}]`;
			segs.push([o, o + label.length, f.start, f.end]);
			rebuilt += label;
			o += label.length;
			s = f.end;
		}
		segs.push([o, o + src.length - s, s, src.length]);
		rebuilt += src.slice(s);
		const suspects = suspectsOf.get(name) ?? [];
		const mapped = rebuilt === dst;
		if (!mapped) unmapped++;
		// a source offset of an output offset (inside a label: the replaced span's start or end)
		const toSrc = (x, isEnd) => {
			for (const [a, b, c, d] of segs) {
				if (x < a || x > b || (x === b && !isEnd && b > a)) continue;
				return b - a === d - c ? c + (x - a) : isEnd ? d : c;
			}
			return src.length;
		};
		const covered = new Uint8Array(src.length);
		for (const f of fs) covered.fill(1, f.start, f.end);
		const missed = g.spans.filter(([a, b]) => {
			for (let i = a; i < b; i++) if (!covered[i] && !/\s/.test(src[i])) return true;
			return false;
		});
		goldSpans += g.spans.length;
		missedSpans += missed.length;
		const srcSuspects = mapped ? suspects.map((x) => [toSrc(x.start, false), toSrc(x.end, true)]) : [];
		for (const x of suspects) byType[x.type] = (byType[x.type] ?? 0) + 1;
		for (const [a, b] of srcSuspects) {
			if (missed.some(([c, d]) => a < d && c < b)) suspectsOnMissed++;
			else if (g.spans.some(([c, d]) => a < d && c < b)) suspectsOnCaught++;
			else suspectsElsewhere++;
		}
		for (const [c, d] of missed) if (srcSuspects.some(([a, b]) => a < d && c < b)) missedFound++;
	}
	console.log(`PhysioNet dev, deidentify --operation redact: ${report.files} notes in ${jobSeconds.toFixed(1)} s; deid verify ${verifySeconds.toFixed(1)} s (threshold ${report.threshold})`);
	console.log(`residual suspects: ${report.suspects} (${Object.entries(byType).sort((a, b) => b[1] - a[1]).map(([k, c]) => `${k} ${c}`).join(', ')}); by reason: detector ${report.byReason.detector}, replaced ${report.byReason.replaced} (replaced-values check ${report.replacedCheck})`);
	console.log(`  on gold PHI the job missed: ${suspectsOnMissed}; on gold PHI the job replaced in part: ${suspectsOnCaught}; on no gold PHI: ${suspectsElsewhere}`);
	console.log(`gold spans: ${goldSpans}; missed by the job (a non-blank character left): ${missedSpans}; of those, flagged by verify: ${missedFound}`);
	if (unmapped) console.log(`(${unmapped} notes whose output could not be mapped back to the source; their suspects are not classified)`);
} finally {
	rmSync(tmp, { recursive: true, force: true });
}
