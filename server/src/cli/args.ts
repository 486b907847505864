// Command-line parsing shared by the full CLI (cli.ts) and the scan-only bundle (cli/scanMain.ts).
import type { DetectOptions } from '../engine';
import { describeError } from '../node/errors';

/** A mistake on the command line: reported with a pointer to --help, exit code 2. */
export class UsageError extends Error {}

export interface Parsed {
	positional: string[];
	flags: Map<string, string[]>;
}

export const VALUE_FLAGS = new Set([
	'--port',
	'--host',
	'--storage-connection-string',
	'--storage-sas',
	'--storage-connection-string-file',
	'--storage-sas-file',
	'--allow-container',
	'--document-time-limit',
	'--token-file',
	'--state-dir',
	'--endpoint',
	'--container-url',
	'--out',
	'--config',
	'--fhir-config',
	'--date-shift-by',
	'--date-shift-range',
	'--locale',
	'--policy',
	'--operation',
	'--redaction-format',
	'--key-file',
	'--language',
	'--ages',
	'--min-confidence',
	'--allow',
	'--workers',
	'--jobs',
	'--review',
	'--format',
	'--labels',
]);
export const BOOL_FLAGS = new Set([
	'--raw-confidence',
	'--keep-inputs',
	'--skip-existing',
	'--keep-weekday',
	'--json',
	'--fail-on-findings',
	'--copy-other',
	'--force',
	'--no-resume',
	'--no-verify',
	'-h',
	'--help',
	'--version',
]);

export function parse(argv: string[]): Parsed {
	const positional: string[] = [];
	const flags = new Map<string, string[]>();
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--') {
			positional.push(...argv.slice(i + 1));
			break;
		}
		if (a.startsWith('-') && a !== '-') {
			const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
			if (VALUE_FLAGS.has(name)) {
				const v = inline ?? argv[++i];
				if (v === undefined) throw new UsageError(`${name} needs a value`);
				flags.set(name, [...(flags.get(name) ?? []), v]);
			} else if (BOOL_FLAGS.has(name)) flags.set(name, ['true']);
			else throw new UsageError(`unknown option ${name}`);
		} else positional.push(a);
	}
	return { positional, flags };
}

export function one(p: Parsed, name: string): string | undefined {
	const v = p.flags.get(name);
	return v ? v[v.length - 1] : undefined;
}

export function detectOptions(p: Parsed): DetectOptions {
	const language = one(p, '--language') ?? 'auto';
	if (!['auto', 'en', 'es'].includes(language)) throw new UsageError('--language must be auto, en or es');
	const ages = one(p, '--ages');
	if (ages !== undefined && !['over89', 'all'].includes(ages)) throw new UsageError('--ages must be over89 or all');
	const minText = one(p, '--min-confidence');
	const min = minText === undefined ? undefined : Number(minText);
	if (min !== undefined && !(min >= 0 && min <= 1)) throw new UsageError('--min-confidence must be a number from 0 to 1');
	return {
		language: language as DetectOptions['language'],
		ages: ages as 'over89' | 'all' | undefined,
		minConfidence: min,
		allowList: p.flags.get('--allow') ?? [],
		...(p.flags.has('--raw-confidence') ? { calibrate: false } : {}),
	};
}

/** What a CLI run prints for an error that ended it, and its exit code: usage, a system error named by its
 * code, or an internal error by its class, never content. */
export function reportFailure(e: unknown): number {
	if (e instanceof UsageError) {
		process.stderr.write(`deid: ${e.message}\nRun 'deid --help' for usage.\n`);
		return 2;
	}
	const code = (e as NodeJS.ErrnoException)?.code;
	process.stderr.write(code ? `deid: ${describeError(e)}\n` : `deid: internal error (${(e as Error)?.name ?? 'unknown'}); please report it\n`);
	return 2;
}
