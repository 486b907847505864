// Worker-thread pools for dist/jobWorker.js. No imports beyond node: `deid scan`'s bundle (dist/cliScan.js) uses
// this without the folder job's and FHIR's dependencies.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ScanOutcome, ScanTask } from '../cli/scanFile';

/** dist/jobWorker.js: beside this bundle, or in dist/ above it (tests). */
export function workerScriptPath(from = __dirname): string | undefined {
	let dir = from;
	for (let i = 0; i < 6; i++) {
		for (const c of [join(dir, 'jobWorker.js'), join(dir, 'dist', 'jobWorker.js')]) if (existsSync(c)) return c;
		dir = dirname(dir);
	}
	return undefined;
}

/** The reason a file fails with when its worker ran out of heap. */
export const OUT_OF_MEMORY = 'file needs more memory than a worker may use';

/** What a scan task resolves to when its worker failed (the caller may run it again in its own thread). */
export interface ScanFailure {
	failed: string;
}

/** A fixed pool of worker threads for `deid scan`: batches of files, one batch at a time each. */
export function scanPool(
	size: number,
	script: string,
	heapMb = 512,
): { run(batch: ScanTask[]): Promise<ScanOutcome[] | ScanFailure>; terminate(): Promise<void> } {
	return taskPool<ScanTask[], ScanOutcome[] | ScanFailure>(
		size,
		script,
		heapMb,
		(id, batch) => ({ id, kind: 'scan', scan: batch }),
		(reason) => ({ failed: reason }),
	);
}

/** Worker threads that answer each { id, ... } message with { id, outcome }; a failed task resolves to fail(reason). */
export function taskPool<T, O>(
	size: number,
	script: string,
	heapMb: number,
	message: (id: number, task: T) => object,
	failWith: (reason: string) => O,
): { run(task: T): Promise<O>; terminate(): Promise<void> } {
	type Pending = { resolve: (o: O) => void; task: T };
	const workers: { w: Worker; busy?: { id: number; p: Pending } }[] = [];
	const queue: { id: number; p: Pending }[] = [];
	let nextId = 1;
	let closed = false;
	const fail = (p: Pending, reason: string) => p.resolve(failWith(reason));
	const pump = () => {
		for (const slot of workers) {
			if (slot.busy || queue.length === 0) continue;
			const job = queue.shift()!;
			slot.busy = job;
			slot.w.postMessage(message(job.id, job.p.task));
		}
	};
	let respawns = 0;
	const spawn = (): { w: Worker; busy?: { id: number; p: Pending } } => {
		// A bounded heap keeps each worker's memory flat on big folders (it streams; nothing needs more).
		const slot: { w: Worker; busy?: { id: number; p: Pending } } = {
			w: new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(16, heapMb >> 2) } }),
		};
		slot.w.on('message', (msg: { id: number; outcome: O }) => {
			const job = slot.busy;
			slot.busy = undefined;
			if (job && job.id === msg.id) job.p.resolve(msg.outcome);
			pump();
		});
		let failed = false;
		const died = (reason: string) => {
			if (failed || closed) return;
			failed = true;
			const job = slot.busy;
			slot.busy = undefined;
			if (job) fail(job.p, reason);
			// The thread is gone: replace it, so the queue never waits on a dead worker.
			const i = workers.indexOf(slot);
			if (i >= 0) workers.splice(i, 1);
			if (respawns++ < 50) workers.push(spawn());
			else for (const q of queue.splice(0)) fail(q.p, 'worker threads keep failing');
			pump();
		};
		slot.w.on('error', (err: NodeJS.ErrnoException) =>
			died(err?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? OUT_OF_MEMORY : 'internal error in a worker thread'),
		);
		slot.w.on('exit', () => died('worker thread stopped unexpectedly'));
		return slot;
	};
	for (let i = 0; i < size; i++) workers.push(spawn());
	return {
		run(task) {
			return new Promise<O>((resolve) => {
				if (closed) return fail({ resolve, task }, 'cancelled');
				queue.push({ id: nextId++, p: { resolve, task } });
				pump();
			});
		},
		async terminate() {
			closed = true;
			for (const q of queue.splice(0)) fail(q.p, 'cancelled');
			for (const slot of workers) if (slot.busy) fail(slot.busy.p, 'cancelled');
			await Promise.all(workers.map((s) => s.w.terminate()));
		},
	};
}

