import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Dictionaries } from '../engine';
import { processFile, type FileOutcome, type FileTask } from './processFile';

/** dist/jobWorker.js: beside this bundle, or in dist/ above it (tests). */
export function workerScriptPath(from = __dirname): string | undefined {
	let dir = from;
	for (let i = 0; i < 6; i++) {
		for (const c of [join(dir, 'jobWorker.js'), join(dir, 'dist', 'jobWorker.js')]) if (existsSync(c)) return c;
		dir = dirname(dir);
	}
	return undefined;
}

export interface Runner {
	run(task: FileTask): Promise<FileOutcome>;
	/** Stop at once: in-flight tasks resolve as failed ("cancelled"). */
	terminate(): Promise<void>;
}

/** Runs tasks in this thread (small jobs, or where worker threads are unavailable). */
export function inProcessRunner(dicts: Dictionaries): Runner {
	return { run: (task) => processFile(task, dicts), terminate: async () => undefined };
}

/** A fixed pool of worker threads, one task at a time each. */
export function workerPool(size: number, script: string): Runner {
	type Pending = { resolve: (o: FileOutcome) => void; task: FileTask };
	const workers: { w: Worker; busy?: { id: number; p: Pending } }[] = [];
	const queue: { id: number; p: Pending }[] = [];
	let nextId = 1;
	let closed = false;
	const fail = (p: Pending, reason: string) => p.resolve({ status: 'failed', reason, bytes: 0 });
	const pump = () => {
		for (const slot of workers) {
			if (slot.busy || queue.length === 0) continue;
			const job = queue.shift()!;
			slot.busy = job;
			slot.w.postMessage({ id: job.id, task: job.p.task });
		}
	};
	for (let i = 0; i < size; i++) {
		// A bounded heap keeps each worker's memory flat on big folders (it streams; nothing needs more).
		const slot: { w: Worker; busy?: { id: number; p: Pending } } = { w: new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 16 } }) };
		slot.w.on('message', (msg: { id: number; outcome: FileOutcome }) => {
			const job = slot.busy;
			slot.busy = undefined;
			if (job && job.id === msg.id) job.p.resolve(msg.outcome);
			pump();
		});
		slot.w.on('error', () => {
			const job = slot.busy;
			slot.busy = undefined;
			if (job) fail(job.p, 'internal error in a worker thread');
		});
		workers.push(slot);
	}
	return {
		run(task) {
			return new Promise<FileOutcome>((resolve) => {
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
