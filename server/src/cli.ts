#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
	ENGINE_VERSION, ENTITY_TYPES, SURROGATE_LOCALES, validatePolicy, validateRedactionFormat, type Operation, type Policy,
} from './engine';
import { JobError, OutputExistsError, parseDateShift, runFolderJob, type DateShiftOptions } from './jobs/folderJob';
import { KEY_FORMAT_HELP, parseKeyText } from './keyFormat';
import { runFhirJob } from './jobs/fhirJob';
import { loadConfigOrDefault } from './engine/fhir';
import { fhirKeyDeriver } from './node/fhirDeps';
import { loadDictionaries } from './node/dictionaries';
import { randomKey, keyFingerprint } from './node/hash';
import { detectOptions, one, parse, reportFailure, UsageError, VALUE_FLAGS, type Parsed } from './cli/args';
import { readReviewFile } from './review/store';
import type { ReviewDocument } from './engine';
import { cmdScan } from './cli/scan';

const USAGE = `deid ${ENGINE_VERSION} — find and remove PHI in clinical text and NDJSON, locally.

Usage:
  deid scan [--json] [--fail-on-findings] [options] <file|dir>...
  deid deidentify <input> <output> [--operation tag|redact|surrogate] [--redaction-format F]
                  [--policy F] [--locale L] [--date-shift-by B] [--date-shift-range N] [--keep-weekday] [--key-file F]
                  [--copy-other] [--workers N] [--force] [--no-resume] [--review F] [options]
                            --review F: apply the decisions of a review file (.deid/review.json of a workspace
                            folder; needs the --key-file it was made with): rejected findings are kept, added spans removed.
                            the output may not be, hold or lie in the input; an output folder holding files
                            this tool did not write (or an existing output file) is refused without --force.
                            A rerun resumes: finished files are kept. --no-resume starts afresh and deletes
                            the claims file (keyed digests of the replaced values) at the end
  deid fhir <input> <output> [--config F] [--skip-existing] [--key-file F] [--operation redact|surrogate|tag]
                  [--redaction-format F] [options]
                            FHIR: .json (one resource, pretty) or .ndjson (bulk, one line in, one line out),
                            or a folder of them (mirrored). --config is a Microsoft FHIR anonymizer configuration;
                            without it the HIPAA Safe Harbor sample plus scrubText (free text through our detector).
                            --operation/--redaction-format apply to scrubText.
  deid serve --port N [--host 127.0.0.1] --token-file F [--state-dir D] [--allow-container NAME]...
                  [--document-time-limit SECONDS]
                            a self-hosted server with the Azure de-identification REST API (2024-11-15);
                            the token: 32+ random characters (e.g. openssl rand -base64 32); jobs may name
                            only the connection string's account (and only the allowed containers, if given);
                            the storage connection string from DEID_STORAGE_CONNECTION_STRING or
                            --storage-connection-string-file F
  deid job submit <folder> --endpoint URL --container-url URL --out DIR [--token-file F]
                  [--operation redact|surrogate] [--redaction-format F] [--keep-inputs]
                            storage credentials from DEID_STORAGE_CONNECTION_STRING or DEID_STORAGE_SAS, or
                            --storage-connection-string-file F / --storage-sas-file F
  deid job list|status <job>|cancel <job>|delete <job> --endpoint URL [--token-file F]
                            remote batch jobs on Azure (Entra ID via az login / environment when no
                            --token-file) or on a deid serve server (--token-file)

Options:
  --language auto|en|es     language profile (default auto: per document)
  --ages over89|all         ages over 89 only (HIPAA Safe Harbor; the English default) or every age
                            (the Spanish profile's default)
  --min-confidence N        drop findings below N (0..1, default 0.5; confidences are calibrated)
  --raw-confidence          report the detectors' raw scores (for npm run bench:calibrate)
  --allow WORD              never report WORD (repeatable)
  --workers N               worker threads for deidentify (default: one per core; 0 = this thread)
  --policy F                per-type strategies (JSON): label, mask, fixedMask, surrogate, keep
  --locale L                surrogate locale: en-US (default), en-GB, fr-CA, fr-FR, de-DE, es-ES
  --date-shift-by B         one date offset per folder (default: first-level folder), file, run,
                            regex:<pattern> over the relative path (first group = patient), or reference
                            (NDJSON: each record's subject/patient reference; other files: by folder)
  --date-shift-range N      offsets within ±N days (default 365); --keep-weekday shifts by whole weeks
  --key-file F              the surrogate key: 64 hex digits (as the extension's "Export Surrogate Key"
                            writes; 32 to 128 accepted) or 32 bytes in base64; anything else is refused
  --fhir-config F|default   deidentify: FHIR NDJSON lines and .json resources go through this FHIR anonymizer
                            configuration (default: HIPAA Safe Harbor + scrubText); other lines as usual
  -h, --help                this help
  --version                 the version

Secrets never belong on a command line (other users see it in ps): the --storage-connection-string and
--storage-sas flags still work but warn; use the environment variables or the -file options above.

Exit codes: 0 success, 1 findings (with --fail-on-findings) or some files failed, 2 bad usage, or input that
could not be read or scanned (unreadable, not a regular file, binary, invalid text).`;

