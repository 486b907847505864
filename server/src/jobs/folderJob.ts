import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { appendFile, lstat, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
	ENGINE_VERSION,
	folderKeysOf,
	pathKey,
	reviewDigest,
	scopedRejects,
	serializeReview,
	type ReviewDocument,
	type DetectOptions,
	type Dictionaries,
	type DocumentFormat,
	type EntityType,
	type Operation,
	type Policy,
} from '../engine';
import { hmacHash, keyFingerprint, sha256Hex } from '../node/hash';
import { formatForPath } from '../node/textio';
import { inProcessRunner, OUT_OF_MEMORY, workerPool, workerScriptPath, type Runner } from './pool';

/** Heap of the worker that retries a file the pool's workers could not hold (MB). */
const LARGE_FILE_HEAP_MB = 1536;
import { describeError, type Claim, type FileReviewOutcome, type FileTask } from './processFile';
import { temporaryPath } from '../node/tempfile';
import { ClaimStore } from './claimStore';
import { outputPaths, sourceDigest } from './outputNames';
import { verifyMarkdown, verifyOutputFolder, type VerifyReport } from './verify';

export { describeError };

export interface FolderJobOptions {
	input: string;
	output: string;
	operation: Operation;
	redactionFormat?: string;
	detect: DetectOptions;
	/** Loads the dictionaries; called only when files are processed in this thread (workers load their own). */
	dicts: () => Dictionaries;
	key: Uint8Array;
	/** Copy files that are not text or NDJSON unchanged instead of skipping them. */
	copyOther?: boolean;
	/** Files larger than this are refused (bytes). */
	maxFileBytes?: number;
	signal?: AbortSignal;
	onProgress?: (p: JobProgress) => void;
	/** Worker threads (0 = in this thread); default: all cores for jobs over 4 MB. */
	workers?: number;
	/** Heap limit of each worker thread in MB (default 160): a file that needs more is retried alone in a worker
	 * with largeFileHeapMb (default 1536), and fails with a reason if that is not enough either. */
	workerHeapMb?: number;
	largeFileHeapMb?: number;
	/** Per-type strategies, and where they came from (recorded in the report by path and hash). */
	policy?: Policy;
	policyPath?: string;
	/** Surrogate locale (en-US default). */
	locale?: string;
	/** How files map to patients for date shifting (one offset per patient), the range and weekday preservation. */
	dateShift?: DateShiftOptions;
	/** Injected clock (tests). */
	now?: () => number;
	/** A FHIR anonymizer configuration (text; empty string = the default): FHIR NDJSON lines and .json resources go through it. */
	fhirConfigText?: string;
	/** Write into an output that holds files no earlier run of ours wrote (or over an existing output file). */
	force?: boolean;
	/** Do not resume an earlier run, and delete the claims file (keyed digests of replaced values) at the end. */
	fresh?: boolean;
	/** Review decisions to apply (made with this job's key), and the workspace folder their paths are relative to. */
	review?: { doc: ReviewDocument; root: string };
	/** Verify the output at the end (jobs/verify.ts): its suspects go into the report's verify section. */
	verify?: boolean;
}

export interface JobProgress {
	done: number;
	total: number;
	bytes: number;
	totalBytes: number;
	/** Relative path of the file just finished (a path, never content). */
	file?: string;
}

export type FileStatus = 'done' | 'skipped' | 'failed' | 'copied';

export interface FileRecord {
	/** The output's relative path (names de-identified); the input's own name is never recorded. */
	path: string;
	/** Keyed digest of the input's relative path (pairs an output with its source for "Compare with Original"). */
	source?: string;
	status: FileStatus;
	reason?: string;
	format?: DocumentFormat;
	bytes: number;
	inputHash?: string;
	outputHash?: string;
	counts?: Partial<Record<EntityType, number>>;
	problems?: number;
	/** Done by an earlier run and unchanged since (its output was checked by hash and kept). */
	kept?: boolean;
}

export interface JobReport {
	tool: 'vscode-deid';
	engineVersion: string;
	operation: Operation;
	redactionFormat?: string;
	policy?: { path?: string; sha256: string };
	keyFingerprint: string;
	startedAt: string;
	durationMs: number;
	cancelled: boolean;
	totals: { files: number; done: number; skipped: number; failed: number; copied: number; findings: number; bytes: number; kept: number };
	countsByType: Partial<Record<EntityType, number>>;
	/** Run-wide surrogate uniqueness (surrogate runs): distinct values checked, collisions moved, rounds, left over. */
	surrogates?: SurrogateCheck;
	/** What the user should know about this run (an earlier run's outputs replaced, …); never file content. */
	notices?: string[];
	/** Review decisions applied (counts only). */
	review?: ReviewSection;
	/** The verify pass over the output at the end of the run (suspects by file, type and offset; never text). */
	verify?: VerifyReport;
	files: FileRecord[];
}

export interface ReviewSection {
	/** Files whose every finding had a decision (or marked reviewed without pending findings). */
	reviewedFiles: number;
	/** Files the review file holds decisions for, among this job's. */
	filesWithDecisions: number;
	/** Decisions of this job's files, by kind. */
	decisions: { accept: number; reject: number; changeType: number; add: number };
	/** Findings dropped by folder- or workspace-scope rejects. */
	scopedRejects: number;
	/** Decisions that could not be located in the current text. */
	unlocated: number;
	/** Decisions of NDJSON files that go through a FHIR configuration or a date shift by patient reference: not applied. */
	notApplied: number;
	/** NDJSON: decided spans outside every string value (a key, a number), left as they are. */
	outsideValues: number;
}

