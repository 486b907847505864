import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ResponseError, type CancellationToken, type Disposable } from 'vscode-languageserver';
import {
	REMOTE_DEID_SCOPE,
	REMOTE_STORAGE_SCOPE,
	RemoteJobActionRequest,
	RemoteJobCreatedNotification,
	RemoteJobDownloadRequest,
	RemoteJobListRequest,
	RemoteJobPreflightRequest,
	RemoteJobSubmitRequest,
	RemoteJobTokenRequest,
	type RemoteJobInfo,
	type RemoteServiceParams,
	type RemoteStorageParams,
	type RemoteJobActionParams,
	type RemoteJobActionResult,
	type RemoteJobDownloadParams,
	type RemoteJobDownloadResult,
	type RemoteJobListParams,
	type RemoteJobListResult,
	type RemoteJobPreflightParams,
	type RemoteJobPreflightResult,
	type RemoteJobSubmitParams,
	type RemoteJobSubmitResult,
} from '../protocol';
import type { DeidClient, DeidentificationJob } from '../remote/azure/deidClient';
import type { StorageAccess } from '../remote/azure/submit';
import type { ServerContext } from '../state';

// The Azure SDK is loaded on the first remote request, not when the language server starts.
const azure = () => Promise.all([import('../remote/azure/deidClient'), import('../remote/azure/submit'), import('../remote/azure/tokens')]);

/** Error codes of remote-job requests (JSON-RPC application range). */
const REMOTE_ERROR = -32050;

/**
 * `deid/remoteJob/*`: remote batch jobs run here, as the folder job does; the client sends settings and
 * credentials. Entra ID tokens that expire are asked for again with `deid/remoteJob/token`.
 */
export function registerRemoteJobs(ctx: ServerContext): Disposable {
	const jobs = new RemoteJobs(ctx.connection);
	const { connection } = ctx;
	const subs = [
		connection.onRequest(RemoteJobPreflightRequest, (p) => jobs.guarded('preflight', () => jobs.preflight(p))),
		connection.onRequest(RemoteJobSubmitRequest, (p, token) => jobs.guarded('submit', () => jobs.submit(p, token))),
		connection.onRequest(RemoteJobListRequest, (p, token) => jobs.guarded('list', () => jobs.list(p, token))),
		connection.onRequest(RemoteJobActionRequest, (p) => jobs.guarded(p.action, () => jobs.action(p))),
		connection.onRequest(RemoteJobDownloadRequest, (p) => jobs.guarded('download', () => jobs.download(p))),
	];
	return { dispose: () => subs.forEach((s) => s.dispose()) };
}

/** The remote-job requests, each against the service and storage the client's parameters name. */
class RemoteJobs {
	constructor(private readonly connection: ServerContext['connection']) {}

	private askToken(scope: typeof REMOTE_DEID_SCOPE | typeof REMOTE_STORAGE_SCOPE): () => Promise<string | undefined> {
		return async () => (await this.connection.sendRequest(RemoteJobTokenRequest, { scope })).accessToken;
	}

	private async serviceClient(p: RemoteServiceParams): Promise<DeidClient> {
		const [{ DeidClient }, , { BorrowedToken }] = await azure();
		if (p.auth.kind === 'token') {
			const token = p.auth.token;
			return new DeidClient({ endpoint: p.endpoint, token: async () => token });
		}
		const entra = new BorrowedToken(p.auth.accessToken, this.askToken(REMOTE_DEID_SCOPE));
		return new DeidClient({ endpoint: p.endpoint, token: () => entra.get(), onUnauthorized: async () => void (await entra.refresh()) });
	}

	private async storageAccess(p: RemoteStorageParams): Promise<StorageAccess> {
		const [, , { BorrowedToken }] = await azure();
		const s = p.storage;
		if (s.kind === 'connectionString') return { containerUrl: p.containerUrl, connectionString: s.connectionString };
		if (s.kind === 'sas') return { containerUrl: p.containerUrl, sas: s.sas };
		return { containerUrl: p.containerUrl, credential: new BorrowedToken(s.accessToken, this.askToken(REMOTE_STORAGE_SCOPE)).credential() };
	}

