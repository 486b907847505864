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
	return new TextPool(size, script, opts.budgetMs, opts.heapMb ?? 256);
}

type TextJob = { id: number; task: TextTask; resolve: (o: TextOutcome) => void };
type TextSlot = { w: Worker; busy?: TextJob; timer?: NodeJS.Timeout; dead?: boolean };
const CLOSED: TextOutcome = { ok: false, code: 'closed', reason: 'the server is shutting down' };

class TextPool implements TextRunner {
	private readonly slots: TextSlot[] = [];
	private readonly queue: TextJob[] = [];
	private nextId = 1;
	private closed = false;
	private crashes = 0;

	constructor(
		size: number,
		private readonly script: string,
		private readonly budgetMs: number,
		private readonly heapMb: number,
	) {
		for (let i = 0; i < Math.max(1, size); i++) this.slots.push(this.spawn());
	}

	run = (task: TextTask): Promise<TextOutcome> =>
		new Promise<TextOutcome>((resolve) => {
			if (this.closed) return resolve(CLOSED);
			this.queue.push({ id: this.nextId++, task, resolve });
			this.pump();
		});

	queued = (): number => this.queue.length;

	terminate = async (): Promise<void> => {
		this.closed = true;
		for (const q of this.queue.splice(0)) q.resolve(CLOSED);
		const all = this.slots.splice(0);
		for (const slot of all) {
			slot.dead = true;
			if (slot.timer) clearTimeout(slot.timer);
			slot.busy?.resolve(CLOSED);
		}
		await Promise.all(all.map((s) => s.w.terminate()));
	};

	private pump(): void {
		for (const slot of this.slots) {
			if (slot.busy || slot.dead || this.queue.length === 0) continue;
			const job = this.queue.shift()!;
			slot.busy = job;
			slot.w.postMessage({ id: job.id, kind: 'text', text: job.task });
		}
	}

	/** Ends a slot's worker, answers its document with `outcome`, and starts a worker in its place. */
	private retire(slot: TextSlot, outcome: TextOutcome | undefined): void {
		if (slot.dead) return;
		slot.dead = true;
		if (slot.timer) clearTimeout(slot.timer);
		const job = slot.busy;
		slot.busy = undefined;
		if (job && outcome) job.resolve(outcome);
		const i = this.slots.indexOf(slot);
		if (i >= 0) this.slots.splice(i, 1);
		void slot.w.terminate();
		if (this.closed) return;
		if (this.crashes > 20) {
			// Threads that fail at once, over and over (a broken install): fail what waits rather than respawn forever.
			for (const q of this.queue.splice(0)) q.resolve({ ok: false, code: 'error', reason: 'worker threads keep failing' });
			setTimeout(() => {
				if (this.closed) return;
				this.slots.push(this.spawn());
				this.pump();
			}, 1000).unref();
			return;
		}
		this.slots.push(this.spawn());
		this.pump();
	}

	private spawn(): TextSlot {
		const heapMb = this.heapMb;
		const slot: TextSlot = {
			w: new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(16, heapMb >> 2) } }),
		};
		slot.w.on('message', (msg: { id: number; kind?: string; outcome?: TextOutcome }) => this.onMessage(slot, msg));
		slot.w.on('error', (err: NodeJS.ErrnoException) => {
			const memory = err?.code === 'ERR_WORKER_OUT_OF_MEMORY';
			this.crashes++;
			this.retire(slot, {
				ok: false,
				code: memory ? 'memory' : 'error',
				reason: memory ? 'the document needs more memory than a worker may use' : 'internal error in a worker thread',
			});
		});
		slot.w.on('exit', () => this.retire(slot, { ok: false, code: 'error', reason: 'worker thread stopped unexpectedly' }));
		return slot;
	}

	/** A worker started its document (the time limit starts) or answered it. */
	private onMessage(slot: TextSlot, msg: { id: number; kind?: string; outcome?: TextOutcome }): void {
		const job = slot.busy;
		if (!job || job.id !== msg.id || slot.dead) return;
		if (msg.kind === 'started') {
			const reason = `the document was not processed within the ${Math.round(this.budgetMs / 1000)} s time limit`;
			slot.timer = setTimeout(() => this.retire(slot, { ok: false, code: 'timeout', reason }), this.budgetMs);
			return;
		}
		if (slot.timer) clearTimeout(slot.timer);
		slot.timer = undefined;
		slot.busy = undefined;
		this.crashes = 0;
		job.resolve(msg.outcome ?? { ok: false, code: 'error', reason: 'internal error in a worker thread' });
		this.pump();
	}
}