export interface SurrogateCheck {
	units: number;
	moved: number;
	rounds: number;
	unresolved: number;
}

export const MANIFEST = 'deid-manifest.json';
/** Surrogate claims per file (keyed digests only), for the run-wide uniqueness check and for resuming it. */
export const CLAIMS = 'deid-manifest.claims.ndjson';
export const REPORT_JSON = 'deid-report.json';
export const REPORT_MD = 'deid-report.md';

import { JobError } from './errors';
import { loadFhirConfig } from '../engine/formats/fhir';
import { collectKnownPhi } from './fhirJob';
export { JobError };

function isInside(child: string, parent: string): boolean {
	const rel = relative(parent, child);
	return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}

/** Write a file atomically: a temporary file beside it, then rename. */
export async function writeAtomic(path: string, data: string | Uint8Array | Iterable<string>, mode = 0o644): Promise<void> {
	await mkdir(dirname(path), { recursive: true });
	const tmp = temporaryPath(path);
	try {
		// (lines from an iterable are written as they come, so a large file is never one string)
		await writeFile(tmp, typeof data === 'string' || data instanceof Uint8Array ? data : Readable.from(data), { flag: 'wx', mode });
		await rename(tmp, path);
	} catch (e) {
		await rm(tmp, { force: true });
		throw e;
	}
}

/** A job refused because its output exists and --force was not given. */
export class OutputExistsError extends JobError {}

async function isLink(path: string): Promise<boolean> {
	return (await lstat(path).catch(() => undefined))?.isSymbolicLink() ?? false;
}

/** The real path a path names or would name: its nearest existing ancestor resolved, the rest appended. */
async function realpathOfPath(path: string): Promise<string> {
	const rest: string[] = [];
	let cur = path;
	for (;;) {
		try {
			return join(await realpath(cur), ...rest.reverse());
		} catch {
			const parent = dirname(cur);
			if (parent === cur) return path;
			rest.push(basename(cur));
			cur = parent;
		}
	}
}

/** Two paths name one file (hard links included). */
async function sameFile(a: string, b: string): Promise<boolean> {
	const [x, y] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
	return !!x && !!y && x.dev === y.dev && x.ino === y.ino;
}

async function walk(root: string, rel = '', out: { rel: string; kind: 'file' | 'symlink' | 'other' }[] = []) {
	const entries = await readdir(join(root, rel), { withFileTypes: true });
	entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	for (const e of entries) {
		const r = rel ? `${rel}/${e.name}` : e.name;
		if (e.isSymbolicLink()) out.push({ rel: r, kind: 'symlink' });
		else if (e.isDirectory()) await walk(root, r, out);
		else if (e.isFile()) out.push({ rel: r, kind: 'file' });
		else out.push({ rel: r, kind: 'other' });
	}
	return out;
}

export interface DateShiftOptions {
	/** folder: the first-level folder (default); file: each file; run: one offset for the whole run; regex: the
	 * first capture group (or the whole match) of `pattern` over the relative path. */
	by?: 'folder' | 'file' | 'run' | 'regex' | 'reference';
	pattern?: string;
	rangeDays?: number;
	keepWeekday?: boolean;
}

/** Parse the date-shift choice as the CLI and the settings write it; an error names what is wrong. */
export function parseDateShift(by: string, rangeDays?: number, keepWeekday?: boolean): { options?: DateShiftOptions; error?: string } {
	const out: DateShiftOptions = {};
	if (by.startsWith('regex:')) {
		out.by = 'regex';
		out.pattern = by.slice(6);
		try {
			new RegExp(out.pattern);
		} catch {
			return { error: 'date shift by regex:<pattern> has an invalid regular expression' };
		}
	} else if (['folder', 'file', 'run', 'reference'].includes(by)) out.by = by as DateShiftOptions['by'];
	else return { error: 'date shift by must be folder, file, run, reference or regex:<pattern>' };
	if (rangeDays !== undefined) {
		if (!Number.isInteger(rangeDays) || rangeDays < 1 || rangeDays > 3650)
			return { error: 'the date shift range must be a whole number of days from 1 to 3650' };
		out.rangeDays = rangeDays;
	}
	if (keepWeekday) out.keepWeekday = true;
	return { options: out };
}

/** The patient a file belongs to for date shifting (by default its first-level folder; "" for files at the root). */
export function patientOf(rel: string, d: DateShiftOptions = {}): string {
	switch (d.by ?? 'folder') {
		case 'file':
			return rel;
		case 'run':
			return '';
		case 'reference': // NDJSON lines use their own subject/patient reference; other files fall back to the folder
		case 'regex': {
			if (d.by === 'reference') {
				const i = rel.indexOf('/');
				return i < 0 ? '' : rel.slice(0, i);
			}
			const m = d.pattern ? new RegExp(d.pattern).exec(rel) : null;
			return m ? (m[1] ?? m[0]) : rel;
		}
		default: {
			const i = rel.indexOf('/');
			return i < 0 ? '' : rel.slice(0, i);
		}
	}
}

/**
 * The job's input and output, checked before anything is written: sources are never written, so the output may
 * not be, hold or lie in the input, whatever links or '..' it goes through; pipes and devices are never read.
 */
