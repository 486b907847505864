#!/usr/bin/env node
// The `deid` command: its usage and the dispatch to one file per subcommand in cli/.
import { ENGINE_VERSION, ENTITY_TYPES } from './engine';
import { parse, reportFailure, UsageError, type Parsed } from './cli/args';
import { cmdScan } from './cli/scan';
import { cmdDeidentify } from './cli/deidentify';
import { cmdFhir } from './cli/fhir';
import { cmdServe } from './cli/serve';
import { cmdJob } from './cli/job';
import { cmdEvaluate } from './cli/evaluate';
import { cmdVerify } from './cli/verify';
import { readKeyFile } from './cli/options';

const USAGE = `deid ${ENGINE_VERSION} — find and remove PHI in clinical text and NDJSON, locally.

Usage:
  deid scan [--json] [--fail-on-findings] [options] <file|dir>...
  deid deidentify <input> <output> [--operation tag|redact|surrogate] [--redaction-format F]
                  [--policy F] [--locale L] [--date-shift-by B] [--date-shift-range N] [--keep-weekday] [--key-file F]
                  [--copy-other] [--workers N] [--force] [--no-resume] [--no-verify] [--review F] [options]
                            the output may not be, hold or lie in the input; an output folder holding files
                            this tool did not write (or an existing output file) is refused without --force.
                            A rerun resumes: finished files are kept. --no-resume starts afresh and deletes
                            the claims file (keyed digests of the replaced values) at the end. The output
                            is verified at the end (deid verify; a verify section in the report) unless
                            --no-verify. --review F applies the decisions of a review file (.deid/review.json
                            of a workspace folder; needs the --key-file it was made with): rejected findings
                            are kept, added spans replaced
  deid verify <output> [--key-file F] [--json] [options]
                            check a deidentify output folder again: a more sensitive detection pass (the
                            job's labels, masks and surrogates left out) and, with the job's key and its
                            claims file (surrogate runs), every replaced value still present. Suspects by
                            file, type and position, never text; exit 1 when there are any
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
  deid evaluate <dir> [--format auto|brat|json] [--labels F] [--json] [options]
                            score the detector against annotated notes: each <name>.txt in <dir> with its
                            <name>.ann (brat) or <name>.deid.json ({"version":1,"annotations":[{"type",
                            "start","end"}]}); precision/recall/F1 per type, strict span and per character.
                            --labels F: a JSON object of label -> entity type (or null: not PHI), over the
                            built-in MEDDOCAN, i2b2 and PhysioNet labels
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

Exit codes: 0 success, 1 findings (with --fail-on-findings), suspects (verify) or some files failed, 2 bad usage, or input that
could not be read or scanned (unreadable, not a regular file, binary, invalid text).`;

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
		if (cmd === 'verify') return await cmdVerify(sub, readKeyFile);
		if (cmd === 'evaluate') return await cmdEvaluate(sub);
		throw new UsageError(`unknown command '${cmd}' (known: scan, deidentify, fhir, serve, job, verify, evaluate; types: ${ENTITY_TYPES.length})`);
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
