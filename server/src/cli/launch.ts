#!/usr/bin/env node
// dist/cli.js: loads dist/cliScan.js (engine only) for `deid scan` and dist/cliMain.js (cli.ts) for the rest, so a
// scan does not parse the Azure SDK and FHIRPath at start-up.
import { join } from 'node:path';
import { parse } from './args';

function isScan(argv: string[]): boolean {
	try {
		const p = parse(argv);
		return p.positional[0] === 'scan' && !p.flags.has('-h') && !p.flags.has('--help') && !p.flags.has('--version');
	} catch {
		return false; // cli.ts reports the mistake
	}
}

// Output piped into `head` and the like: a closed pipe ends the run quietly instead of crashing.
for (const stream of [process.stdout, process.stderr]) stream.on('error', (e: NodeJS.ErrnoException) => {
	if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
	throw e;
});
const argv = process.argv.slice(2);
// (a path built at run time: the bundles beside this one are loaded, not bundled in)
const { main } = require(join(__dirname, isScan(argv) ? 'cliScan.js' : 'cliMain.js')) as { main: (argv: string[]) => Promise<number> };
main(argv).then((code) => {
	process.exitCode = code;
});
