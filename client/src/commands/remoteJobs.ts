// "Submit Folder as Remote Batch Job…", "Show Remote Jobs" and "Set Remote Job Secret…": the Azure
// de-identification service (or a self-hosted `deid serve`). The language server uploads, submits, polls and
// downloads; this file collects settings and credentials: secrets from SecretStorage (never settings), Entra ID
// tokens from VS Code's Microsoft sign-in. Nothing is sent anywhere until the user confirms, in a modal dialog,
// that the documents leave the machine.
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import {
	REMOTE_DEID_SCOPE, REMOTE_STORAGE_SCOPE, RemoteJobActionRequest, RemoteJobCreatedNotification, RemoteJobDownloadRequest, RemoteJobListRequest,
	RemoteJobPreflightRequest, RemoteJobSubmitRequest, RemoteJobTokenRequest, type RemoteJobPreflightResult, type RemoteJobStatus,
	type RemoteJobSubmitResult, type RemoteServiceParams, type RemoteStorageParams,
} from '../../../server/src/protocol';

const SECRET = { token: 'deid.remote.token', sas: 'deid.remote.storageSas', connectionString: 'deid.remote.storageConnectionString' } as const;
type SecretName = keyof typeof SECRET;
const JOBS_KEY = 'deid.remoteJobs';
const TERMINAL: ReadonlySet<RemoteJobStatus> = new Set(['Succeeded', 'Failed', 'Canceled']);

export interface RemoteJobRecord {
	name: string;
	endpoint: string;
	containerUrl: string;
	folder: string;
	out: string;
	status: RemoteJobStatus;
	createdAt: string;
}

interface RemoteSettings {
	endpoint: string;
	containerUrl: string;
	/** Every Entra ID choice signs in with VS Code's Microsoft account in the editor; `token` is a static bearer. */
	credential: 'token' | 'default' | 'azureCli' | 'interactive';
	storageAuth: 'connectionString' | 'sas' | 'entra';
	operation: 'redact' | 'surrogate';
	deleteInputs: boolean;
}

function settings(scope?: vscode.Uri): RemoteSettings {
	const c = vscode.workspace.getConfiguration('deid.remote', scope);
	return {
		endpoint: c.get<string>('endpoint', '').trim(),
		containerUrl: c.get<string>('containerUrl', '').trim(),
		credential: c.get<RemoteSettings['credential']>('credential', 'default'),
		storageAuth: c.get<RemoteSettings['storageAuth']>('storageAuth', 'entra'),
		operation: c.get<RemoteSettings['operation']>('operation', 'redact'),
		deleteInputs: c.get<boolean>('deleteInputs', true),
	};
}

async function secret(ctx: vscode.ExtensionContext, name: SecretName, prompt: string): Promise<string | undefined> {
	const have = await ctx.secrets.get(SECRET[name]);
	if (have) return have;
	const v = await vscode.window.showInputBox({ prompt, password: true, ignoreFocusOut: true });
	if (v) await ctx.secrets.store(SECRET[name], v.trim());
	return v?.trim() || undefined;
}

/** An Entra ID access token from VS Code's Microsoft account (signing in if needed, unless `silent`). */
async function entraToken(scope: string, silent = false): Promise<string | undefined> {
	const session = silent
		? await vscode.authentication.getSession('microsoft', [scope], { silent: true })
		: await vscode.authentication.getSession('microsoft', [scope], { createIfNone: true });
	return session?.accessToken;
}

async function serviceParams(ctx: vscode.ExtensionContext, s: RemoteSettings): Promise<RemoteServiceParams | undefined> {
	if (!s.endpoint) {
		void vscode.window
			.showErrorMessage('Set deid.remote.endpoint (the service URL, or your deid serve server) first.', 'Open Settings')
			.then((a) => a && vscode.commands.executeCommand('workbench.action.openSettings', 'deid.remote'));
		return undefined;
	}
	if (s.credential === 'token') {
		const token = await secret(ctx, 'token', 'Bearer token of the de-identification server (stored in SecretStorage)');
		return token ? { endpoint: s.endpoint, auth: { kind: 'token', token } } : undefined;
	}
	const accessToken = await entraToken(REMOTE_DEID_SCOPE);
	return accessToken ? { endpoint: s.endpoint, auth: { kind: 'entra', accessToken } } : undefined;
}