async function jobPaths(opts: FolderJobOptions): Promise<{ input: string; output: string; realIn: string; single: boolean }> {
	const input = resolve(opts.input);
	const output = resolve(opts.output);
	let realIn: string;
	let inStat;
	try {
		realIn = await realpath(input);
		inStat = await stat(realIn);
	} catch (e) {
		const code = (e as NodeJS.ErrnoException).code;
		throw new JobError(
			code === 'ELOOP'
				? 'The input is a symbolic link that loops.'
				: (await isLink(input))
					? 'The input is a broken symbolic link.'
					: `The input was not found or is not readable (${code ?? 'error'}).`,
		);
	}
	if (!inStat.isDirectory() && !inStat.isFile())
		throw new JobError('The input is neither a folder nor a regular file (a pipe, socket or device is never read).');
	const realOut = await realpathOfPath(output);
	const single = !inStat.isDirectory();
	if (!single && (isInside(realOut, realIn) || isInside(realIn, realOut))) {
		throw new JobError('The output folder may not be the input folder, lie inside it, or contain it.');
	}
	if (single && (realOut === realIn || (await sameFile(realIn, realOut)))) throw new JobError('The output file may not be the input file.');
	const outStat = await stat(realOut).catch(() => undefined);
	if (single && outStat?.isDirectory()) throw new JobError('The output is a folder; give the name of the output file.');
	if (single && outStat && !opts.force) throw new OutputExistsError('The output file already exists.');
	return { input, output, realIn, single };
}

/**
 * De-identify a file or a folder into a mirrored output tree. Sources are only read. Each output is written
 * atomically; a manifest records finished files so a rerun (or a run after a crash) skips them.
 */
export async function runFolderJob(opts: FolderJobOptions): Promise<JobReport> {
	const now = opts.now ?? Date.now;
	const started = now();
	if (opts.fhirConfigText) {
		const r = loadFhirConfig(opts.fhirConfigText);
		if (!r.config) throw new JobError(`invalid FHIR configuration: ${r.errors.join('; ')}`);
	}
	const paths = await jobPaths(opts);
	const entries = paths.single ? [{ rel: '', kind: 'file' as const }] : await walk(paths.realIn);
	const run = new FolderRun(opts, paths, entries, now);
	await run.resume();
	await run.measure();
	await run.plan();
	await run.execute();
	return run.report(started);
}

type Entry = { rel: string; kind: 'file' | 'symlink' | 'other' };
type PlannedTask = { rel: string; source: string; task: FileTask };

/** One run of the folder job: what it resumes, plans, runs and reports (runFolderJob drives the steps in order). */
class FolderRun {
	private readonly input: string;
	private readonly output: string;
	private readonly single: boolean;
	/** Where the manifest and claims live: the output folder, or the output file's folder. */
	private readonly root: string;
	// A single file gets no manifest or claims file: they would land beside the output, perhaps among the sources.
	private readonly manifestPath: string | undefined;
	private readonly claimsPath: string | undefined;
	private readonly fingerprint: string;
	/** Run-wide surrogate uniqueness: the salts collisions gave, and each file's claims (both resume with the manifest). */
	private readonly wantClaims: boolean;
	/** Runs that replace values without surrogates record the keyed digests of what they replaced, for verify. */
	private readonly recordOriginals: boolean;
	private readonly keepClaims: boolean;
	private readonly settingsHash: string;
	private salts = new Map<string, number>();
	private readonly claims = new ClaimStore();
	private readonly previous: Record<string, FileRecord> = {};
	private readonly notices: string[] = [];
	private readonly records = new Map<string, FileRecord>();
	/** Entries of the earlier run stay in the manifest until this run confirms or redoes them, so a run killed while
	 * it checks them never loses finished work (outputs are verified by hash before they are trusted). */
	private carried = new Map<string, FileRecord>();
	/** Input sizes by output relative path. */
	private readonly sizes = new Map<string, number>();
	private outNames: Map<string, string> | undefined;
	private totalBytes = 0;
	private bytesDone = 0;
	private cancelled = false;
	private lastSave = 0;
	// Claims are appended before the manifest can list the file, so every file the manifest lists has its claims.
	private claimsQueue = Promise.resolve();
	private readonly tasks: PlannedTask[] = [];
	/** FHIR runs: the Patient resources' values, known PHI for free text. */
	private knownPhi: FileTask['knownPhi'];
	private readonly review: ReviewPlan | undefined;
	private check: SurrogateCheck | undefined;

	constructor(
		private readonly opts: FolderJobOptions,
		paths: { input: string; output: string; single: boolean },
		private readonly entries: Entry[],
		private readonly now: () => number,
	) {
		({ input: this.input, output: this.output, single: this.single } = paths);
		this.root = this.single ? dirname(this.output) : this.output;
		this.manifestPath = this.single ? undefined : join(this.root, MANIFEST);
		this.claimsPath = this.single ? undefined : join(this.root, CLAIMS);
		this.fingerprint = keyFingerprint(opts.key);
		this.wantClaims = usesSurrogates(opts);
		this.recordOriginals = !this.wantClaims && recordsOriginals(opts);
		this.keepClaims = this.wantClaims || this.recordOriginals;
		this.settingsHash =
			detectHash(opts.detect, opts.policy, opts.locale, opts.dateShift, opts.fhirConfigText) +
			(opts.review ? sha256Hex(serializeReview(opts.review.doc)).slice(0, 8) : '');
		this.review = opts.review ? new ReviewPlan(opts.review, opts.key, opts.fhirConfigText !== undefined || opts.dateShift?.by === 'reference') : undefined;
	}

