// Options shared by several subcommands, read and checked: a bad value is a UsageError naming the option.
import { readFileSync } from 'node:fs';
import { SURROGATE_LOCALES, validatePolicy, validateRedactionFormat, type Operation, type Policy } from '../engine';
import { parseDateShift, type DateShiftOptions } from '../jobs/folderJob';
import { KEY_FORMAT_HELP, parseKeyText } from '../keyFormat';
import { one, UsageError, type Parsed } from './args';

export function readPolicy(p: Parsed): { policy?: Policy; policyPath?: string } {
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

export function dateShiftOption(p: Parsed): DateShiftOptions {
	const range = one(p, '--date-shift-range');
	const r = parseDateShift(one(p, '--date-shift-by') ?? 'folder', range === undefined ? undefined : Number(range), p.flags.has('--keep-weekday'));
	if (r.error) throw new UsageError(`--${r.error.replace(/^date shift by/, 'date-shift-by').replace(/^the date shift range/, 'date-shift-range')}`);
	return r.options!;
}

export function localeOption(p: Parsed): string | undefined {
	const l = one(p, '--locale');
	if (l !== undefined && !(SURROGATE_LOCALES as readonly string[]).includes(l))
		throw new UsageError(`--locale must be one of ${SURROGATE_LOCALES.join(', ')}`);
	return l;
}

export function workersOption(p: Parsed): number | undefined {
	const w = one(p, '--workers');
	if (w === undefined) return undefined;
	const n = Number(w);
	if (!Number.isInteger(n) || n < 0 || n > 64) throw new UsageError('--workers must be a whole number from 0 to 64');
	return n;
}

/** --operation and --redaction-format, validated. */
export function operationOptions(p: Parsed): { operation: Operation; redactionFormat: string } {
	const operation = (one(p, '--operation') ?? 'redact') as Operation;
	if (!['tag', 'redact', 'surrogate'].includes(operation)) throw new UsageError('--operation must be tag, redact or surrogate');
	const redactionFormat = one(p, '--redaction-format') ?? '[{TYPE}]';
	const fmtErr = validateRedactionFormat(redactionFormat);
	if (fmtErr) throw new UsageError(fmtErr);
	return { operation, redactionFormat };
}

export function readKeyFile(p: Parsed): Uint8Array | undefined {
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

export function fhirConfigOption(p: Parsed): string | undefined {
	const v = one(p, '--fhir-config');
	if (v === undefined) return undefined;
	if (v === 'default') return '';
	try {
		return readFileSync(v, 'utf8');
	} catch {
		throw new UsageError(`--fhir-config ${v}: not readable`);
	}
}

export function readSecretFile(path: string, what: string): string {
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
