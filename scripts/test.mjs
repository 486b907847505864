// npm test: builds the test bundles, runs the unit and language-server suites with node's test runner, then the
// end-to-end suites when available. Prints a closing "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', ...opts });

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
const suites = ['out/test/unit', 'out/test/server'].flatMap((d) => files(d));
mkdirSync('out', { recursive: true });
r = run(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', '--test-reporter-destination=out/test-results.tap', ...suites]);
const tap = readFileSync('out/test-results.tap', 'utf8');
const count = (k) => Number((tap.match(new RegExp(`^# ${k} (\\d+)`, 'm')) ?? [])[1] ?? 0);
const passed = count('pass');
const failed = count('fail');
const skipped = count('skipped');
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(r.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