	/** Read the earlier run's manifest and claims when its settings match; refuse an output we did not write. */
	async resume(): Promise<void> {
		const { opts } = this;
		// Only a run whose output depends on the key (surrogates, date shifts, FHIR hashes) needs the same key to resume.
		const keyed = this.wantClaims || usesKey(opts);
		let manifest: Record<string, unknown> | undefined;
		if (this.manifestPath) {
			try {
				manifest = JSON.parse(await readFile(this.manifestPath, 'utf8'));
			} catch {
				manifest = undefined;
			}
			if (!opts.force && (!manifest || manifest.tool !== 'vscode-deid')) {
				const held = await readdir(this.output).catch(() => [] as string[]);
				if (held.length > 0) throw new OutputExistsError('The output folder already holds files that no earlier run of this tool wrote.');
			}
		}
		if (manifest && !opts.fresh) {
			const m = manifest;
			if (
				(!keyed || m.keyFingerprint === this.fingerprint) &&
				m.operation === opts.operation &&
				m.redactionFormat === opts.redactionFormat &&
				m.engineVersion === ENGINE_VERSION &&
				m.detectHash === this.settingsHash &&
				Array.isArray(m.files)
			) {
				for (const f of m.files as FileRecord[]) this.previous[f.path] = f;
				if (this.keepClaims && this.claimsPath) {
					this.salts = new Map(Array.isArray(m.salts) ? (m.salts as [string, number][]) : []);
					await readClaims(this.claimsPath, this.claims);
				}
			} else
				this.notices.push(
					'The output folder held the results of a run with other settings, another key or another version; ' +
						'every file is done again and its output replaced.',
				);
		}
		if (this.claimsPath && Object.keys(this.previous).length === 0) await rm(this.claimsPath, { force: true });
		await mkdir(this.root, { recursive: true });
		await sweepTemporaries(this.single ? this.root : this.output, !this.single);
		this.carried = new Map(Object.entries(this.previous));
	}

	/** Output names (folder and file names with PHI are de-identified too; a single file's output is named by the
	 * user) and input sizes. */
	async measure(): Promise<void> {
		const { opts } = this;
		this.outNames = this.single
			? undefined
			: outputPaths(
					this.entries.map((e) => e.rel),
					opts.dicts(),
					{
						operation: opts.operation,
						redactionFormat: opts.redactionFormat,
						policy: opts.policy,
						detect: opts.detect,
						key: opts.key,
						locale: opts.locale,
						patientOf: (rel) => patientOf(rel, opts.dateShift),
						shiftRange: opts.dateShift?.rangeDays,
						keepWeekday: opts.dateShift?.keepWeekday,
					},
				);
		for (const e of this.entries) {
			if (e.kind !== 'file') continue;
			try {
				const s = await lstat(this.single ? this.input : join(this.input, e.rel));
				this.sizes.set(this.outRel(e.rel), s.size);
				this.totalBytes += s.size;
			} catch {
				this.sizes.set(this.outRel(e.rel), 0);
			}
		}
		this.lastSave = this.now();
	}

	private outRel(eRel: string): string {
		return this.single ? basename(this.output) : (this.outNames?.get(eRel) ?? eRel);
	}

