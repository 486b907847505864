// `deid fhir`: apply a FHIR anonymizer configuration to a .json resource, an .ndjson bulk file, or a folder of
// them (mirrored). NDJSON: one line in, one line out, order kept, compact; .json: pretty. Outputs are written
// to a temporary file and renamed; sources are never touched. Errors name the file and line, never the data.
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { DetectOptions, Dictionaries, EntityType, Operation } from '../engine';
import {
	FhirAnonymizer, isResourceType, loadConfigOrDefault, knownPhiOfPatient, parseJson, patientIdOf, scrubTextProcessor, stringify,
	type FhirConfig, type FhirDeps, type FhirIssue,
} from '../engine/formats/fhir';
import type { DenyEntry } from '../engine/types';
import { fhirKeyDeriver, nodeFhirDeps } from '../node/fhirDeps';
import { JobError } from './errors';
import { temporaryPath } from '../node/tempfile';

export interface FhirJobOptions {
	input: string;
	output: string;
	config: FhirConfig;
	dicts: () => Dictionaries;
	detect?: DetectOptions;
	operation?: Operation;
	redactionFormat?: string;
	skipExisting?: boolean;
	deps?: Partial<FhirDeps>;
	onProgress?: (p: { files: number; done: number; resources: number }) => void;
}

export interface FhirFileResult {
	path: string;
	status: 'done' | 'skipped' | 'failed';
	resources: number;
	errors: { line?: number; message: string }[];
	/** Values redacted because they were not valid for their element: how many, and the first few by path. */
	invalidValues: number;
	invalid: { line?: number; path: string; problem: string }[];
}

/** Invalid values listed per file (all are counted). */
const INVALID_LISTED = 20;

export interface FhirJobReport {
	files: FhirFileResult[];
	resources: number;
	failedResources: number;
	/** Values redacted because they were not valid for their element (wrong JSON type, code, date, unknown element…). */
	invalidValues: number;
	textFindings: Partial<Record<EntityType, number>>;
	durationMs: number;
	warnings: string[];
}

const isBulk = (p: string) => /\.(ndjson|jsonl)$/i.test(p);
const isFhirFile = (p: string) => /\.(ndjson|jsonl|json)$/i.test(p);

async function listInputs(root: string): Promise<{ rel: string; problem?: string }[]> {
	const out: { rel: string; problem?: string }[] = [];
	const walk = async (rel: string) => {
		const entries = await readdir(join(root, rel), { withFileTypes: true });
		entries.sort((a, b) => a.name.localeCompare(b.name));
		for (const e of entries) {
			const r = rel ? join(rel, e.name) : e.name;
			if (e.isSymbolicLink()) {
				if (isFhirFile(e.name)) out.push({ rel: r, problem: 'symbolic link not followed' });
			} else if (e.isDirectory()) await walk(r);
			else if (e.isFile() && isFhirFile(e.name)) out.push({ rel: r });
		}
	};
	await walk('');
	return out;
}

/** Parse one resource's JSON text; the parser's message (which can quote the text) is not passed on. */
function parseResource(text: string): unknown {
	try {
		return parseJson(text);
	} catch {
		throw new Error('not valid JSON');
	}
}

/** Sanitise an error message for reports: quoted text (which could be data) is removed. */
function safeMessage(e: unknown): string {
	const m = e instanceof Error ? `${e.name === 'Error' ? '' : e.name + ': '}${e.message}` : 'error';
	return m.replace(/(["'`])(?:(?!\1).){0,200}\1/g, (q) => (/^['`][A-Za-z_.()[\]0-9 ]{0,80}['`]$/.test(q) ? q : '…')).slice(0, 300);
}

async function* lines(path: string): AsyncGenerator<string> {
	const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
	yield* rl;
}

/**
 * Resources that belong to no single patient (Organization, Location, …) get every patient's places as known
 * PHI: an organization named after a patient's town names that town.
 */
export function sharedPlaces(knownPhi: Map<string, DenyEntry[]>): DenyEntry[] {
	const geo = new Map<string, DenyEntry>();
	for (const entries of knownPhi.values())
		for (const e of entries)
			if (['City', 'Street', 'Zip', 'LocationOther'].includes(e.type)) geo.set(`${e.type}\u0000${e.text.toLowerCase()}`, e);
	return [...geo.values()];
}

/** Known PHI per patient id, from every Patient resource in the inputs (a first pass). */
export async function collectKnownPhi(root: string, files: string[]): Promise<Map<string, DenyEntry[]>> {
	const map = new Map<string, DenyEntry[]>();
	const take = (json: unknown) => {
		if (!json || typeof json !== 'object') return;
		const r = json as Record<string, unknown>;
		if (r.resourceType === 'Patient') {
			const id = patientIdOf(r);
			if (id) map.set(id, knownPhiOfPatient(r));
		} else if (r.resourceType === 'Bundle' && Array.isArray(r.entry)) for (const e of r.entry) take((e as { resource?: unknown })?.resource);
	};
	for (const rel of files) {
		const path = join(root, rel);
		try {
			if (isBulk(path)) {
				for await (const line of lines(path))
					if (/"resourceType"\s*:\s*"(Patient|Bundle)"/.test(line))
						try {
							take(JSON.parse(line.replace(/^\uFEFF/, '')));
						} catch {
							/* reported in the main pass */
						}
			} else {
				const text = await readFile(path, 'utf8');
				if (/"resourceType"\s*:\s*"(Patient|Bundle)"/.test(text)) take(JSON.parse(text.replace(/^\uFEFF/, '')));
			}
		} catch {
			/* unreadable or malformed: the main pass reports it */
		}
	}
	return map;
}

function noteInvalid(result: FhirFileResult, issues: FhirIssue[], line?: number): void {
	result.invalidValues += issues.length;
	for (const i of issues) if (result.invalid.length < INVALID_LISTED) result.invalid.push({ ...(line ? { line } : {}), path: i.path, problem: i.problem });
}

/** The output for a resource the configuration failed on: its type and the REDACTED label, as `processingErrors: skip`. */
function redactedResource(json: unknown): string | undefined {
	const rt = json && typeof json === 'object' ? (json as Record<string, unknown>).resourceType : undefined;
	if (typeof rt !== 'string' || !isResourceType(rt)) return undefined;
	return stringify(
		{
			resourceType: rt,
			meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'REDACTED', display: 'redacted' }] },
		},
		false,
	);
}

