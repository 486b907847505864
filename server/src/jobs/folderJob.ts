import { lstat, mkdir, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
	deidentifyDocument, ENGINE_VERSION, type DetectOptions, type Dictionaries, type DocumentFormat, type EntityType, type Operation,
} from '../engine';
import { dateShiftDays, hmacHash, keyFingerprint, sha256Hex } from '../node/hash';
import { decodeText, formatForPath } from '../node/textio';

export interface FolderJobOptions {
	input: string;
	output: string;
	operation: Operation;
	redactionFormat?: string;
	detect: DetectOptions;
	dicts: Dictionaries;
	key: Uint8Array;
	/** Copy files that are not text or NDJSON unchanged instead of skipping them. */
	copyOther?: boolean;
	/** Files larger than this are refused (bytes). */
	maxFileBytes?: number;
	signal?: AbortSignal;
	onProgress?: (p: JobProgress) => void;
	/** Injected clock (tests). */
	now?: () => number;
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
	path: string;
	status: FileStatus;
	reason?: string;
	format?: DocumentFormat;
	bytes: number;
	inputHash?: string;
	outputHash?: string;
	counts?: Partial<Record<EntityType, number>>;
	problems?: number;
}

export interface JobReport {
	tool: 'vscode-deid';
	engineVersion: string;
	operation: Operation;
	redactionFormat?: string;
	keyFingerprint: string;
	startedAt: string;
	durationMs: number;
	cancelled: boolean;
	totals: { files: number; done: number; skipped: number; failed: number; copied: number; findings: number; bytes: number };
	countsByType: Partial<Record<EntityType, number>>;
	files: FileRecord[];
}

export const MANIFEST = 'deid-manifest.json';
export const REPORT_JSON = 'deid-report.json';
export const REPORT_MD = 'deid-report.md';

export class JobError extends Error {}

function isInside(child: string, parent: string): boolean {
	const rel = relative(parent, child);
	return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}

