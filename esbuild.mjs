// Bundles the client (vscode external), the language server and the CLI into dist/; with --tests also every
// test file into out/test. Type-checking is its own step (npm run typecheck).
import * as esbuild from 'esbuild';
import { readFileSync, readdirSync, statSync } from 'node:fs';
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

/**
 * Characters above U+00FF written as \u escapes before bundling (esbuild's ASCII output leaves them in regular
 * expression literals): one such character makes V8 hold the whole bundle's source as a two-byte string, in
 * every thread. An escape means the same in strings, templates, regular expressions and identifiers, and is
 * inert in comments; a character right after a backslash is left alone.
 */
const latin1Source = {
	name: 'latin1-source',
	setup(build) {
		build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
			const text = readFileSync(args.path, 'utf8');
			if (!/[^\u0000-\u00ff]/.test(text)) return undefined;
			const escaped = text.replace(/(?<!\\)[\u0100-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
			return { contents: escaped, loader: /\.[cm]?tsx?$/.test(args.path) ? 'ts' : 'js' };
		});
	},
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

// dist/cli.js is a small launcher: cliScan.js for `deid scan` (engine only), cliMain.js for the rest.
const builds = [
	{ ...common, entryPoints: { client: 'client/src/extension.ts' }, outdir: 'dist', external: ['vscode'] },
	// Whitespace and comments out: V8 keeps a script's source for lazy compilation in every thread that loads it,
	// as a two-byte string if a single character is not Latin-1 (a comment's ≤ was enough), so the folder job's
	// threads each held several MB of source. Names stay, so stack traces read as before.
	{ ...common, entryPoints: { server: 'server/src/server.ts', cli: 'server/src/cli/launch.ts', cliMain: 'server/src/cli.ts', cliScan: 'server/src/cli/scanMain.ts', jobWorker: 'server/src/jobs/worker.ts' }, outdir: 'dist', minifyWhitespace: true, plugins: [latin1Source] },
];
if (tests) builds.push({ ...common, entryPoints: testEntries('test'), outdir: 'out/test', outbase: 'test', external: ['vscode', 'playwright-core', 'mocha'], sourcemap: 'inline' });

execFileSync(process.execPath, ['scripts/build-dicts.mjs'], { stdio: 'inherit' });
// dist/dictionaries.pack: the engine's own index of dictionaries.json, computed here once instead of at every
// start-up (see server/src/node/dictionaryPack.ts).
{
	const packer = await esbuild.build({
		...common, sourcemap: false, write: false, outfile: 'pack-dicts.js', logLevel: 'warning',
		stdin: {
			resolveDir: '.', loader: 'ts',
			contents: `import { indexDictionariesFromJson } from './server/src/node/dictionaries';
import { packDictionaries } from './server/src/node/dictionaryPack';
import { writeFileSync, renameSync } from 'node:fs';
writeFileSync('dist/dictionaries.pack.tmp', packDictionaries(indexDictionariesFromJson('dist/dictionaries.json')));
renameSync('dist/dictionaries.pack.tmp', 'dist/dictionaries.pack');`,
		},
	});
	execFileSync(process.execPath, ['-'], { input: packer.outputFiles[0].text, stdio: ['pipe', 'inherit', 'inherit'] });
}
if (watch) {
	for (const b of builds) await (await esbuild.context(b)).watch();
	console.log('esbuild: watching for changes');
} else {
	await Promise.all(builds.map((b) => esbuild.build(b)));
}
