// dist/cliScan.js: `deid scan` without the rest of the CLI. The full bundle (Azure SDK, FHIRPath) takes about
// 0.2 s to load, a third of a scan's start-up; dist/cli.js (cli/launch.ts) picks this one for scan.
import { parse, UsageError } from './args';
import { cmdScan } from './scan';

/** As cli.ts's main for `scan` (same messages and exit codes). */
export async function main(argv: string[]): Promise<number> {
	try {
		const p = parse(argv);
		return await cmdScan({ ...p, positional: p.positional.slice(1) });
	} catch (e) {
		if (e instanceof UsageError) {
			process.stderr.write(`deid: ${e.message}\nRun 'deid --help' for usage.\n`);
			return 2;
		}
		const err = e as NodeJS.ErrnoException;
		// a system error names its code and call, never content; anything else is ours to fix
		process.stderr.write(err?.code ? `deid: ${err.code}${err.syscall ? ` (${err.syscall})` : ''}\n` : `deid: internal error (${(e as Error)?.name ?? 'unknown'}); please report it\n`);
		return 2;
	}
}