	/** Runs one request; a failure becomes a ResponseError that names status and code only. */
	async guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
		try {
			return await run();
		} catch (e) {
			if (e instanceof ResponseError) throw e;
			const [{ describeRemoteError }] = await azure();
			const reason = describeRemoteError(e);
			this.connection.console.error(`remote job ${what}: ${reason}`);
			throw new ResponseError(REMOTE_ERROR, reason);
		}
	}

	async preflight(p: RemoteJobPreflightParams): Promise<RemoteJobPreflightResult> {
		const [, { preflight }] = await azure();
		const pre = await preflight(p.folder);
		return { files: pre.files.length, bytes: pre.bytes, skipped: pre.skipped.length, refusal: pre.refusal };
	}

	/** Upload, run and download a folder, with work-done progress; the report goes beside the outputs. */
	async submit(p: RemoteJobSubmitParams, token: CancellationToken): Promise<RemoteJobSubmitResult> {
		const { connection } = this;
		const [, { submitFolder }] = await azure();
		const client = await this.serviceClient(p);
		const storage = await this.storageAccess(p);
		const workDone = p.workDoneToken !== undefined ? connection.window.attachWorkDoneProgress(p.workDoneToken) : undefined;
		workDone?.begin('Remote de-identification job', 0, 'Uploading…', true);
		const controller = aborter(token);
		try {
			const report = await submitFolder({
				folder: p.folder,
				out: p.out,
				client,
				storage,
				operation: p.operation,
				redactionFormat: p.operation === 'Redact' ? p.redactionFormat : undefined,
				surrogateLocale: p.surrogateLocale,
				deleteInputs: p.deleteInputs,
				signal: controller.signal,
				onJobCreated: (jobName) => void connection.sendNotification(RemoteJobCreatedNotification, { workDoneToken: p.workDoneToken, jobName }),
				onProgress: (x) => {
					const message = `${{ upload: 'Uploading', process: 'Processing', download: 'Downloading' }[x.phase]} ${x.done}/${x.total}`;
					if (x.phase === 'process' && x.total) workDone?.report(Math.round((x.done / x.total) * 100), message);
					else workDone?.report(message);
				},
			});
			const summary = report.summary && {
				successful: report.summary.successful,
				failed: report.summary.failed,
				canceled: report.summary.canceled,
				total: report.summary.total,
			};
			const file = {
				job: report.jobName,
				endpoint: new URL(p.endpoint).host,
				status: report.status,
				summary,
				downloaded: report.downloaded.length,
				failed: report.failed,
				skipped: report.skipped,
			};
			// Also when nothing was downloaded (a job canceled before it started): the report says why.
			await mkdir(p.out, { recursive: true }).catch(() => undefined);
			await writeFile(join(p.out, 'deid-remote-report.json'), JSON.stringify(file, null, 2)).catch(() => undefined);
			connection.console.info(`remote job ${report.jobName}: ${report.status}, ${report.downloaded.length} downloaded, ${report.failed.length} failed`);
			return {
				jobName: report.jobName,
				status: report.status,
				summary,
				downloaded: report.downloaded,
				failed: report.failed.map(({ rel, code }) => ({ rel, code })),
				skipped: report.skipped,
				out: p.out,
			};
		} finally {
			controller.dispose();
			workDone?.done();
		}
	}

	async list(p: RemoteJobListParams, token: CancellationToken): Promise<RemoteJobListResult> {
		const client = await this.serviceClient(p);
		const controller = aborter(token);
		try {
			const jobs: RemoteJobInfo[] = [];
			for await (const j of client.listJobs({ maxpagesize: 50, signal: controller.signal })) {
				jobs.push(info(j));
				if (jobs.length >= (p.max ?? 200)) break;
			}
			return { jobs };
		} finally {
			controller.dispose();
		}
	}

	async action(p: RemoteJobActionParams): Promise<RemoteJobActionResult> {
		const client = await this.serviceClient(p);
		if (p.action === 'delete') {
			await client.deleteJob(p.name);
			return {};
		}
		return { job: info(p.action === 'cancel' ? await client.cancelJob(p.name) : await client.getJob(p.name)) };
	}

	async download(p: RemoteJobDownloadParams): Promise<RemoteJobDownloadResult> {
		const [, { containerClient, downloadJobOutputs }] = await azure();
		const client = await this.serviceClient(p);
		const got = await downloadJobOutputs(client, containerClient(await this.storageAccess(p)), p.name, p.out);
		return { downloaded: got.downloaded, failed: got.failed.map(({ rel, code }) => ({ rel, code })) };
	}
}

function info(j: DeidentificationJob): RemoteJobInfo {
	const s = j.summary;
	return {
		name: j.name,
		status: j.status,
		createdAt: j.createdAt,
		summary: s && { successful: s.successful, failed: s.failed, canceled: s.canceled, total: s.total },
	};
}

/** An AbortController that follows the request's cancellation. */
function aborter(token: CancellationToken): AbortController & { dispose(): void } {
	const controller = new AbortController();
	const sub = token.onCancellationRequested(() => controller.abort());
	return Object.assign(controller, { dispose: () => sub.dispose() });
}
