// Extension-host test entry: the run() contract of @vscode/test-electron, used both by code-server's
// smoke-test driver (scripts/e2e-run.mjs) and by @vscode/test-electron (npm run test:electron).
import * as path from 'node:path';
import * as fs from 'node:fs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Mocha = require('mocha');

export function run(): Promise<void> {
	const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: false, reporter: 'spec' });
	for (const f of fs.readdirSync(__dirname).filter((f: string) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
	return new Promise((resolve, reject) => {
		const runner = mocha.run((failures: number) => {
			const passed = runner.stats?.passes ?? 0;
			console.log(`${passed} passed, ${failures} failed`);
			if (failures > 0) reject(new Error(`${failures} extension-host tests failed`));
			else resolve();
		});
	});
}