	private async saveManifest(): Promise<void> {
		if (!this.manifestPath) return;
		const { opts } = this;
		const all = new Map(this.carried);
		for (const [k, v] of this.records) all.set(k, v);
		const files = [...all.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
		await writeAtomic(
			this.manifestPath,
			JSON.stringify(
				{
					tool: 'vscode-deid',
					engineVersion: ENGINE_VERSION,
					keyFingerprint: this.fingerprint,
					operation: opts.operation,
					redactionFormat: opts.redactionFormat,
					detectHash: this.settingsHash,
					...(this.wantClaims ? { salts: [...this.salts].sort((a, b) => (a[0] < b[0] ? -1 : 1)) } : {}),
					files,
				},
				null,
				1,
			),
			0o600,
		);
	}

	private saveClaims(path: string, cs: Claim[]): Promise<void> {
		this.claims.set(path, cs);
		const claimsPath = this.claimsPath;
		if (claimsPath) this.claimsQueue = this.claimsQueue.then(() => appendFile(claimsPath, JSON.stringify({ path, claims: cs }) + '\n', { mode: 0o600 }));
		return this.claimsQueue;
	}

	/** A file's outcome: its claims first, then its record, progress, and now and then the manifest. */
	private async settle(rec: FileRecord, cs?: Claim[]): Promise<void> {
		if (cs) await this.saveClaims(rec.path, cs);
		else if (rec.status !== 'done' || !this.keepClaims) this.claims.delete(rec.path);
		this.records.set(rec.path, rec);
		this.bytesDone += rec.bytes;
		this.opts.onProgress?.({ done: this.records.size, total: this.entries.length, bytes: this.bytesDone, totalBytes: this.totalBytes, file: rec.path });
		if (this.now() - this.lastSave > 2000) {
			this.lastSave = this.now();
			await this.saveManifest();
		}
	}

	private taskFor(eRel: string, src: string, dst: string, format: DocumentFormat, fhirJson: boolean, knownPhi: FileTask['knownPhi']): FileTask {
		const { opts } = this;
		return {
			review: this.review?.taskReview(src, format),
			src,
			dst,
			format,
			operation: opts.operation,
			redactionFormat: opts.redactionFormat,
			detect: opts.detect,
			key: opts.key,
			patient: patientOf(eRel, opts.dateShift),
			policy: opts.policy,
			locale: opts.locale,
			shiftRange: opts.dateShift?.rangeDays,
			keepWeekday: opts.dateShift?.keepWeekday,
			shiftByReference: opts.dateShift?.by === 'reference',
			fhirConfigText: opts.fhirConfigText,
			fhirJson,
			root: this.input,
			knownPhi,
			claims: this.wantClaims || undefined,
			originals: this.recordOriginals || undefined,
		};
	}

	/** Where an entry reads and writes, and how it is processed (no format: not a text or NDJSON file). */
	private planOf(eRel: string) {
		const { opts } = this;
		const src = this.single ? this.input : join(this.input, eRel);
		const fhirJson = opts.fhirConfigText !== undefined && /\.json$/i.test(src);
		const format: DocumentFormat | undefined = fhirJson ? 'ndjson' : this.single ? (formatForPath(src) ?? 'text') : formatForPath(src);
		const rel = this.outRel(eRel);
		return { rel, source: sourceDigest(opts.key, eRel), src, dst: this.single ? this.output : join(this.output, rel), fhirJson, format };
	}

	/** Decide what each entry needs: skip, copy, keep the earlier run's output, or a task for the workers. */
	async plan(): Promise<void> {
		const { opts, single, input } = this;
		// the Patient resources' names, identifiers, addresses and telecom
		this.knownPhi =
			opts.fhirConfigText === undefined
				? undefined
				: [
						...(
							await collectKnownPhi(
								single ? dirname(input) : input,
								this.entries
									.filter((e) => e.kind === 'file' && /\.(ndjson|jsonl|json)$/i.test(e.rel))
									.map((e) => (single ? basename(input) : e.rel)),
							)
						).entries(),
					];
		for (const e of this.entries) {
			const { rel, source, src, dst, fhirJson, format } = this.planOf(e.rel);
			const size = this.sizes.get(rel) ?? 0;
			if (e.kind === 'symlink') await this.settle({ path: rel, status: 'skipped', bytes: 0, reason: 'symbolic link (not followed)' });
			else if (e.kind === 'other') await this.settle({ path: rel, status: 'skipped', bytes: 0, reason: 'not a regular file' });
			else if (!format) await this.copyOrSkip(rel, source, src, dst, size);
			else if (opts.maxFileBytes !== undefined && size > opts.maxFileBytes) {
				await this.settle({ path: rel, status: 'failed', bytes: size, reason: `file larger than the limit (${size} > ${opts.maxFileBytes} bytes)` });
			} else {
				const prev = this.previous[rel];
				if (
					prev &&
					prev.status === 'done' &&
					(!this.keepClaims || this.claims.has(rel)) &&
					(await unchanged(src, prev, size)) &&
					(await existsWithHash(dst, prev.outputHash))
				) {
					await this.settle({ ...prev, source, bytes: size, kept: true });
				} else this.tasks.push({ rel, source, task: this.taskFor(e.rel, src, dst, format, fhirJson, this.knownPhi) });
			}
		}
		// biggest first
		this.tasks.sort((a, b) => (this.sizes.get(b.rel) ?? 0) - (this.sizes.get(a.rel) ?? 0));
	}

	/** A file that is not text or NDJSON: copied unchanged with --copy-other, else skipped. */
	private async copyOrSkip(rel: string, source: string, src: string, dst: string, size: number): Promise<void> {
		if (!this.opts.copyOther) return this.settle({ path: rel, status: 'skipped', bytes: size, reason: 'not a text or NDJSON file' });
		try {
			const data = await readFile(src);
			await writeAtomic(dst, data);
			await this.settle({ path: rel, source, status: 'copied', bytes: size, inputHash: sha256Hex(data) });
		} catch (err) {
			await this.settle({ path: rel, status: 'failed', bytes: size, reason: describeError(err) });
		}
	}

	/** The task of a file an earlier run finished (a collision found now means it must be redone). */
	private rebuildTask(rel: string): PlannedTask | undefined {
		const e = this.entries.find((x) => x.kind === 'file' && this.planOf(x.rel).rel === rel);
		const p = e && this.planOf(e.rel);
		return p?.format ? { rel, source: p.source, task: this.taskFor(e!.rel, p.src, p.dst, p.format, p.fhirJson, this.knownPhi) } : undefined;
	}

	/** Run the tasks on workers (or in this thread), then make surrogates unique run-wide. */
	async execute(): Promise<void> {
		const { opts, tasks } = this;
		const taskBytes = tasks.reduce((a, t) => a + (this.sizes.get(t.rel) ?? 0), 0);
		const wanted = opts.workers ?? (taskBytes < 4 << 20 || tasks.length < 4 ? 0 : Math.min(availableParallelism(), tasks.length));
		const script = wanted > 0 ? workerScriptPath() : undefined;
		const runner = wanted > 0 && script ? workerPool(wanted, script, opts.workerHeapMb) : inProcessRunner(opts.dicts());
		// A file that needs more memory than a pool worker may use (a record of tens of MB) gets one more try alone
		// in a worker with a larger heap, one file at a time; most runs never start it.
		let large: Runner | undefined;
		const onAbort = () => {
			this.cancelled = true;
			void runner.terminate();
			void large?.terminate();
		};
		opts.signal?.addEventListener('abort', onAbort, { once: true });
		let surrogateRound = 0;
		const runTasks = (list: PlannedTask[]) =>
			Promise.all(
				list.map(async ({ rel, source, task }) => {
					if (opts.signal?.aborted) {
						this.cancelled = true;
						return;
					}
					const salted = () => ({ ...task, salts: this.wantClaims ? [...this.salts] : undefined });
					let o = await runner.run(salted());
					if (o.status === 'failed' && o.reason === OUT_OF_MEMORY && script && !opts.signal?.aborted && opts.largeFileHeapMb !== 0) {
						large ??= workerPool(1, script, opts.largeFileHeapMb ?? LARGE_FILE_HEAP_MB);
						o = await large.run(salted());
					}
					if (o.reason === 'cancelled') return; // left for the next run
					if (o.review) this.review?.outcomes.set(rel, o.review);
					await this.settle(
						{
							path: rel,
							source,
							status: o.status,
							bytes: this.sizes.get(rel) ?? o.bytes,
							reason: o.reason,
							format: task.format,
							inputHash: o.inputHash,
							outputHash: o.outputHash,
							counts: o.counts,
							problems: o.problems,
						},
						o.status === 'done' && this.keepClaims ? (o.claims ?? []) : undefined,
					);
					if (o.status !== 'done' && surrogateRound > 0) await rm(task.dst, { force: true }); // no stale output of an earlier round
				}),
			);
		try {
			await runTasks(tasks);
			if (this.keepClaims && !this.cancelled) {
				// Claims of files no longer in the input are dropped first (they could never be redone).
				const inRun = new Set(this.entries.filter((e) => e.kind === 'file').map((e) => this.planOf(e.rel).rel));
				for (const p of this.claims.paths()) if (!inRun.has(p)) this.claims.delete(p);
				// Run-wide uniqueness (surrogate runs): values whose surrogates collide move to their next salt, and the
				// files that hold them are redone, until no collision is left. The result depends only on the inputs and
				// the key, not on the order files finished in, so resuming is exact.
				const taskOf = new Map(tasks.map((t) => [t.rel, t]));
				let moved = 0;
				while (this.wantClaims) {
					const r = resolveCollisions(this.claims, this.salts);
					moved += r.moved;
					const stale = this.claims.stale((u) => this.salts.get(u) ?? 0);
					this.check = { units: r.units, moved, rounds: surrogateRound, unresolved: r.collisions };
					if (stale.length === 0 || surrogateRound >= 12 || this.cancelled) break;
					surrogateRound++;
					await this.saveManifest();
					const redo = stale.map((p) => taskOf.get(p) ?? this.rebuildTask(p)).filter((t): t is PlannedTask => !!t);
					for (const t of redo) this.records.delete(t.rel);
					await runTasks(redo);
				}
				if (this.claimsPath) await writeClaimsFile(this.claimsPath, this.claims);
			}
		} finally {
			opts.signal?.removeEventListener('abort', onAbort);
			await runner.terminate();
			await large?.terminate();
		}
	}

	/** Last manifest, optional verification, and the report (written beside the outputs of a folder). */
	async report(started: number): Promise<JobReport> {
		const { opts, output, single, cancelled } = this;
		if (cancelled) await sweepTemporaries(single ? this.root : output, !single);
		// a finished run confirmed or redid every entry of the earlier run that still has a source; the rest are gone
		if (!cancelled) this.carried.clear();
		await this.saveManifest();
		// (before --no-resume deletes the claims file: the job's own claims are passed as they are)
		const verified =
			opts.verify && !cancelled && !single
				? await verifyOutputFolder({
						output,
						detect: opts.detect,
						dicts: opts.dicts(),
						key: opts.key,
						claims: this.keepClaims ? this.claims : undefined,
						signal: opts.signal,
					})
				: undefined;
		// --no-resume: the claims file (keyed digests of the values replaced) is not kept
		if (opts.fresh && this.claimsPath) await rm(this.claimsPath, { force: true });
		const files = [...this.records.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
		const report = buildReport(opts, files, started, this.now() - started, cancelled);
		if (this.check) report.surrogates = this.check;
		if (this.notices.length) report.notices = this.notices;
		if (this.review) report.review = this.review.section();
		if (verified) report.verify = verified;
		if (!single) {
			await writeAtomic(join(output, REPORT_JSON), JSON.stringify(report, null, 2));
			await writeAtomic(join(output, REPORT_MD), reportMarkdown(report));
		}
		return report;
	}
}

/** Review decisions for a folder job: each file's by the keyed digest of its path, counted once per file. */
class ReviewPlan {
	private readonly digest: ReturnType<typeof reviewDigest>;
	private readonly counts: ReviewSection = {
		reviewedFiles: 0,
		filesWithDecisions: 0,
		decisions: { accept: 0, reject: 0, changeType: 0, add: 0 },
		scopedRejects: 0,
		unlocated: 0,
		notApplied: 0,
		outsideValues: 0,
	};
	private readonly counted = new Set<string>();
	readonly outcomes = new Map<string, FileReviewOutcome>();

	constructor(
		private readonly review: { doc: ReviewDocument; root: string },
		key: Uint8Array,
		/** NDJSON decisions are not applied through a FHIR configuration or a date shift by patient reference. */
		private readonly ndjsonUnapplied: boolean,
	) {
		this.digest = reviewDigest(hmacHash(key));
	}

	/** The decisions for a source file, relative to the review's workspace folder (none outside it). */
	taskReview(src: string, format: DocumentFormat): FileTask['review'] {
		const rel = relative(this.review.root, resolve(src));
		if (!rel || rel.startsWith('..') || rel.startsWith(sep)) return undefined;
		const posix = rel.split(sep).join('/');
		const entry = this.review.doc.files[pathKey(this.digest, posix)];
		const rejected = [...scopedRejects(this.review.doc, folderKeysOf(this.digest, posix))];
		if (!entry && !rejected.length) return undefined;
		if (entry && !this.counted.has(src)) {
			this.counted.add(src);
			if (entry.decisions.length) this.counts.filesWithDecisions++;
			for (const d of entry.decisions) this.counts.decisions[d.kind]++;
			if (format !== 'text' && this.ndjsonUnapplied) this.counts.notApplied += entry.decisions.length;
		}
		return { decisions: entry?.decisions ?? [], reviewed: entry?.reviewed, rejected };
	}

	/** The report's review section: the counts so far and what the workers reported per file. */
	section(): ReviewSection {
		const s = this.counts;
		for (const o of this.outcomes.values()) {
			if (o.reviewed) s.reviewedFiles++;
			s.unlocated += o.unlocated;
			s.scopedRejects += o.scopedRejects;
			s.outsideValues += o.outsideValues;
		}
		return s;
	}
}

/** Whether outputs depend on the key beyond surrogates: date shifts, or a FHIR configuration (hashes, encryption). */
function usesKey(opts: FolderJobOptions): boolean {
	if (opts.fhirConfigText !== undefined) return true;
	const p = opts.policy;
	return !!p && JSON.stringify(p).includes('surrogate');
}

/** Whether the run replaces values (every operation but tag, outside FHIR configurations, which hash and keep). */
function recordsOriginals(opts: FolderJobOptions): boolean {
	return opts.operation !== 'tag' && opts.fhirConfigText === undefined;
}

function writeClaimsFile(path: string, claims: ClaimStore): Promise<void> {
	return writeAtomic(path, (function* () {
		for (const p of claims.paths().sort()) yield JSON.stringify({ path: p, claims: claims.get(p) }) + '\n';
	})(), 0o600);
}

/** Whether the run makes surrogates (the operation, or a policy strategy). */
function usesSurrogates(opts: FolderJobOptions): boolean {
	if (opts.operation === 'surrogate' && !opts.policy) return true;
	const p = opts.policy;
	if (!p) return false;
	if ((p.default?.strategy ?? (opts.operation === 'surrogate' ? 'surrogate' : undefined)) === 'surrogate') return true;
	return Object.values(p.types ?? {}).some((s) => s?.strategy === 'surrogate');
}

async function readClaims(path: string, into: ClaimStore): Promise<void> {
	// line by line: on a big folder the file holds millions of claims
	try {
		for await (const line of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) {
			try {
				const j = JSON.parse(line) as { path: string; claims: Claim[] };
				if (typeof j.path === 'string' && Array.isArray(j.claims)) into.set(j.path, j.claims); // the last line of a path wins
			} catch {
				// a line cut by a crash: its file is not in the manifest either
			}
		}
	} catch {
		// no claims file: files without claims are redone
	}
}

/**
 * Find surrogate keys held by two different values and move the losers to their next salt. The winner of a key is
 * the value with the lowest salt, then the lowest digest: a choice made from the claims alone, so it does not depend
 * on the order files finished in.
 */
export function resolveCollisions(claims: Pick<ClaimStore, 'forEachClaim'>, salts: Map<string, number>): { units: number; moved: number; collisions: number } {
	// One pass, keeping per surrogate key only the unit that ranks first so far (lowest salt, then lowest digest):
	// every other unit met at that key loses, which is the set a full grouping would give. A Map per key (the
	// first version) took some 50 MB at the end of a 1 GB folder.
	const saltOf = (u: string) => salts.get(u) ?? 0;
	const best = new Map<string, string>();
	const collided = new Set<string>();
	const units = new Set<string>();
	const losers = new Set<string>();
	const visit = (u: string, k: string, s: number) => {
		if (s !== saltOf(u)) return; // stale: that file is redone anyway
		units.add(u);
		const b = best.get(k);
		if (b === undefined) return void best.set(k, u);
		if (b === u) return;
		collided.add(k);
		const sb = saltOf(b);
		if (s < sb || (s === sb && u < b)) {
			losers.add(b);
			best.set(k, u);
		} else losers.add(u);
	};
	claims.forEachClaim(visit);
	// (One value with two surrogates is not a collision: a note that already holds the value's surrogate as one of
	// its own originals gets a variant, so no original name is ever written into a note that has it.)
	for (const u of losers) salts.set(u, saltOf(u) + 1);
	return { units: units.size, moved: losers.size, collisions: collided.size };
}

/**
 * Remove temporary files a killed run left (only our own temp-name patterns, and only those of processes that no
 * longer run, so a concurrent run writing beside us keeps its own).
 */
async function sweepTemporaries(dir: string, recursive = true): Promise<void> {
	let entries;
	try {
		entries = await readdir(dir, { withFileTypes: true });
	} catch {
		return;
	}
	for (const e of entries) {
		const p = join(dir, e.name);
		if (e.isDirectory()) {
			if (recursive) await sweepTemporaries(p);
			continue;
		}
		const m = /(?:^|\.)deid-tmp-(\d+)-[a-z0-9]+$/.exec(e.name);
		if (e.isFile() && m && !isRunning(Number(m[1]))) await rm(p, { force: true });
	}
}

function isRunning(pid: number): boolean {
	if (pid === process.pid) return false; // our own leftovers: this run writes new names
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** The source is unchanged since the manifest recorded it: same size and same content hash. */
async function unchanged(src: string, prev: FileRecord, size: number): Promise<boolean> {
	if (prev.bytes !== size || !prev.inputHash) return false;
	try {
		return (await hashFile(src)) === prev.inputHash;
	} catch {
		return false;
	}
}

async function hashFile(path: string): Promise<string> {
	const h = createHash('sha256');
	for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
	return h.digest('hex');
}

function detectHash(d: DetectOptions, policy?: Policy, locale?: string, shift?: DateShiftOptions, fhir?: string): string {
	return sha256Hex(JSON.stringify([d, policy ?? null, locale ?? null, shift ?? null, ...(fhir === undefined ? [] : [fhir])])).slice(0, 16);
}

export function policyHash(policy: Policy): string {
	return sha256Hex(JSON.stringify(policy));
}

async function existsWithHash(path: string, hash: string | undefined): Promise<boolean> {
	if (!hash) return false;
	try {
		return (await hashFile(path)) === hash;
	} catch {
		return false;
	}
}

function buildReport(opts: FolderJobOptions, files: FileRecord[], started: number, durationMs: number, cancelled: boolean): JobReport {
	const countsByType: Partial<Record<EntityType, number>> = {};
	let findings = 0;
	for (const f of files) {
		for (const [t, c] of Object.entries(f.counts ?? {})) {
			countsByType[t as EntityType] = (countsByType[t as EntityType] ?? 0) + (c ?? 0);
			findings += c ?? 0;
		}
	}
	const by = (s: FileStatus) => files.filter((f) => f.status === s).length;
	return {
		tool: 'vscode-deid',
		engineVersion: ENGINE_VERSION,
		operation: opts.operation,
		redactionFormat: opts.operation === 'redact' ? opts.redactionFormat : undefined,
		policy: opts.policy ? { path: opts.policyPath, sha256: policyHash(opts.policy) } : undefined,
		keyFingerprint: keyFingerprint(opts.key),
		startedAt: new Date(started).toISOString(),
		durationMs,
		cancelled,
		totals: {
			files: files.length,
			done: by('done'),
			skipped: by('skipped'),
			failed: by('failed'),
			copied: by('copied'),
			findings,
			bytes: files.reduce((a, f) => a + f.bytes, 0),
			kept: files.filter((f) => f.kept).length,
		},
		countsByType,
		files,
	};
}

function mdCell(s: string): string {
	return s.replace(/[|\\`*_[\]<>]/g, (c) => '\\' + c);
}

export function reportMarkdown(r: JobReport): string {
	const lines = [
		'# De-identification report',
		'',
		`- Operation: **${r.operation}**${r.redactionFormat ? ` (format \`${r.redactionFormat}\`)` : ''}`,
		`- Engine: vscode-deid ${r.engineVersion}; key fingerprint \`${r.keyFingerprint}\``,
		...(r.policy ? [`- Policy: ${r.policy.path ? mdCell(r.policy.path) + ', ' : ''}SHA-256 \`${r.policy.sha256.slice(0, 16)}…\``] : []),
		`- Started: ${r.startedAt}; duration ${(r.durationMs / 1000).toFixed(1)} s${r.cancelled ? ' — **cancelled** (rerun to resume)' : ''}`,
		...(r.notices ?? []).map((n) => `- Note: ${mdCell(n)}`),
		`- Files: ${r.totals.files} (${r.totals.done} de-identified, ${r.totals.skipped} skipped, ${r.totals.failed} failed, ${r.totals.copied} copied); findings: ${r.totals.findings}`,
		'',
		'## Findings by type',
		'',
		'| Type | Count |',
		'|---|---:|',
		...Object.entries(r.countsByType)
			.sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
			.map(([t, c]) => `| ${t} | ${c} |`),
		'',
		...(r.review
			? [
					'## Review',
					'',
					`Decisions applied: ${r.review.decisions.accept} accept, ${r.review.decisions.reject} reject, ${r.review.decisions.changeType} change type, ${r.review.decisions.add} add, in ${r.review.filesWithDecisions} file(s); ${r.review.reviewedFiles} file(s) reviewed; ${r.review.scopedRejects} finding(s) rejected by folder or workspace scope; ${r.review.unlocated} decision(s) not located${r.review.notApplied ? `; ${r.review.notApplied} decision(s) of NDJSON files not applied (FHIR configuration or date shift by reference)` : ''}${r.review.outsideValues ? `; ${r.review.outsideValues} decided span(s) outside NDJSON string values left as they are` : ''}.`,
					'',
				]
			: []),
		...(r.surrogates
			? [
					`Surrogates: ${r.surrogates.units} distinct values checked for run-wide uniqueness; ${r.surrogates.moved} moved after a collision (${r.surrogates.rounds} extra round(s)); ${r.surrogates.unresolved === 0 ? 'no collision left' : `**${r.surrogates.unresolved} collision(s) left**`}.`,
					'',
				]
			: []),
		...(r.verify ? verifyMarkdown(r.verify) : []),
		'## Files',
		'',
		'| File | Status | Findings | Note |',
		'|---|---|---:|---|',
		...r.files.map(
			(f) =>
				`| ${mdCell(f.path)} | ${f.status} | ${Object.values(f.counts ?? {}).reduce((a, c) => a + (c ?? 0), 0)} | ${mdCell(f.reason ?? '')} |`,
		),
		'',
	];
	return lines.join('\n');
}