/** The job's input and output, checked, and the input's files (one for a file). */
async function fhirInputs(opts: FhirJobOptions) {
	const input = resolve(opts.input);
	const output = resolve(opts.output);
	if (input === output) throw new JobError('input and output must differ');
	let info;
	try {
		info = await stat(input);
	} catch {
		throw new JobError(`${opts.input}: not found or not readable`);
	}
	const single = info.isFile();
	const root = single ? dirname(input) : input;
	if (!single && (output + '/').startsWith(input + '/')) throw new JobError('the output folder must not be inside the input folder');
	const listed: { rel: string; problem?: string }[] = single ? [{ rel: basename(input) }] : await listInputs(input);
	return { input, output, single, root, listed };
}

export async function runFhirJob(opts: FhirJobOptions): Promise<FhirJobReport> {
	const started = Date.now();
	const { input, output, single, root, listed } = await fhirInputs(opts);
	const files = listed.filter((f) => !f.problem).map((f) => f.rel);
	const knownPhi = await collectKnownPhi(root, files);
	const sharedGeo = sharedPlaces(knownPhi);
	const textFindings: Partial<Record<EntityType, number>> = {};
	const dicts = opts.dicts();
	const scrub = scrubTextProcessor({
		dicts,
		detect: opts.detect,
		operation: opts.operation ?? 'redact',
		redactionFormat: opts.redactionFormat,
		onFindings: (types) => types.forEach((t) => (textFindings[t] = (textFindings[t] ?? 0) + 1)),
	});
	const deps = nodeFhirDeps(opts.deps);
	const report: FhirJobReport = { files: [], resources: 0, failedResources: 0, invalidValues: 0, textFindings, durationMs: 0, warnings: [] };
	for (const f of listed.filter((f) => f.problem))
		report.files.push({ path: f.rel, status: 'failed', resources: 0, errors: [{ message: f.problem! }], invalidValues: 0, invalid: [] });
	const folderName = basename(input);
	let done = 0;
	for (const rel of files) {
		const src = join(root, rel);
		const dest = single ? output : join(output, rel);
		const result: FhirFileResult = { path: rel, status: 'done', resources: 0, errors: [], invalidValues: 0, invalid: [] };
		report.files.push(result);
		if (opts.skipExisting && (await lstat(dest).then(() => true, () => false))) {
			result.status = 'skipped';
			continue;
		}
		// One engine per file, as upstream (an empty dateShiftKey is then random per file).
		const engine = new FhirAnonymizer(opts.config, deps, { scrubtext: scrub });
		const ctx = { fileName: basename(rel), folderName };
		const anonymize = (text: string, line?: number) => {
			const json = parseResource(text) as Record<string, unknown>;
			const pid = json && typeof json === 'object' ? patientIdOf(json) : undefined;
			const r = engine.anonymizeWithChanges(json, { ...ctx, knownPhi: pid ? knownPhi.get(pid) : sharedGeo }, false);
			noteInvalid(result, r.issues, line);
			return r.output;
		};
		await writeAnonymized(src, dest, anonymize, result);
		tally(report, rel, result);
		opts.onProgress?.({ files: files.length, done: ++done, resources: report.resources });
	}
	report.durationMs = Date.now() - started;
	return report;
}

