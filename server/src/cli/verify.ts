// `deid verify <output>`: a folder job's output checked again (jobs/verify.ts); suspects by file, type and
// position, never text. Exit 1 when there are suspects.
import { NotAnOutputError, verifyOutputFolder } from '../jobs/verify';
import { loadDictionaries } from '../node/dictionaries';
import { detectOptions, UsageError, type Parsed } from './args';

export async function cmdVerify(p: Parsed, readKey: (p: Parsed) => Uint8Array | undefined): Promise<number> {
	if (p.positional.length !== 1) throw new UsageError('verify needs one <output> folder (a deidentify output)');
	const [output] = p.positional;
	const key = readKey(p);
	let report;
	try {
		report = await verifyOutputFolder({ output, detect: detectOptions(p), dicts: loadDictionaries(), key });
	} catch (e) {
		if (e instanceof NotAnOutputError) {
			process.stderr.write(`deid: ${output}: ${e.message}\n`);
			return 2;
		}
		throw e;
	}
	if (report.replacedCheck === 'skipped')
		process.stderr.write(`deid: the replaced-values check was skipped: ${report.replacedSkippedBecause}; only the detector pass ran\n`);
	for (const u of report.unreadable) process.stderr.write(`deid: ${u.path}: not read: ${u.reason}\n`);
	if (p.flags.has('--json')) process.stdout.write(JSON.stringify(report) + '\n');
	else {
		const lines: string[] = [];
		for (const f of report.byFile) {
			for (const s of f.suspects)
				lines.push(
					`${f.path}:${s.line + 1}:${s.character + 1}\t${s.type}\t${s.confidence.toFixed(2)}\t${s.reason}\t(${s.end - s.start} chars)`,
				);
		}
		const byType = Object.entries(report.byType).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)).map(([t, c]) => `${t} ${c}`).join(', ');
		lines.push(
			`Verified ${report.files} output file(s) at confidence ${report.threshold.toFixed(2)} and up: ${report.suspects} suspect(s)${byType ? ` (${byType})` : ''}; ` +
				`${report.byReason.detector} by the detector, ${report.byReason.replaced} replaced value(s) still present${report.replacedCheck === 'skipped' ? ' (check skipped)' : ''}`,
		);
		process.stdout.write(lines.join('\n') + '\n');
	}
	return report.suspects > 0 ? 1 : report.unreadable.length ? 2 : 0;
}