async function storageParams(ctx: vscode.ExtensionContext, s: RemoteSettings): Promise<RemoteStorageParams | undefined> {
	if (!s.containerUrl) {
		void vscode.window.showErrorMessage('Set deid.remote.containerUrl (the Blob Storage container the service reads and writes) first.');
		return undefined;
	}
	if (s.storageAuth === 'connectionString') {
		const connectionString = await secret(ctx, 'connectionString', 'Storage account connection string (stored in SecretStorage)');
		return connectionString ? { containerUrl: s.containerUrl, storage: { kind: 'connectionString', connectionString } } : undefined;
	}
	if (s.storageAuth === 'sas') {
		const sas = await secret(ctx, 'sas', 'SAS token for the container (stored in SecretStorage)');
		return sas ? { containerUrl: s.containerUrl, storage: { kind: 'sas', sas } } : undefined;
	}
	const accessToken = await entraToken(REMOTE_STORAGE_SCOPE);
	return accessToken ? { containerUrl: s.containerUrl, storage: { kind: 'entra', accessToken } } : undefined;
}

function records(ctx: vscode.ExtensionContext): RemoteJobRecord[] {
	return ctx.workspaceState.get<RemoteJobRecord[]>(JOBS_KEY, []);
}
async function saveRecord(ctx: vscode.ExtensionContext, r: RemoteJobRecord): Promise<void> {
	const list = records(ctx).filter((x) => x.name !== r.name);
	await ctx.workspaceState.update(JOBS_KEY, [r, ...list].slice(0, 200));
}

/** A request's failure as the server worded it (status and service code, never content or secrets). */
function reason(e: unknown): string {
	return e instanceof Error ? e.message.split('\n')[0] : 'failed';
}

/** Options for tests: `confirm: true` answers the confirmation dialog (the e2e suite cannot click a modal). */
export interface SubmitArgs {
	folder?: vscode.Uri;
	confirm?: boolean;
}

/** Callbacks for `deid/remoteJob/created`, by the submit request's work-done token. */
const created = new Map<string | number, (jobName: string) => void>();

/** The answers to the server's remote-job notifications and token requests. */
export function remoteJobHandlers(client: LanguageClient, output: vscode.LogOutputChannel): vscode.Disposable[] {
	return [
		client.onNotification(RemoteJobCreatedNotification, (p) => {
			if (p.workDoneToken !== undefined) created.get(p.workDoneToken)?.(p.jobName);
		}),
		// Mid-job: no sign-in dialog pops up; without a session the server reports the service's 401.
		client.onRequest(RemoteJobTokenRequest, async (p) => {
			const accessToken = await entraToken(p.scope, true);
			if (!accessToken) output.warn('remote job: no Microsoft account session for a new token');
			return { accessToken };
		}),
	];
}

