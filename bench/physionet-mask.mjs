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
console.log(`gold PHI characters masked: ${masked}/${gold} = ${(masked / gold).toFixed(3)}; gold phrases not fully masked: ${leakedSpans}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
