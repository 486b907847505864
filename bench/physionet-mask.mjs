// Runs the PhysioNet development notes through the folder job with `--operation redact --redaction-format '*{len}'`
// and reports the share of gold PHI characters masked (non-whitespace characters of gold spans that became '*').
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const corpus = join(root, '..', 'shared', 'corpora', 'physionet-deid-dev');
if (!existsSync(join(corpus, 'docs'))) {
	console.log(`skipped: ${corpus} not found`);
	process.exit(0);
}
const out = join(root, '.bench', 'physionet-masked');
rmSync(out, { recursive: true, force: true });
const t0 = Date.now();
const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'deidentify', join(corpus, 'docs'), out, '--operation', 'redact', '--redaction-format', '*{len}'], { encoding: 'utf8' });
process.stdout.write(r.stdout);
let gold = 0;
let masked = 0;
let leakedSpans = 0;
for (const line of readFileSync(join(corpus, 'gold.jsonl'), 'utf8').trim().split('\n')) {
	const g = JSON.parse(line);
	const name = `${g.patient}-${g.note}.txt`;
	const src = readFileSync(join(corpus, 'docs', name), 'utf8');
	const dst = readFileSync(join(out, name), 'utf8');
	if (src.length !== dst.length) throw new Error(`${name}: masking changed the length`);
	for (const [s, e] of g.spans) {
		let spanMasked = true;
		for (let i = s; i < e; i++) {
			if (/\s/.test(src[i])) continue;
			gold++;
			if (dst[i] === '*') masked++;
			else spanMasked = false;
		}
		if (!spanMasked) leakedSpans++;
	}
}
console.log(`redact '*{len}': gold PHI characters masked: ${masked}/${gold} = ${(masked / gold).toFixed(3)}; gold phrases still (partly) present at their positions: ${leakedSpans}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// Surrogate: how many gold PHI phrases still occur anywhere in their note as whole words.
const sur = join(root, '.bench', 'physionet-surrogate');
rmSync(sur, { recursive: true, force: true });
const keyFile = join(root, 'test', 'fixtures', 'test.key');
spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'deidentify', join(corpus, 'docs'), sur, '--operation', 'surrogate', '--key-file', keyFile], { encoding: 'utf8' });
let phrases = 0;
let present = 0;
const esc = (x) => x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
for (const line of readFileSync(join(corpus, 'gold.jsonl'), 'utf8').trim().split('\n')) {
	const g = JSON.parse(line);
	const name = `${g.patient}-${g.note}.txt`;
	const src = readFileSync(join(corpus, 'docs', name), 'utf8');
	const dst = readFileSync(join(sur, name), 'utf8');
	for (const [s, e] of g.spans) {
		const phrase = src.slice(s, e).trim();
		if (!phrase) continue;
		phrases++;
		if (new RegExp(`(?<![A-Za-z0-9])${esc(phrase)}(?![A-Za-z0-9])`, 'i').test(dst)) present++;
	}
}
console.log(`surrogate: gold PHI phrases still present anywhere in their note as whole words: ${present}/${phrases}`);
