import { Worker } from 'node:worker_threads';
import type { Dictionaries } from '../engine';
import { processFile, type FileOutcome, type FileTask } from './processFile';
import { processText, type TextOutcome, type TextTask } from '../remote/textTask';
import { taskPool } from './taskPool';

// The pool of threads itself lives in taskPool.ts, which `deid scan`'s small bundle imports without the folder
// job's dependencies.
export { OUT_OF_MEMORY, scanPool, workerScriptPath, type ScanFailure } from './taskPool';

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
export function workerPool(size: number, script: string, heapMb = 160): Runner {
	return taskPool<FileTask, FileOutcome>(size, script, heapMb, (id, task) => ({ id, task }), (reason) => ({ status: 'failed', reason, bytes: 0 }));
}

export interface TextRunner {
	run(task: TextTask): Promise<TextOutcome>;
	/** Tasks waiting for a free worker. */
	queued(): number;
	terminate(): Promise<void>;
}

/** Runs text documents in this thread: only where the worker script is missing (no time budget). */
export function inProcessTextRunner(dicts: () => Dictionaries): TextRunner {
	return {
		run: async (task) => {
			try {
				return processText(task, dicts());
			} catch (e) {
				return { ok: false, code: 'error', reason: `internal error (${(e as Error)?.name ?? 'unknown'})` };
			}
		},
		queued: () => 0,
		terminate: async () => undefined,
	};
}

/**
 * A fixed pool of worker threads for in-memory text documents, one at a time each. A document that runs longer
 * than budgetMs fails with code 'timeout' and its worker is terminated and replaced: the engine cannot be
 * interrupted inside a thread, and a slow document must not hold a worker (or the caller) indefinitely.
 */
export function textPool(size: number, script: string, opts: { budgetMs: number; heapMb?: number }): TextRunner {
	type Job = { id: number; task: TextTask; resolve: (o: TextOutcome) => void };
	type Slot = { w: Worker; busy?: Job; timer?: NodeJS.Timeout; dead?: boolean };
	const heapMb = opts.heapMb ?? 256;
	const slots: Slot[] = [];
	const queue: Job[] = [];
	let nextId = 1;
	let closed = false;
	let crashes = 0;
	const pump = () => {
		for (const slot of slots) {
			if (slot.busy || slot.dead || queue.length === 0) continue;
			const job = queue.shift()!;
			slot.busy = job;
			slot.w.postMessage({ id: job.id, kind: 'text', text: job.task });
		}
	};
	const retire = (slot: Slot, outcome: TextOutcome | undefined) => {
		if (slot.dead) return;
		slot.dead = true;
		if (slot.timer) clearTimeout(slot.timer);
		const job = slot.busy;
		slot.busy = undefined;
		if (job && outcome) job.resolve(outcome);
		const i = slots.indexOf(slot);
		if (i >= 0) slots.splice(i, 1);
		void slot.w.terminate();
		if (closed) return;
		if (crashes > 20) {
			// Threads that fail at once, over and over (a broken install): fail what waits rather than respawn forever.
			for (const q of queue.splice(0)) q.resolve({ ok: false, code: 'error', reason: 'worker threads keep failing' });
			setTimeout(() => {
				if (closed) return;
				slots.push(spawn());
				pump();
			}, 1000).unref();
			return;
		}
		slots.push(spawn());
		pump();
	};
	const spawn = (): Slot => {
		const slot: Slot = { w: new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(16, heapMb >> 2) } }) };
		slot.w.on('message', (msg: { id: number; kind?: string; outcome?: TextOutcome }) => {
			const job = slot.busy;
			if (!job || job.id !== msg.id || slot.dead) return;
			if (msg.kind === 'started') {
				slot.timer = setTimeout(() => retire(slot, { ok: false, code: 'timeout', reason: `the document was not processed within the ${Math.round(opts.budgetMs / 1000)} s time limit` }), opts.budgetMs);
				return;
			}
			if (slot.timer) clearTimeout(slot.timer);
			slot.timer = undefined;
			slot.busy = undefined;
			crashes = 0;
			job.resolve(msg.outcome ?? { ok: false, code: 'error', reason: 'internal error in a worker thread' });
			pump();
		});
		slot.w.on('error', (err: NodeJS.ErrnoException) => {
			const memory = err?.code === 'ERR_WORKER_OUT_OF_MEMORY';
			crashes++;
			retire(slot, { ok: false, code: memory ? 'memory' : 'error', reason: memory ? 'the document needs more memory than a worker may use' : 'internal error in a worker thread' });
		});
		slot.w.on('exit', () => retire(slot, { ok: false, code: 'error', reason: 'worker thread stopped unexpectedly' }));
		return slot;
	};
	for (let i = 0; i < Math.max(1, size); i++) slots.push(spawn());
	return {
		run(task) {
			return new Promise<TextOutcome>((resolve) => {
				if (closed) return resolve({ ok: false, code: 'closed', reason: 'the server is shutting down' });
				queue.push({ id: nextId++, task, resolve });
				pump();
			});
		},
		queued: () => queue.length,
		async terminate() {
			closed = true;
			const closedOutcome: TextOutcome = { ok: false, code: 'closed', reason: 'the server is shutting down' };
			for (const q of queue.splice(0)) q.resolve(closedOutcome);
			const all = slots.splice(0);
			for (const slot of all) {
				slot.dead = true;
				if (slot.timer) clearTimeout(slot.timer);
				slot.busy?.resolve(closedOutcome);
			}
			await Promise.all(all.map((s) => s.w.terminate()));
		},
	};
}
