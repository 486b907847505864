// npm test: lints (typescript-eslint rules and the import rules between layers), builds the test bundles, runs
// the unit and language-server suites with node's test runner, then the end-to-end suites in a real editor.
// Says what it does as it starts each step, lists every skipped test with its reason, and prints a closing
// "N passed, N failed, N skipped" line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const step = (s) => console.log(`\n== npm test: ${s}`);
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', ...opts });

step('lint: eslint . (typescript-eslint rules and the import rules between layers; npm run lint)');
const lint = run(process.execPath, ['node_modules/eslint/bin/eslint.js', '.']);
if (lint.status !== 0) console.log('lint failed (details above); the suites still run, and the run fails at the end');

step('building the test bundles');
// fresh: a suite moved or removed must not run from an old bundle
rmSync('out/test', { recursive: true, force: true });
let r = run(process.execPath, ['esbuild.mjs', '--tests']);
if (r.status !== 0) process.exit(r.status ?? 1);

function files(dir) {
	const out = [];
	for (const name of readdirSync(dir)) {
		const p = join(dir, name);
		if (statSync(p).isDirectory()) out.push(...files(p));
		else if (name.endsWith('.test.js')) out.push(p);
	}
	return out.sort();
}
// every layer's suites but the end-to-end ones (a real editor, below)
const suites = readdirSync('out/test').filter((d) => d !== 'e2e' && statSync(join('out/test', d)).isDirectory()).flatMap((d) => files(join('out/test', d)));
if (!existsSync(join('..', 'shared'))) console.log('note: ../shared is absent, so the corpus and conformance suites skip (CI has it; see README "Tests")');
step(`unit and language-server suites (${suites.length} files, 2 at a time; a few minutes)`);
mkdirSync('out', { recursive: true });
r = run(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=dot', '--test-reporter-destination=stdout', '--test-reporter=tap', '--test-reporter-destination=out/test-results.tap', ...suites]);
const tap = readFileSync('out/test-results.tap', 'utf8');
const count = (k) => Number((tap.match(new RegExp(`^# ${k} (\\d+)`, 'm')) ?? [])[1] ?? 0);
let passed = count('pass');
let failed = count('fail') + (r.status !== 0 && count('fail') === 0 ? 1 : 0) + (lint.status !== 0 ? 1 : 0);
let skipped = count('skipped');
const skips = [...tap.matchAll(/^\s*ok \d+ - (.*?) # SKIP ?(.*)$/gm)].map((m) => `  skipped: ${m[1]}${m[2] ? ` (${m[2]})` : ''}`);
if (failed) console.log(`\nfailed (details above):\n${[...tap.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => `  failed: ${m[1]}`).join('\n')}`);
if (skips.length) console.log(skips.join('\n'));
console.log(`unit and server suites: ${passed} passed, ${failed} failed, ${skipped} skipped`);

if (process.env.DEID_SKIP_E2E === '1') {
	step('end-to-end suites skipped (DEID_SKIP_E2E=1)');
	skipped++;
} else {
	step('end-to-end suites in a real editor (code-server + Chromium). The first run installs Chromium through apt, Node 24 and code-server into .e2e-tools/ (about 5 minutes); DEID_SKIP_E2E=1 skips them');
	// streamed as it comes (set-up steps included) and read for the summary line
	const out = await new Promise((resolve) => {
		const child = spawn(process.execPath, ['scripts/e2e-run.mjs'], { stdio: ['ignore', 'pipe', 'inherit'] });
		let text = '';
		child.stdout.on('data', (d) => {
			process.stdout.write(d);
			text += d;
		});
		child.on('close', (code) => resolve({ text, code }));
	});
	const m = [...out.text.matchAll(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/gm)].pop();
	if (m) {
		passed += Number(m[1]);
		failed += Number(m[2]);
		skipped += Number(m[3] ?? 0);
	}
	if (out.code !== 0 && (!m || Number(m[2]) === 0)) failed++;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
