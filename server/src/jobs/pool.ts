import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Dictionaries } from '../engine';
import { processFile, type FileOutcome, type FileTask } from './processFile';
import { processText, type TextOutcome, type TextTask } from '../remote/textTask';

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
	let respawns = 0;
	const spawn = (): { w: Worker; busy?: { id: number; p: Pending } } => {
		// A bounded heap keeps each worker's memory flat on big folders (it streams; nothing needs more).
		const slot: { w: Worker; busy?: { id: number; p: Pending } } = { w: new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(16, heapMb >> 2) } }) };
		slot.w.on('message', (msg: { id: number; outcome: FileOutcome }) => {
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
		slot.w.on('error', (err: NodeJS.ErrnoException) => died(err?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? OUT_OF_MEMORY : 'internal error in a worker thread'));
		slot.w.on('exit', () => died('worker thread stopped unexpectedly'));
		return slot;
	};
	for (let i = 0; i < size; i++) workers.push(spawn());
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
