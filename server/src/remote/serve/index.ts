// `deid serve`: a self-hostable server with the Azure de-identification service's REST API (2024-11-15): the
// same routes, status codes, headers and JSON shapes, processing with our engine. Blob Storage through
// @azure/storage-blob (Azure or Azurite). Job state is persisted, so a restart keeps the job list and resumes.
// http.ts: errors, bodies, tokens, paging · store.ts: jobs and state file · runner.ts: batch jobs · routes.ts: the API.
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import { StorageSharedKeyCredential } from '@azure/storage-blob';
import type { Dictionaries } from '../../engine';
import { inProcessTextRunner, textPool, workerScriptPath, type TextRunner } from '../../jobs/pool';
import { TERMINAL } from '../azure/deidClient';
import { parseConnectionString, ServeConfigError, tokenProblem } from '../guards';
import { HttpError, sendError } from './http';
import { routes } from './routes';
import { JobRunner } from './runner';
import { JobStore } from './store';

export { ServeConfigError };
export { SUPPORTED_API_VERSIONS } from './http';

export interface ServeOptions {
	port: number;
	host?: string;
	/** Storage account credentials: a connection string (AccountName/AccountKey). */
	connectionString: string;
	/** The bearer token clients must send. */
	token: string;
	/** Where job state is kept (survives restarts); in memory only when absent. */
	stateDir?: string;
	dicts: () => Dictionaries;
	log?: (line: string) => void;
	/** Containers jobs may read and write (all of the account's when absent). */
	allowedContainers?: string[];
	/** Worker threads that run the engine (default: 2 to 4, by the machine's cores). */
	workers?: number;
	/** Time a worker may spend on one document before it fails and the worker is replaced (default 30 s). */
	documentBudgetMs?: number;
	/** The worker script (default: dist/jobWorker.js beside this bundle). */
	workerScript?: string;
}

function enginePool(opts: ServeOptions, log: (line: string) => void): TextRunner {
	const script = opts.workerScript ?? workerScriptPath();
	if (script) return textPool(opts.workers ?? Math.max(2, Math.min(4, availableParallelism() - 1)), script, { budgetMs: opts.documentBudgetMs ?? 30_000 });
	log('worker script not found: documents are processed on the main thread, without a time limit');
	return inProcessTextRunner(opts.dicts);
}

/**
 * Starts the server. Throws a ServeConfigError, with a message fit for the user, when the configuration is unsafe
 * or invalid (a weak token, a server key file others may read, a bad connection string).
 */
export async function startServer(opts: ServeOptions): Promise<{ url: string; close(): Promise<void> }> {
	const weak = tokenProblem(opts.token);
	if (weak) throw new ServeConfigError(weak);
	const { account, key, endpoint } = parseConnectionString(opts.connectionString);
	const log = opts.log ?? (() => {});
	const host = opts.host ?? '127.0.0.1';
	let closing = false;
	let boundPort = opts.port;
	const store = new JobStore(opts.stateDir, log);
	const pool = enginePool(opts, log);
	const context = { store, pool, endpoint, allowedContainers: opts.allowedContainers, log, closing: () => closing };
	const runner = new JobRunner({ ...context, credential: new StorageSharedKeyCredential(account, key) });
	// Jobs that were running when the server stopped resume.
	for (const s of store.jobs.values()) if (!TERMINAL.has(s.job.status)) runner.enqueue(s.job.name);

	const handle = routes({ ...context, runner, token: opts.token, fallbackOrigin: () => `http://${host}:${boundPort}` });
	const server = createServer((req, res) => {
		void handle(req, res).catch((e) =>
			sendError(req, res, e instanceof HttpError ? e : new HttpError(500, 'InternalServerError', 'The server failed to process the request.')),
		);
	});
	try {
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(opts.port, host, () => resolve());
		});
	} catch (e) {
		closing = true;
		await pool.terminate();
		throw e;
	}
	const addr = server.address();
	boundPort = typeof addr === 'object' && addr ? addr.port : opts.port;
	return {
		url: `http://${host}:${boundPort}`,
		close: async () => {
			closing = true;
			await new Promise<void>((r) => server.close(() => r()));
			while (runner.busy) await new Promise((r) => setTimeout(r, 20));
			await pool.terminate();
			store.saveNow();
		},
	};
}
