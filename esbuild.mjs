// Bundles the client (vscode external), the language server and the CLI into dist/; with --tests also every
// test file into out/test. Type-checking is its own step (npm run typecheck).
import * as esbuild from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');

const common = {
	bundle: true,
	platform: 'node',
	target: 'node20',
	format: 'cjs',
	sourcemap: production ? false : 'linked',
	minify: production,
	logLevel: 'warning',
};

function testEntries(dir) {
	const out = [];
	for (const name of readdirSync(dir)) {
		const p = join(dir, name);
		if (statSync(p).isDirectory()) {
			if (name !== 'fixtures') out.push(...testEntries(p));
		} else if (/\.test\.ts$/.test(name) || /^(index|run[\w-]*)\.ts$/.test(name)) out.push(p);
	}
	return out;
}

const builds = [
	{ ...common, entryPoints: { client: 'client/src/extension.ts' }, outdir: 'dist', external: ['vscode'] },
	{ ...common, entryPoints: { server: 'server/src/server.ts', cli: 'server/src/cli.ts', jobWorker: 'server/src/jobs/worker.ts' }, outdir: 'dist' },
];
if (tests) builds.push({ ...common, entryPoints: testEntries('test'), outdir: 'out/test', outbase: 'test', external: ['vscode', 'playwright-core', 'mocha'], sourcemap: 'inline' });

execFileSync(process.execPath, ['scripts/build-dicts.mjs'], { stdio: 'inherit' });
if (watch) {
	for (const b of builds) await (await esbuild.context(b)).watch();
	console.log('esbuild: watching for changes');
} else {
	await Promise.all(builds.map((b) => esbuild.build(b)));
}
