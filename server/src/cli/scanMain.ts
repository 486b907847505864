// dist/cliScan.js: `deid scan` without the rest of the CLI. The full bundle (Azure SDK, FHIRPath) takes about
// 0.2 s to load, a third of a scan's start-up; dist/cli.js (cli/launch.ts) picks this one for scan.
import { parse, reportFailure } from './args';
import { cmdScan } from './scan';

/** As cli.ts's main for `scan` (same messages and exit codes). */
export async function main(argv: string[]): Promise<number> {
	try {
		const p = parse(argv);
		return await cmdScan({ ...p, positional: p.positional.slice(1) });
	} catch (e) {
		return reportFailure(e);
	}
}