function readPolicy(p: Parsed): { policy?: Policy; policyPath?: string } {
	const file = one(p, '--policy');
	if (!file) return {};
	let raw: unknown;
	try {
		raw = JSON.parse(readFileSync(file, 'utf8'));
	} catch (e) {
		throw new UsageError(`--policy ${file}: ${e instanceof SyntaxError ? 'not valid JSON' : 'not readable'}`);
	}
	const { policy, errors } = validatePolicy(raw);
	if (!policy) throw new UsageError(`--policy ${file} is invalid:\n  ${errors.join('\n  ')}`);
	return { policy, policyPath: file };
}

function dateShiftOption(p: Parsed): DateShiftOptions {
	const range = one(p, '--date-shift-range');
	const r = parseDateShift(one(p, '--date-shift-by') ?? 'folder', range === undefined ? undefined : Number(range), p.flags.has('--keep-weekday'));
	if (r.error) throw new UsageError(`--${r.error.replace(/^date shift by/, 'date-shift-by').replace(/^the date shift range/, 'date-shift-range')}`);
	return r.options!;
}

function localeOption(p: Parsed): string | undefined {
	const l = one(p, '--locale');
	if (l !== undefined && !(SURROGATE_LOCALES as readonly string[]).includes(l)) throw new UsageError(`--locale must be one of ${SURROGATE_LOCALES.join(', ')}`);
	return l;
}

function workersOption(p: Parsed): number | undefined {
	const w = one(p, '--workers');
	if (w === undefined) return undefined;
	const n = Number(w);
	if (!Number.isInteger(n) || n < 0 || n > 64) throw new UsageError('--workers must be a whole number from 0 to 64');
	return n;
}

/** --operation and --redaction-format, validated. */
function operationOptions(p: Parsed): { operation: Operation; redactionFormat: string } {
	const operation = (one(p, '--operation') ?? 'redact') as Operation;
	if (!['tag', 'redact', 'surrogate'].includes(operation)) throw new UsageError('--operation must be tag, redact or surrogate');
	const redactionFormat = one(p, '--redaction-format') ?? '[{TYPE}]';
	const fmtErr = validateRedactionFormat(redactionFormat);
	if (fmtErr) throw new UsageError(fmtErr);
	return { operation, redactionFormat };
}

function readKeyFile(p: Parsed): Uint8Array | undefined {
	const keyFile = one(p, '--key-file');
	if (!keyFile) return undefined;
	let text: string;
	try {
		text = readFileSync(keyFile, 'utf8');
	} catch {
		throw new UsageError(`--key-file ${keyFile}: not readable`);
	}
	const key = parseKeyText(text);
	if (!key) throw new UsageError(`--key-file ${keyFile}: not a key; ${KEY_FORMAT_HELP}`);
	return key;
}

function fhirConfigOption(p: Parsed): string | undefined {
	const v = one(p, '--fhir-config');
	if (v === undefined) return undefined;
	if (v === 'default') return '';
	try {
		return readFileSync(v, 'utf8');
	} catch {
		throw new UsageError(`--fhir-config ${v}: not readable`);
	}
}

async function cmdFhir(p: Parsed): Promise<number> {
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
		report = await runFhirJob({ input, output, config: loaded.config, dicts: loadDictionaries, detect: detectOptions(p), operation, redactionFormat, skipExisting: p.flags.has('--skip-existing') });
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

function readSecretFile(path: string, what: string): string {
	try {
		const v = readFileSync(path, 'utf8').trim();
		if (!v) throw new Error('empty');
		return v;
	} catch {
		throw new UsageError(`${what} ${path}: not readable or empty`);
	}
}

/**
 * A storage secret: a -file option, then the environment, then (with a warning: it shows in ps) the flag itself.
 */
function storageSecret(p: Parsed, which: 'connection-string' | 'sas'): string | undefined {
	const file = one(p, `--storage-${which}-file`);
	if (file) return readSecretFile(file, `--storage-${which}-file`);
	const env = process.env[which === 'sas' ? 'DEID_STORAGE_SAS' : 'DEID_STORAGE_CONNECTION_STRING'];
	if (env) return env;
	const flag = one(p, `--storage-${which}`);
	if (flag) process.stderr.write(`deid: warning: --storage-${which} puts a secret on the command line, where other users can read it; use ${which === 'sas' ? 'DEID_STORAGE_SAS' : 'DEID_STORAGE_CONNECTION_STRING'} or --storage-${which}-file\n`);
	return flag;
}

/** A connection string we can use, or a usage error that names what is missing (never the secret). */
function checkConnectionString(cs: string): void {
	const parts = new Map<string, string>();
	for (const part of cs.split(';')) {
		const at = part.indexOf('=');
		if (at > 0) parts.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
	}
	if (cs.trim() === 'UseDevelopmentStorage=true') return;
	const missing = ['AccountName', 'AccountKey'].filter((k) => !parts.get(k));
	if (missing.length) throw new UsageError(`the storage connection string is not usable: it needs ${missing.join(' and ')} (Name=value pairs separated by ';')`);
	const endpoint = parts.get('BlobEndpoint');
	if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/i.test(endpoint)) throw new UsageError('the storage connection string is not usable: BlobEndpoint is not an http(s) URL');
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(parts.get('AccountKey')!)) throw new UsageError('the storage connection string is not usable: AccountKey is not base64');
}

