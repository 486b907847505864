// `deid fhir`: FHIR resources through a Microsoft FHIR anonymizer configuration.
import { readFileSync } from 'node:fs';
import { JobError } from '../jobs/folderJob';
import { runFhirJob } from '../jobs/fhirJob';
import { loadConfigOrDefault } from '../engine/formats/fhir';
import { fhirKeyDeriver } from '../node/fhirDeps';
import { loadDictionaries } from '../node/dictionaries';
import { detectOptions, one, UsageError, type Parsed } from './args';
import { operationOptions, readKeyFile } from './options';

export async function cmdFhir(p: Parsed): Promise<number> {
	if (p.positional.length !== 2) throw new UsageError('fhir needs <input> and <output>');
	const { operation, redactionFormat } = operationOptions(p);
	const key = readKeyFile(p);
	const derive = key ? fhirKeyDeriver(key) : undefined;
	const configPath = one(p, '--config');
	let text: string | undefined;
	if (configPath) {
		try {
			text = readFileSync(configPath, 'utf8');
		} catch {
			throw new UsageError(`--config ${configPath}: not readable`);
		}
	}
	const loaded = loadConfigOrDefault(text, derive);
	if (!loaded.config) {
		process.stderr.write(`deid: invalid FHIR configuration${configPath ? ` ${configPath}` : ''}:\n${loaded.errors.map((e) => `  ${e}`).join('\n')}\n`);
		return 2;
	}
	for (const w of loaded.warnings) process.stderr.write(`deid: warning: ${w}\n`);
	if (!key && !configPath) process.stderr.write('deid: warning: no --key-file; random keys were used, so hashes and date shifts differ from other runs\n');
	const [input, output] = p.positional;
	let report;
	try {
		report = await runFhirJob({
			input,
			output,
			config: loaded.config,
			dicts: loadDictionaries,
			detect: detectOptions(p),
			operation,
			redactionFormat,
			skipExisting: p.flags.has('--skip-existing'),
		});
	} catch (e) {
		if (e instanceof JobError) {
			process.stderr.write(`deid: ${e.message}\n`);
			return 2;
		}
		throw e;
	}
	const s = report.durationMs / 1000;
	const done = report.files.filter((f) => f.status === 'done').length;
	const skipped = report.files.filter((f) => f.status === 'skipped').length;
	const failed = report.files.filter((f) => f.status === 'failed').length;
	const byType = Object.entries(report.textFindings).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)).map(([k, v]) => `${k} ${v}`).join(', ');
	process.stdout.write(
		`Anonymized ${report.resources} resources in ${done} of ${report.files.length} files (${skipped} skipped, ${failed} failed) → ${output}\n` +
			`${report.failedResources} resources failed; ${report.invalidValues} values invalid for their element (redacted); ${(report.resources / Math.max(s, 0.001)).toFixed(0)} resources/s; ${s.toFixed(2)} s\n` +
			(byType ? `Free-text findings: ${byType}\n` : ''),
	);
	for (const f of report.files) for (const e of f.errors) process.stdout.write(`  ${f.path}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
	for (const w of report.warnings) process.stderr.write(`deid: warning: ${w}\n`);
	return report.failedResources > 0 || failed > 0 ? 1 : 0;
}
