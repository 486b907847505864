// node bench/generated.mjs [--seed N] [--docs N] [--sentences N] [--json out.json]: the generated clinical suite
// (bench/generated/) through the built CLI. The seed is random unless given, and always printed.
import { existsSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { formatGenerated, runGenerated } from './generated/suite.mjs';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (k, d) => {
	const i = args.indexOf(k);
	return i >= 0 ? args[i + 1] : d;
};
const seed = Number(opt('--seed', String(1 + Math.floor(Math.random() * 2 ** 31))));
const count = Number(opt('--docs', '300'));
const sentences = Number(opt('--sentences', String(count * 4)));
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
console.log(`generated suite: seed ${seed} (repeat with --seed ${seed})`);
const t0 = process.hrtime.bigint();
const r = runGenerated({ cli, dictionaries: join(root, 'dist', 'dictionaries.json'), seed, count, sentences });
console.log(formatGenerated(r));
console.log(`total ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
const out = opt('--json', null);
if (out) writeFileSync(out, JSON.stringify(r, null, 2));