/** A regular file's bytes, or why it was not read (a FIFO is never opened for a blocking read). */
async function cmdServe(p: Parsed): Promise<number> {
	const port = Number(one(p, '--port'));
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('serve needs --port N');
	const cs = storageSecret(p, 'connection-string');
	if (!cs) throw new UsageError('serve needs a storage connection string: DEID_STORAGE_CONNECTION_STRING or --storage-connection-string-file F');
	checkConnectionString(cs);
	const tokenFile = one(p, '--token-file');
	if (!tokenFile) throw new UsageError('serve needs --token-file (clients must send this bearer token)');
	const token = readSecretFile(tokenFile, '--token-file');
	const limit = one(p, '--document-time-limit');
	const budget = limit === undefined ? undefined : Number(limit);
	if (budget !== undefined && !(budget > 0 && budget <= 3600)) throw new UsageError('--document-time-limit must be a number of seconds from 1 to 3600');
	const { startServer } = await import('./remote/serve');
	let server;
	try {
		server = await startServer({ port, host: one(p, '--host') ?? '127.0.0.1', connectionString: cs, token, stateDir: one(p, '--state-dir'), dicts: loadDictionaries, allowedContainers: p.flags.get('--allow-container'), documentBudgetMs: budget === undefined ? undefined : budget * 1000, log: (l) => process.stderr.write(`deid serve: ${l}\n`) });
	} catch (e) {
		const code = (e as NodeJS.ErrnoException).code;
		process.stderr.write(`deid serve: cannot start: ${code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'not allowed to listen on that port' : code ? code : (e as Error).message}\n`);
		return 2;
	}
	process.stdout.write(`deid serve: listening on ${server.url} (api-version 2024-11-15)\n`);
	await new Promise<void>((resolve) => {
		const stop = () => {
			process.stderr.write('deid serve: shutting down (the current document finishes; running jobs resume on restart)\n');
			void server.close().then(resolve);
		};
		process.once('SIGTERM', stop);
		process.once('SIGINT', stop);
	});
	return 0;
}

async function remoteClient(p: Parsed) {
	const endpoint = one(p, '--endpoint');
	if (!endpoint) throw new UsageError('--endpoint URL is required');
	const { DeidClient, DEID_SCOPE } = await import('./remote/azure/deidClient');
	const tokenFile = one(p, '--token-file');
	let token: () => Promise<string | undefined>;
	if (tokenFile) {
		const t = readSecretFile(tokenFile, '--token-file');
		token = async () => t;
	} else {
		const { DefaultAzureCredential } = await import('@azure/identity');
		const cred = new DefaultAzureCredential();
		token = async () => (await cred.getToken(DEID_SCOPE))?.token;
	}
	return new DeidClient({ endpoint, token });
}