export async function submitRemoteJob(
	client: LanguageClient,
	ctx: vscode.ExtensionContext,
	output: vscode.LogOutputChannel,
	arg?: vscode.Uri | SubmitArgs,
): Promise<RemoteJobSubmitResult | undefined> {
	const args: SubmitArgs = arg instanceof vscode.Uri ? { folder: arg } : (arg ?? {});
	let folder = args.folder;
	if (!folder) {
		const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Submit as Remote Job' });
		folder = picked?.[0];
	}
	if (!folder) return undefined;
	const s = settings(folder);
	const service = await serviceParams(ctx, s);
	if (!service) return undefined;
	const storage = await storageParams(ctx, s);
	if (!storage) return undefined;
	try {
		const pre = await confirmSubmit(client, folder, s, args.confirm === true);
		if (!pre) return undefined;
		const endpointHost = new URL(s.endpoint).host;
		const out = join(dirname(folder.fsPath), `${basename(folder.fsPath)}-deid-remote`);
		output.info(`remote job: ${pre.files} documents, ${pre.bytes} bytes → ${endpointHost}`);
		const record = (name: string, status: RemoteJobStatus) =>
			saveRecord(ctx, {
				name,
				endpoint: s.endpoint,
				containerUrl: s.containerUrl,
				folder: folder!.fsPath,
				out,
				status,
				createdAt: new Date().toISOString(),
			});
		const deid = vscode.workspace.getConfiguration('deid', folder);
		const report = await withServerProgress(client, (workDoneToken, cancel) => {
			created.set(workDoneToken, (name) => {
				output.info(`remote job ${name} created`);
				void record(name, 'NotStarted');
			});
			const operation = s.operation === 'redact' ? 'Redact' : 'Surrogate';
			const params = {
				...service,
				...storage,
				folder: folder!.fsPath,
				out,
				operation,
				redactionFormat: deid.get<string>('redactionFormat'),
				surrogateLocale: deid.get<string>('surrogateLocale'),
				deleteInputs: s.deleteInputs,
				workDoneToken,
			} as const;
			return client.sendRequest(RemoteJobSubmitRequest, params, cancel).finally(() => created.delete(workDoneToken));
		});
		await record(report.jobName, report.status);
		output.info(`remote job ${report.jobName}: ${report.status}, ${report.downloaded.length} downloaded, ${report.failed.length} failed`);
		const msg = `Remote job ${report.jobName}: ${report.status}. ${report.downloaded.length} documents in ${basename(out)}; ${report.failed.length} failed; ${report.skipped.length} skipped.`;
		if (report.failed.length) void vscode.window.showWarningMessage(msg, 'Show Output').then((a) => a && output.show());
		else void vscode.window.showInformationMessage(msg);
		return report;
	} catch (e) {
		output.error(`remote job failed: ${reason(e)}`);
		void vscode.window.showErrorMessage(`Remote job: ${reason(e)}.`);
		return undefined;
	}
}

/** Counts what the folder would send and asks to go on (unless `confirmed`); the preflight when the user agrees. */
async function confirmSubmit(
	client: LanguageClient,
	folder: vscode.Uri,
	s: RemoteSettings,
	confirmed: boolean,
): Promise<RemoteJobPreflightResult | undefined> {
	const pre = await client.sendRequest(RemoteJobPreflightRequest, { folder: folder.fsPath });
	if (pre.refusal) {
		void vscode.window.showErrorMessage(`Cannot submit: ${pre.refusal}.`);
		return undefined;
	}
	if (pre.files === 0) {
		void vscode.window.showWarningMessage(
			`No plain-text documents (UTF-8, ≤ 2 MB) in ${basename(folder.fsPath)}; ${pre.skipped} files skipped.`,
		);
		return undefined;
	}
	const endpointHost = new URL(s.endpoint).host;
	const detail =
		`${pre.files} documents (${(pre.bytes / 1048576).toFixed(2)} MB) will be uploaded to ${new URL(s.containerUrl).host} and processed by ${endpointHost} ` +
		`(operation ${s.operation}). ${pre.skipped} files are skipped (not plain UTF-8 text, over 2 MB, or links). ` +
		`The documents leave this machine.${s.deleteInputs ? ' The uploaded inputs are deleted afterwards.' : ''}`;
	const ok = confirmed ? 'Submit' : await vscode.window.showWarningMessage('Submit folder as a remote batch job?', { modal: true, detail }, 'Submit');
	return ok === 'Submit' ? pre : undefined;
}

