// `deid scan`: findings per file, printed in the order of the files, from this thread or from a pool of worker
// threads (dist/jobWorker.js) with the same bytes either way.
import { lstatSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, sep } from 'node:path';
import type { Finding } from '../engine';
import { scanPool, workerScriptPath, type ScanFailure } from '../jobs/taskPool';
import { loadDictionaries } from '../node/dictionaries';
import { formatForPath } from '../node/textio';
import { detectOptions, one, UsageError, type Parsed } from './args';
import { scanFile, type ScanOutcome, type ScanTask } from './scanFile';

/**
 * Below this much input one thread finishes first: each worker loads the bundle and the dictionaries and warms
 * up its own compiled code (about 1.5 s of CPU), which the engine's share of a few MB does not pay back
 * (bench/scan-speed.mjs measures the crossover).
 */
export const PARALLEL_MIN_BYTES = 2 << 20;

/** A batch for a worker: this many bytes or files, whichever comes first. */
const BATCH_BYTES = 64 << 10;
const BATCH_FILES = 64;

/** Files to scan, each with where its own part of the path starts (names below the argument the user gave). */
export function collectFiles(paths: string[], onError: (path: string, reason: string) => void): { path: string; from: number; size: number }[] {
	const out: { path: string; from: number; size: number }[] = [];
	let from = 0;
	const visit = (path: string, explicit: boolean) => {
		let st;
		try {
			st = lstatSync(path);
		} catch {
			onError(path, 'not found or unreadable');
			return;
		}
		if (st.isSymbolicLink()) {
			if (explicit) out.push({ path, from: path.length - basename(path).length, size: 0 });
			else onError(path, 'symbolic link not followed');
		} else if (st.isDirectory()) {
			let names: string[];
			try {
				names = readdirSync(path).sort();
			} catch {
				onError(path, 'folder not readable');
				return;
			}
			if (explicit) from = path.length + (path.endsWith(sep) ? 0 : 1);
			for (const name of names) visit(join(path, name), false);
		} else if (!st.isFile()) {
			// a FIFO or device named like a note would block a read for ever
			if (explicit || formatForPath(path)) onError(path, 'not a regular file');
		} else if (explicit || formatForPath(path)) out.push({ path, from: explicit ? path.length - basename(path).length : from, size: st.size });
	};
	for (const p of paths) visit(p, true);
	return out;
}

/** Worker threads for these files: none (this thread) for one file, little input or --jobs 1. */
export function scanWorkers(jobs: number, files: readonly { size: number }[], minBytes = PARALLEL_MIN_BYTES): number {
	const bytes = files.reduce((a, f) => a + f.size, 0);
	const n = Math.min(jobs, files.length);
	return n > 1 && bytes >= minBytes ? n : 0;
}

/** --jobs N: worker threads (default: one per core); 1 scans in this thread. */
function jobsOption(p: Parsed): number {
	const j = one(p, '--jobs');
	if (j === undefined) return availableParallelism();
	const n = Number(j);
	if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError('--jobs must be a whole number from 1 to 64');
	return n;
}

export async function cmdScan(p: Parsed): Promise<number> {
	if (p.positional.length === 0) throw new UsageError('scan needs at least one file or folder');
	const opts = detectOptions(p);
	const jobs = jobsOption(p);
	const json = p.flags.has('--json');
	let unreadable = false;
	let any = false;
	const files = collectFiles(p.positional, (path, reason) => {
		unreadable = true;
		process.stderr.write(`deid: ${path}: ${reason}\n`);
	});
	let out = '';
	// Waits while the reader of stdout is behind: otherwise a scan of a big folder into a pipe queues all of its
	// output in memory (gigabytes for 1 GB of notes).
	const flush = async () => {
		const text = out;
		out = '';
		await writeStdout(text);
	};
	const emit = async (o: ScanOutcome) => {
		if (o.err) process.stderr.write(o.err);
		if (o.unreadable) unreadable = true;
		if (o.any) any = true;
		out += o.out;
		// Output goes out in batches, but a large file's findings are written before the next file is read.
		if (out.length > 1 << 18) await flush();
	};
	const nameCache = new Map<string, Finding[]>();
	const local = (task: ScanTask) => scanFile(task, loadDictionaries(), nameCache);
	const task = (f: { path: string; from: number }): ScanTask => ({ path: f.path, from: f.from, opts, json });
	// (bench/scan-speed.mjs moves the threshold to measure where workers start to pay)
	const workers = scanWorkers(jobs, files, Number(process.env.DEID_SCAN_PARALLEL_MIN_BYTES ?? PARALLEL_MIN_BYTES));
	const script = workers > 1 ? workerScriptPath() : undefined;
	if (!script) {
		for (const f of files) await emit(local(task(f)));
	} else {
		await scanInWorkers(files, task, workers, script, local, emit);
	}
	await flush();
	if (unreadable) {
		process.stderr.write('deid: some input could not be scanned (see above); it may hold PHI\n');
		return 2;
	}
	return any && p.flags.has('--fail-on-findings') ? 1 : 0;
}

/** Writes to stdout, waiting while its reader is behind. */
async function writeStdout(text: string): Promise<void> {
	if (text && !process.stdout.write(text)) {
		await new Promise<void>((resolve) => {
			const done = () => {
				process.stdout.off('drain', done).off('error', done).off('close', done);
				resolve();
			};
			process.stdout.on('drain', done).on('error', done).on('close', done);
		});
	}
}

/** Scans `files` on `workers` threads, handing each outcome to `emit` in the files' order. */
async function scanInWorkers(
	files: readonly { path: string; from: number; size: number }[],
	task: (f: { path: string; from: number }) => ScanTask,
	workers: number,
	script: string,
	local: (task: ScanTask) => ScanOutcome,
	emit: (o: ScanOutcome) => Promise<void>,
): Promise<void> {
	const pool = scanPool(workers, script);
	try {
		// Files go in batches (a message each way per batch, not per file: a thread's wake-up costs more than a
		// small note's scan), a few batches per worker in flight; results print in the files' order.
		const inFlight: { batch: ScanTask[]; outcome: Promise<ScanOutcome[] | ScanFailure> }[] = [];
		const next = async () => {
			const { batch, outcome } = inFlight.shift()!;
			const o = await outcome;
			// A batch its worker could not finish (out of memory, a crash) gets this thread's larger heap.
			if ('failed' in o) for (const t of batch) await emit(local(t));
			else for (const r of o) await emit(r);
		};
		let batch: ScanTask[] = [];
		let batchBytes = 0;
		const send = async () => {
			inFlight.push({ batch, outcome: pool.run(batch) });
			batch = [];
			batchBytes = 0;
			if (inFlight.length >= workers * 3) await next();
		};
		for (const f of files) {
			batch.push(task(f));
			batchBytes += f.size;
			if (batchBytes >= BATCH_BYTES || batch.length >= BATCH_FILES) await send();
		}
		if (batch.length) await send();
		while (inFlight.length) await next();
	} finally {
		await pool.terminate();
	}
}
