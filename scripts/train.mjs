// npm run train: bundles scripts/train.ts (it imports the engine's TypeScript) and runs it.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
const root = resolve(import.meta.dirname, '..');
const outfile = join(root, '.bench', 'train.js');
await esbuild.build({ entryPoints: [join(root, 'scripts', 'train.ts')], bundle: true, platform: 'node', target: 'node20', outfile, logLevel: 'warning' });
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, DEID_DICTIONARIES: process.env.DEID_DICTIONARIES ?? join(root, 'dist', 'dictionaries.json') } });
process.exit(r.status ?? 1);