/** A cancellable notification that shows the server's work-done progress of one request. */
function withServerProgress<T>(client: LanguageClient, run: (workDoneToken: string, cancel: vscode.CancellationToken) => Promise<T>): Thenable<T> {
	const workDoneToken = `deid-remote-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
	return vscode.window.withProgress(
		{ location: vscode.ProgressLocation.Notification, title: 'Remote de-identification job', cancellable: true },
		async (progress, cancel) => {
			let last = 0;
			const sub = client.onProgress(WorkDoneProgress.type, workDoneToken, (v) => {
				if (v.kind === 'end') return;
				const pct = v.percentage;
				progress.report({ message: v.message, increment: pct === undefined ? undefined : Math.max(0, pct - last) });
				if (pct !== undefined) last = Math.max(last, pct);
			});
			try {
				return await run(workDoneToken, cancel);
			} finally {
				sub.dispose();
			}
		},
	);
}

export async function showRemoteJobs(client: LanguageClient, ctx: vscode.ExtensionContext, output: vscode.LogOutputChannel): Promise<void> {
	const s = settings();
	const service = await serviceParams(ctx, s);
	if (!service) return;
	let jobs;
	try {
		jobs = (await client.sendRequest(RemoteJobListRequest, { ...service, max: 200 })).jobs;
	} catch (e) {
		void vscode.window.showErrorMessage(`Listing remote jobs: ${reason(e)}.`);
		return;
	}
	const local = new Map(records(ctx).map((r) => [r.name, r]));
	const pick = await vscode.window.showQuickPick(
		jobs.map((j) => ({
			label: j.name,
			description: `${j.status}${j.summary ? ` · ${j.summary.successful}/${j.summary.total} succeeded, ${j.summary.failed} failed` : ''}`,
			detail: local.get(j.name)?.folder,
			job: j,
		})),
		{ placeHolder: jobs.length ? 'Remote de-identification jobs' : 'No remote jobs' },
	);
	if (!pick) return;
	const actions = [
		...(TERMINAL.has(pick.job.status) ? [] : ['Cancel']),
		...(local.get(pick.job.name) && pick.job.status !== 'NotStarted' ? ['Download Outputs'] : []),
		'Delete',
	];
	const action = await vscode.window.showQuickPick(actions, { placeHolder: pick.job.name });
	try {
		if (action === 'Cancel') {
			const { job } = await client.sendRequest(RemoteJobActionRequest, { ...service, name: pick.job.name, action: 'cancel' });
			void vscode.window.showInformationMessage(`Job ${pick.job.name}: ${job?.status ?? 'canceled'}.`);
		} else if (action === 'Delete') {
			await client.sendRequest(RemoteJobActionRequest, { ...service, name: pick.job.name, action: 'delete' });
			void vscode.window.showInformationMessage(`Job ${pick.job.name} deleted (its blobs are kept).`);
		} else if (action === 'Download Outputs') {
			const rec = local.get(pick.job.name)!;
			const storage = await storageParams(ctx, s);
			if (!storage) return;
			const got = await client.sendRequest(RemoteJobDownloadRequest, { ...service, ...storage, name: pick.job.name, out: rec.out });
			const n = got.downloaded.length;
			output.info(`remote job ${pick.job.name}: ${n} outputs downloaded`);
			void vscode.window.showInformationMessage(`${n} outputs of ${pick.job.name} downloaded to ${basename(rec.out)}.`);
		}
	} catch (e) {
		void vscode.window.showErrorMessage(`${action}: ${reason(e)}.`);
	}
}

export async function setRemoteSecret(ctx: vscode.ExtensionContext, name?: SecretName, value?: string): Promise<void> {
	if (name && name in SECRET && typeof value === 'string') {
		// programmatic use (tasks, tests): no prompts
		if (value.trim()) await ctx.secrets.store(SECRET[name], value.trim());
		else await ctx.secrets.delete(SECRET[name]);
		return;
	}
	const which = await vscode.window.showQuickPick(
		[
			{ label: 'Server bearer token', name: 'token' as SecretName },
			{ label: 'Storage connection string', name: 'connectionString' as SecretName },
			{ label: 'Storage SAS token', name: 'sas' as SecretName },
		],
		{ placeHolder: 'Which secret (kept in SecretStorage)?' },
	);
	if (!which) return;
	const v = await vscode.window.showInputBox({ prompt: `${which.label} (empty clears it)`, password: true, ignoreFocusOut: true });
	if (v === undefined) return;
	if (v.trim()) await ctx.secrets.store(SECRET[which.name], v.trim());
	else await ctx.secrets.delete(SECRET[which.name]);
	void vscode.window.showInformationMessage(`${which.label} ${v.trim() ? 'saved' : 'cleared'}.`);
}
