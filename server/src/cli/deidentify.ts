// `deid deidentify`: a folder (or a file) into a mirrored output, with report, resume and verify.
import { dirname, resolve } from 'node:path';
import type { ReviewDocument } from '../engine';
import { JobError, OutputExistsError, runFolderJob } from '../jobs/folderJob';
import { loadDictionaries } from '../node/dictionaries';
import { randomKey, keyFingerprint } from '../node/hash';
import { readReviewFile } from '../review/store';
import { detectOptions, one, UsageError, type Parsed } from './args';
import { dateShiftOption, fhirConfigOption, localeOption, operationOptions, readKeyFile, readPolicy, workersOption } from './options';

/** `--review F`: the decisions of a review file made with `key`, and the workspace folder it belongs to. */
function reviewOption(p: Parsed, key: Uint8Array | undefined): { doc: ReviewDocument; root: string } | undefined {
	const file = one(p, '--review');
	if (!file) return undefined;
	if (!key) throw new UsageError('--review needs --key-file: the key the review was made with');
	const r = readReviewFile(file, key, false);
	if (!r.doc) throw new UsageError(r.error);
	// <workspace>/.deid/review.json: paths in it are relative to <workspace>
	return { doc: r.doc, root: dirname(dirname(resolve(file))) };
}

export async function cmdDeidentify(p: Parsed): Promise<number> {
	if (p.positional.length !== 2) throw new UsageError('deidentify needs <input> and <output>');
	const { operation, redactionFormat } = operationOptions(p);
	let key = readKeyFile(p);
	const review = reviewOption(p, key);
	if (!key) {
		key = randomKey();
		if (operation === 'surrogate')
			process.stderr.write(
				`deid: warning: no --key-file; a random key was used for this run (fingerprint ${keyFingerprint(key)}), so surrogates will differ from other runs\n`,
			);
	}
	const tty = process.stderr.isTTY;
	const started = Date.now();
	const [input, output] = p.positional;
	let report;
	try {
		report = await runFolderJob({
			input,
			output,
			operation,
			redactionFormat,
			detect: detectOptions(p),
			dicts: loadDictionaries,
			key,
			copyOther: p.flags.has('--copy-other'),
			workers: workersOption(p),
			...readPolicy(p),
			locale: localeOption(p),
			dateShift: dateShiftOption(p),
			fhirConfigText: fhirConfigOption(p),
			force: p.flags.has('--force'),
			fresh: p.flags.has('--no-resume'),
			review,
			verify: !p.flags.has('--no-verify'),
			onProgress: tty
				? (pr) => {
						const mb = pr.bytes / 1048576;
						const s = (Date.now() - started) / 1000;
						process.stderr.write(`\r${pr.done}/${pr.total} files, ${mb.toFixed(1)} MB, ${(mb / Math.max(s, 0.001)).toFixed(1)} MB/s   `);
					}
				: undefined,
		});
	} catch (e) {
		if (e instanceof JobError) {
			process.stderr.write(`deid: ${e.message}${e instanceof OutputExistsError ? ' Choose another output, or pass --force to overwrite.' : ''}\n`);
			return 2;
		}
		throw e;
	}
	if (tty) process.stderr.write('\n');
	for (const n of report.notices ?? []) process.stderr.write(`deid: note: ${n}\n`);
	const t = report.totals;
	const byType = Object.entries(report.countsByType)
		.sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
		.map(([k, v]) => `${k} ${v}`)
		.join(', ');
	process.stdout.write(
		`De-identified ${t.done} of ${t.files} files (${t.skipped} skipped, ${t.failed} failed${t.copied ? `, ${t.copied} copied` : ''}${t.kept ? `; ${t.kept} done by an earlier run and unchanged, kept` : ''}) → ${output}\n` +
			`Findings: ${t.findings}${byType ? ` (${byType})` : ''}; operation ${operation}; ${(report.durationMs / 1000).toFixed(2)} s\n`,
	);
	for (const f of report.files.filter((f) => f.status === 'failed')) process.stdout.write(`  failed: ${f.path}: ${f.reason}\n`);
	return t.failed > 0 ? 1 : 0;
}