/** Write a file atomically: a temporary file beside it, then rename. */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
	await mkdir(dirname(path), { recursive: true });
	const tmp = `${path}.deid-tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
	try {
		await writeFile(tmp, data);
		await rename(tmp, path);
	} catch (e) {
		await rm(tmp, { force: true });
		throw e;
	}
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

/** The patient a file belongs to for date shifting: its first-level folder ("" for files at the root). */
export function patientOf(rel: string): string {
	const i = rel.indexOf('/');
	return i < 0 ? '' : rel.slice(0, i);
}

/**
 * De-identify a file or a folder into a mirrored output tree. Sources are only read. Each output is written
 * atomically; a manifest records finished files so a rerun (or a run after a crash) skips them.
 */
export async function runFolderJob(opts: FolderJobOptions): Promise<JobReport> {
	const now = opts.now ?? Date.now;
	const started = now();
	const input = resolve(opts.input);
	const output = resolve(opts.output);
	let inStat;
	try {
		inStat = await lstat(input);
	} catch {
		throw new JobError(`Input not found or unreadable: ${input}`);
	}
	const realIn = await realpath(input);
	let realOut = output;
	try {
		realOut = await realpath(output);
	} catch {
		// does not exist yet
	}
	if (inStat.isDirectory() && (isInside(realOut, realIn) || isInside(output, input))) {
		throw new JobError('The output folder may not be the input folder or inside it.');
	}
	if (!inStat.isDirectory() && (realOut === realIn || output === input)) throw new JobError('The output file may not be the input file.');

	const single = !inStat.isDirectory();
	const entries = single ? [{ rel: '', kind: 'file' as const }] : await walk(input);
	const root = single ? dirname(output) : output;
	const manifestPath = join(root, single ? `${MANIFEST}` : MANIFEST);
	let previous: Record<string, FileRecord> = {};
	try {
		const m = JSON.parse(await readFile(manifestPath, 'utf8'));
		if (m && m.keyFingerprint === keyFingerprint(opts.key) && m.operation === opts.operation && m.redactionFormat === opts.redactionFormat) {
			for (const f of m.files as FileRecord[]) previous[f.path] = f;
		}
	} catch {
		previous = {};
	}
	const hash = hmacHash(opts.key);
	const records: FileRecord[] = [];
	const sizes = new Map<string, number>();
	let totalBytes = 0;
	for (const e of entries) {
		if (e.kind !== 'file') continue;
		try {
			const s = await lstat(single ? input : join(input, e.rel));
			sizes.set(e.rel, s.size);
			totalBytes += s.size;
		} catch {
			sizes.set(e.rel, 0);
		}
	}
	let bytesDone = 0;
	let cancelled = false;
	const saveManifest = async () => {
		await writeAtomic(manifestPath, JSON.stringify({ tool: 'vscode-deid', keyFingerprint: keyFingerprint(opts.key), operation: opts.operation, redactionFormat: opts.redactionFormat, files: records }, null, 1));
	};
	let sinceSave = 0;
	for (const e of entries) {
		if (opts.signal?.aborted) {
			cancelled = true;
			break;
		}
		const rel = single ? (input.split(sep).pop() ?? 'input') : e.rel;
		const src = single ? input : join(input, e.rel);
		const dst = single ? output : join(output, e.rel);
		const size = sizes.get(e.rel) ?? 0;
		const rec: FileRecord = { path: rel, status: 'skipped', bytes: size };
		if (e.kind === 'symlink') rec.reason = 'symbolic link (not followed)';
		else if (e.kind === 'other') rec.reason = 'not a regular file';
		else {
			const format = single ? (formatForPath(src) ?? 'text') : formatForPath(src);
			const prev = previous[rel];
			try {
				if (!format) {
					if (opts.copyOther) {
						const data = await readFile(src);
						await writeAtomic(dst, data);
						rec.status = 'copied';
						rec.inputHash = sha256Hex(data);
					} else rec.reason = 'not a text or NDJSON file';
				} else if (opts.maxFileBytes !== undefined && size > opts.maxFileBytes) {
					rec.status = 'failed';
					rec.reason = `file larger than the limit (${size} > ${opts.maxFileBytes} bytes)`;
				} else {
					const data = await readFile(src);
					const inputHash = sha256Hex(data);
					if (prev && prev.status === 'done' && prev.inputHash === inputHash && (await existsWithHash(dst, prev.outputHash))) {
						Object.assign(rec, prev);
					} else {
						const dec = decodeText(data);
						if (!dec.ok) {
							rec.status = 'failed';
							rec.reason = dec.reason;
						} else {
							const res = deidentifyDocument(dec.text, format, opts.dicts, opts.detect, {
								operation: opts.operation,
								redactionFormat: opts.redactionFormat,
								surrogate: { dicts: opts.dicts, hash, dateShiftDays: dateShiftDays(hash, patientOf(e.rel)) },
							});
							const outText = (dec.bom ? '\ufeff' : '') + res.output;
							await writeAtomic(dst, outText);
							rec.status = 'done';
							rec.format = format;
							rec.inputHash = inputHash;
							rec.outputHash = sha256Hex(outText);
							rec.counts = res.counts;
							if (res.problems.length) {
								rec.problems = res.problems.length;
								rec.reason = `${res.problems.length} malformed NDJSON line(s) de-identified as plain text (first: line ${res.problems[0].line + 1})`;
							}
						}
					}
				}
			} catch (err) {
				rec.status = 'failed';
				rec.reason = describeError(err);
			}
		}
		records.push(rec);
		bytesDone += size;
		opts.onProgress?.({ done: records.length, total: entries.length, bytes: bytesDone, totalBytes, file: rel });
		if (++sinceSave >= 50) {
			sinceSave = 0;
			await saveManifest();
		}
	}
	await saveManifest();
	const report = buildReport(opts, records, started, now() - started, cancelled);
	if (!single) {
		await writeAtomic(join(output, REPORT_JSON), JSON.stringify(report, null, 2));
		await writeAtomic(join(output, REPORT_MD), reportMarkdown(report));
	}
	return report;
}

async function existsWithHash(path: string, hash: string | undefined): Promise<boolean> {
	if (!hash) return false;
	try {
		return sha256Hex(await readFile(path)) === hash;
	} catch {
		return false;
	}
}

/** An error message safe for reports: the system's code and syscall, never file content. */
export function describeError(err: unknown): string {
	const e = err as NodeJS.ErrnoException;
	if (e && e.code === 'EACCES') return 'permission denied';
	if (e && e.code === 'ENOENT') return 'file disappeared during the run';
	if (e && e.code === 'EISDIR') return 'is a directory';
	if (e && e.code) return `${e.code}${e.syscall ? ` (${e.syscall})` : ''}`;
	if (e instanceof RangeError) return 'file too large to process in memory';
	return 'internal error while processing the file';
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
		keyFingerprint: keyFingerprint(opts.key),
		startedAt: new Date(started).toISOString(),
		durationMs,
		cancelled,
		totals: { files: files.length, done: by('done'), skipped: by('skipped'), failed: by('failed'), copied: by('copied'), findings, bytes: files.reduce((a, f) => a + f.bytes, 0) },
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
		`- Started: ${r.startedAt}; duration ${(r.durationMs / 1000).toFixed(1)} s${r.cancelled ? ' — **cancelled** (rerun to resume)' : ''}`,
		`- Files: ${r.totals.files} (${r.totals.done} de-identified, ${r.totals.skipped} skipped, ${r.totals.failed} failed, ${r.totals.copied} copied); findings: ${r.totals.findings}`,
		'',
		'## Findings by type',
		'',
		'| Type | Count |',
		'|---|---:|',
		...Object.entries(r.countsByType).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)).map(([t, c]) => `| ${t} | ${c} |`),
		'',
		'## Files',
		'',
		'| File | Status | Findings | Note |',
		'|---|---|---:|---|',
		...r.files.map((f) => `| ${mdCell(f.path)} | ${f.status} | ${Object.values(f.counts ?? {}).reduce((a, c) => a + (c ?? 0), 0)} | ${mdCell(f.reason ?? '')} |`),
		'',
	];
	return lines.join('\n');
}