/** Anonymizes `src` into `dest` through a temporary file: NDJSON line by line, a `.json` resource whole. */
async function writeAnonymized(src: string, dest: string, anonymize: (text: string, line?: number) => unknown, result: FhirFileResult): Promise<void> {
	await mkdir(dirname(dest), { recursive: true });
	const tmp = temporaryPath(dest);
	try {
		if (isBulk(src)) {
			const out = createWriteStream(tmp, { encoding: 'utf8' });
			let n = 0;
			for await (const raw of lines(src)) {
				n++;
				const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
				if (line.trim() === '') continue; // blank lines carry nothing; upstream fails the file, we skip them
				try {
					const text = stringify(anonymize(line, n), false);
					if (!out.write(text + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
					result.resources++;
				} catch (e) {
					result.errors.push({ line: n, message: safeMessage(e) });
				}
			}
			await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
		} else {
			const text = await readFile(src, 'utf8');
			try {
				const outText = stringify(anonymize(text), true);
				await writeFile(tmp, outText + '\n', 'utf8');
				result.resources++;
			} catch (e) {
				result.errors.push({ message: safeMessage(e) });
			}
		}
		if (result.resources === 0 && result.errors.length) {
			result.status = 'failed';
			await rm(tmp, { force: true });
		} else await rename(tmp, dest);
	} catch (e) {
		await rm(tmp, { force: true });
		result.status = 'failed';
		result.errors.push({ message: safeMessage(e) });
	}
}

/** Adds one file's counts to the report, with a warning when it had invalid values. */
function tally(report: FhirJobReport, rel: string, result: FhirFileResult): void {
	report.resources += result.resources;
	report.failedResources += result.errors.length;
	report.invalidValues += result.invalidValues;
	if (result.invalidValues) {
		const first = result.invalid[0];
		report.warnings.push(
			`${rel}: ${result.invalidValues} invalid value(s) redacted (first: ${first.line ? `line ${first.line}, ` : ''}${first.path}: ${first.problem})`,
		);
	}
}


/**
 * FHIR for the folder job: one engine per file (as upstream). `line` anonymizes one NDJSON line, or returns
 * undefined when the line is not a FHIR resource the engine accepts (the caller then scrubs it as NDJSON, so
 * nothing passes through unexamined); `whole` does a `.json` resource (pretty).
 */
export function fhirFileProcessor(
	configText: string,
	dicts: Dictionaries,
	key: Uint8Array,
	opts: {
		detect?: DetectOptions;
		operation?: Operation;
		redactionFormat?: string;
		fileName: string;
		folderName: string;
		knownPhi?: [string, DenyEntry[]][];
	},
) {
	const known = new Map(opts.knownPhi ?? []);
	const shared = sharedPlaces(known);
	const loaded = loadConfigOrDefault(configText || undefined, fhirKeyDeriver(key));
	if (!loaded.config) throw new JobError(`invalid FHIR configuration: ${loaded.errors[0]}`);
	const counts: Partial<Record<EntityType, number>> = {};
	const scrub = scrubTextProcessor({
		dicts,
		detect: opts.detect,
		operation: opts.operation ?? 'redact',
		redactionFormat: opts.redactionFormat,
		onFindings: (ts) => ts.forEach((t) => (counts[t] = (counts[t] ?? 0) + 1)),
	});
	const engine = new FhirAnonymizer(loaded.config, nodeFhirDeps(), { scrubtext: scrub });
	const counted = { invalidValues: 0 };
	const run = (json: unknown) => {
		const pid = json && typeof json === 'object' ? patientIdOf(json as Record<string, unknown>) : undefined;
		const r = engine.anonymizeWithChanges(
			json,
			{ fileName: opts.fileName, folderName: opts.folderName, knownPhi: pid ? known.get(pid) : shared },
			false,
		);
		counted.invalidValues += r.issues.length;
		return r.output;
	};
	/**
	 * A resource the engine fails on (a processing error under `processingErrors: raise`) becomes an empty redacted
	 * one: scrubbing it as plain NDJSON would keep every value the detector does not recognise.
	 */
	const orRedacted = (json: unknown, pretty: boolean): string => {
		try {
			return stringify(run(json), pretty);
		} catch (e) {
			const empty = redactedResource(json);
			if (empty === undefined) throw e;
			counted.invalidValues++;
			return pretty ? stringify(JSON.parse(empty), true) : empty;
		}
	};
	return {
		counts,
		/** Values redacted because they were not valid for their element, and resources redacted whole. */
		counted,
		line(text: string): string | undefined {
			if (!/"resourceType"\s*:/.test(text)) return undefined;
			try {
				return orRedacted(parseResource(text), false);
			} catch {
				return undefined;
			}
		},
		whole(text: string): string {
			return orRedacted(parseResource(text), true) + '\n';
		},
	};
}