async function cmdJob(p: Parsed): Promise<number> {
	const [sub, arg] = p.positional;
	const { DeidApiError, describeRemoteError } = await import('./remote/azure/deidClient');
	try {
		const client = await remoteClient(p);
		if (sub === 'list') {
			for await (const j of client.listJobs({ maxpagesize: 50 })) {
				const s = j.summary;
				process.stdout.write(`${j.name}\t${j.status}\t${j.createdAt}${s ? `\t${s.successful}/${s.total} succeeded, ${s.failed} failed` : ''}\n`);
			}
			return 0;
		}
		if (sub === 'status' || sub === 'cancel' || sub === 'delete') {
			if (!arg) throw new UsageError(`job ${sub} needs a job name`);
			if (sub === 'delete') {
				await client.deleteJob(arg);
				process.stdout.write(`deleted job ${arg} (blobs are not deleted)\n`);
				return 0;
			}
			const j = sub === 'cancel' ? await client.cancelJob(arg) : await client.getJob(arg);
			process.stdout.write(JSON.stringify(j, null, 2) + '\n');
			return 0;
		}
		if (sub === 'submit') {
			if (!arg) throw new UsageError('job submit needs <folder>');
			const out = one(p, '--out');
			const containerUrl = one(p, '--container-url');
			if (!out || !containerUrl) throw new UsageError('job submit needs --out DIR and --container-url URL');
			const operation = (one(p, '--operation') ?? 'redact').toLowerCase();
			if (!['redact', 'surrogate'].includes(operation)) throw new UsageError('--operation must be redact or surrogate');
			const redactionFormat = one(p, '--redaction-format');
			if (redactionFormat) {
				const err = validateRedactionFormat(redactionFormat);
				if (err) throw new UsageError(err);
			}
			const storageConnection = storageSecret(p, 'connection-string');
			if (storageConnection) checkConnectionString(storageConnection);
			const storageSas = storageSecret(p, 'sas');
			const { submitFolder, preflight } = await import('./remote/azure/submit');
			const pre = await preflight(arg);
			process.stderr.write(`deid: submitting ${pre.files.length} documents (${(pre.bytes / 1048576).toFixed(2)} MB) to ${new URL(one(p, '--endpoint')!).host}; ${pre.skipped.length} skipped. The documents leave this machine.\n`);
			const report = await submitFolder({
				folder: arg,
				out,
				client,
				preflight: pre,
				storage: { containerUrl, connectionString: storageConnection, sas: storageSas },
				operation: operation === 'redact' ? 'Redact' : 'Surrogate',
				redactionFormat,
				deleteInputs: !p.flags.has('--keep-inputs'),
				onJobCreated: (n) => process.stderr.write(`deid: job ${n} created\n`),
			});
			process.stdout.write(`Job ${report.jobName}: ${report.status}; ${report.downloaded.length} documents downloaded to ${out}, ${report.failed.length} failed, ${report.skipped.length} skipped\n`);
			for (const f of report.failed) process.stdout.write(`  failed: ${f.rel}: ${f.code}\n`);
			for (const s of report.skipped) process.stdout.write(`  skipped: ${s.rel}: ${s.reason}\n`);
			return report.status === 'Succeeded' && report.failed.length === 0 ? 0 : 1;
		}
		throw new UsageError('job needs submit, list, status, cancel or delete');
	} catch (e) {
		if (e instanceof DeidApiError) {
			process.stderr.write(`deid: the service answered ${e.status} ${e.code}: ${e.message}\n`);
			return 1;
		}
		if (e instanceof UsageError) throw e;
		process.stderr.write(`deid: ${describeRemoteError(e)}\n`);
		return 1;
	}
}

// (the option is read by deidentify only)
VALUE_FLAGS.add('--review');

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

async function cmdDeidentify(p: Parsed): Promise<number> {
	if (p.positional.length !== 2) throw new UsageError('deidentify needs <input> and <output>');
	const { operation, redactionFormat } = operationOptions(p);
	let key = readKeyFile(p);
	const review = reviewOption(p, key);
	if (!key) {
		key = randomKey();
		if (operation === 'surrogate') process.stderr.write(`deid: warning: no --key-file; a random key was used for this run (fingerprint ${keyFingerprint(key)}), so surrogates will differ from other runs\n`);
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

export async function main(argv: string[]): Promise<number> {
	let p: Parsed;
	try {
		p = parse(argv);
		if (p.flags.has('--version')) {
			process.stdout.write(`${ENGINE_VERSION}\n`);
			return 0;
		}
		const [cmd, ...rest] = p.positional;
		if (!cmd || p.flags.has('-h') || p.flags.has('--help')) {
			process.stdout.write(USAGE + '\n');
			return cmd || p.flags.size ? 0 : 2;
		}
		const sub = { ...p, positional: rest };
		if (cmd === 'scan') return await cmdScan(sub);
		if (cmd === 'deidentify') return await cmdDeidentify(sub);
		if (cmd === 'fhir') return await cmdFhir(sub);
		if (cmd === 'serve') return await cmdServe(sub);
		if (cmd === 'job') return await cmdJob(sub);
		throw new UsageError(`unknown command '${cmd}' (known: scan, deidentify, fhir, serve, job; types: ${ENTITY_TYPES.length})`);
	} catch (e) {
		return reportFailure(e);
	}
}

if (require.main === module) {
	// Output piped into `head` and the like: a closed pipe ends the run quietly instead of crashing.
	for (const stream of [process.stdout, process.stderr]) stream.on('error', (e: NodeJS.ErrnoException) => {
		if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
		throw e;
	});
	main(process.argv.slice(2)).then((code) => {
		process.exitCode = code;
	});
}
