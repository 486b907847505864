// The jobs of `deid serve` and their state file: it survives restarts and never holds a key.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeidentificationJob, DocumentDetails } from '../azure/deidClient';
import { jobKey, loadServerKey } from '../guards';

export interface StoredJob {
	job: DeidentificationJob;
	documents: DocumentDetails[];
	/** Random salt of this job's surrogate key (derived from the server key: consistent surrogates within a job). */
	salt: string;
	/** Random id written into output blob metadata, so a restarted job recognises the outputs it wrote. */
	id: string;
	/** Blob name of each document (same order as documents). */
	blobNames: string[];
	cancelRequested?: boolean;
}

export class JobStore {
	readonly jobs = new Map<string, StoredJob>();
	private readonly statePath?: string;
	private readonly serverKey: Uint8Array;
	private saveTimer: NodeJS.Timeout | undefined;

	constructor(stateDir: string | undefined, log: (line: string) => void) {
		if (stateDir) mkdirSync(stateDir, { recursive: true, mode: 0o700 });
		this.statePath = stateDir ? join(stateDir, 'deid-serve-state.json') : undefined;
		// Per-job surrogate keys derive from this key, so the state file holds no key (only per-job salts).
		this.serverKey = stateDir ? loadServerKey(join(stateDir, 'deid-serve.key')) : randomBytes(32);
		if (this.statePath) this.load(log);
	}

	private load(log: (line: string) => void): void {
		let stored: (StoredJob & { key?: string })[] = [];
		try {
			stored = JSON.parse(readFileSync(this.statePath!, 'utf8'));
		} catch {
			/* no state yet */
		}
		let dropped = 0;
		for (const s of stored) {
			if ('key' in s) {
				delete s.key;
				dropped++;
			}
			s.salt ??= randomBytes(16).toString('hex');
			s.id ??= randomUUID();
			this.jobs.set(s.job.name, s);
		}
		if (dropped) log(`state: removed the stored surrogate keys of ${dropped} job(s); their remaining documents get surrogates under a new key`);
		// Rewritten at once: no key stays on disk, and an older state file gets mode 0600.
		if (stored.length) this.saveNow();
	}

	add(job: DeidentificationJob): void {
		this.jobs.set(job.name, { job, documents: [], blobNames: [], salt: randomBytes(16).toString('hex'), id: randomUUID() });
		this.saveNow();
	}

	delete(name: string): void {
		this.jobs.delete(name);
		this.saveNow();
	}

	keyOf(s: StoredJob): Uint8Array {
		return jobKey(this.serverKey, s.job.name, s.salt);
	}

	saveNow(): void {
		if (this.saveTimer) clearTimeout(this.saveTimer);
		this.saveTimer = undefined;
		if (!this.statePath) return;
		const tmp = `${this.statePath}.tmp-${process.pid}`;
		// A fresh file each time: `mode` applies only when the file is created.
		rmSync(tmp, { force: true });
		writeFileSync(tmp, JSON.stringify([...this.jobs.values()]), { mode: 0o600 });
		renameSync(tmp, this.statePath);
	}

	/** Saved within 200 ms: documents finish faster than the state file should be rewritten. */
	save(): void {
		if (this.saveTimer) return;
		this.saveTimer = setTimeout(() => this.saveNow(), 200);
	}

	touch(s: StoredJob): void {
		s.job.lastUpdatedAt = new Date().toISOString();
		this.save();
	}

	fail(s: StoredJob, code: string, message: string): void {
		s.job.status = 'Failed';
		s.job.error = { code, message };
		this.touch(s);
	}
}
