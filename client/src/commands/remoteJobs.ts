// "Submit Folder as Remote Batch Job…", "Show Remote Jobs" and "Set Remote Job Secret…": the Azure
// de-identification service (or a self-hosted `deid serve`). Secrets live in SecretStorage, never in settings;
// nothing is sent anywhere until the user confirms, in a modal dialog, that the documents leave the machine.
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { DeidClient, DEID_SCOPE, describeRemoteError, TERMINAL, type DeidentificationJob } from '../../../shared/azure/deidClient';
import { containerClient, downloadJobOutputs, preflight, submitFolder, type StorageAccess, type SubmitReport } from '../../../shared/azure/submit';

const SECRET = { token: 'deid.remote.token', sas: 'deid.remote.storageSas', connectionString: 'deid.remote.storageConnectionString' } as const;
type SecretName = keyof typeof SECRET;
const JOBS_KEY = 'deid.remoteJobs';

export interface RemoteJobRecord {
	name: string;
	endpoint: string;
	containerUrl: string;
	folder: string;
	out: string;
	status: DeidentificationJob['status'];
	createdAt: string;
}

interface RemoteSettings {
	endpoint: string;
	containerUrl: string;
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

/** Entra ID credentials through @azure/identity (loaded only when used). */
async function entraCredential(kind: RemoteSettings['credential']) {
	const id = await import('@azure/identity');
	if (kind === 'azureCli') return new id.AzureCliCredential();
	if (kind === 'interactive') return new id.InteractiveBrowserCredential({});
	return new id.DefaultAzureCredential();
}

async function clientFor(ctx: vscode.ExtensionContext, s: RemoteSettings): Promise<DeidClient | undefined> {
	if (!s.endpoint) {
		void vscode.window.showErrorMessage('Set deid.remote.endpoint (the service URL, or your deid serve server) first.', 'Open Settings').then((a) => a && vscode.commands.executeCommand('workbench.action.openSettings', 'deid.remote'));
		return undefined;
	}
	if (s.credential === 'token') {
		const t = await secret(ctx, 'token', 'Bearer token of the de-identification server (stored in SecretStorage)');
		if (!t) return undefined;
		return new DeidClient({ endpoint: s.endpoint, token: async () => t });
	}
	const cred = await entraCredential(s.credential);
	return new DeidClient({ endpoint: s.endpoint, token: async () => (await cred.getToken(DEID_SCOPE))?.token });
}

async function storageFor(ctx: vscode.ExtensionContext, s: RemoteSettings): Promise<StorageAccess | undefined> {
	if (!s.containerUrl) {
		void vscode.window.showErrorMessage('Set deid.remote.containerUrl (the Blob Storage container the service reads and writes) first.');
		return undefined;
	}
	if (s.storageAuth === 'connectionString') {
		const cs = await secret(ctx, 'connectionString', 'Storage account connection string (stored in SecretStorage)');
		return cs ? { containerUrl: s.containerUrl, connectionString: cs } : undefined;
	}
	if (s.storageAuth === 'sas') {
		const sas = await secret(ctx, 'sas', 'SAS token for the container (stored in SecretStorage)');
		return sas ? { containerUrl: s.containerUrl, sas } : undefined;
	}
	return { containerUrl: s.containerUrl, credential: await entraCredential(s.credential === 'token' ? 'default' : s.credential) };
}

function records(ctx: vscode.ExtensionContext): RemoteJobRecord[] {
	return ctx.workspaceState.get<RemoteJobRecord[]>(JOBS_KEY, []);
}
async function saveRecord(ctx: vscode.ExtensionContext, r: RemoteJobRecord): Promise<void> {
	const list = records(ctx).filter((x) => x.name !== r.name);
	await ctx.workspaceState.update(JOBS_KEY, [r, ...list].slice(0, 200));
}


/** Options for tests: `confirm: true` answers the confirmation dialog (the e2e suite cannot click a modal). */
export interface SubmitArgs {
	folder?: vscode.Uri;
	confirm?: boolean;
}

export async function submitRemoteJob(ctx: vscode.ExtensionContext, output: vscode.LogOutputChannel, arg?: vscode.Uri | SubmitArgs): Promise<SubmitReport | undefined> {
	const args: SubmitArgs = arg instanceof vscode.Uri ? { folder: arg } : (arg ?? {});
	let folder = args.folder;
	if (!folder) {
		const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Submit as Remote Job' });
		folder = picked?.[0];
	}
	if (!folder) return undefined;
	const s = settings(folder);
	const client = await clientFor(ctx, s);
	if (!client) return undefined;
	const storage = await storageFor(ctx, s);
	if (!storage) return undefined;
	const pre = await preflight(folder.fsPath);
	if (pre.refusal) {
		void vscode.window.showErrorMessage(`Cannot submit: ${pre.refusal}.`);
		return undefined;
	}
	if (pre.files.length === 0) {
		void vscode.window.showWarningMessage(`No plain-text documents (UTF-8, ≤ 2 MB) in ${basename(folder.fsPath)}; ${pre.skipped.length} files skipped.`);
		return undefined;
	}
	const endpointHost = new URL(s.endpoint).host;
	const storageHost = new URL(s.containerUrl).host;
	const detail =
		`${pre.files.length} documents (${(pre.bytes / 1048576).toFixed(2)} MB) will be uploaded to ${storageHost} and processed by ${endpointHost} ` +
		`(operation ${s.operation}). ${pre.skipped.length} files are skipped (not plain UTF-8 text, over 2 MB, or links). ` +
		`The documents leave this machine.${s.deleteInputs ? ' The uploaded inputs are deleted afterwards.' : ''}`;
	const ok = args.confirm === true ? 'Submit' : await vscode.window.showWarningMessage('Submit folder as a remote batch job?', { modal: true, detail }, 'Submit');
	if (ok !== 'Submit') return undefined;
	const out = join(dirname(folder.fsPath), `${basename(folder.fsPath)}-deid-remote`);
	output.info(`remote job: ${pre.files.length} documents, ${pre.bytes} bytes → ${endpointHost}`);
	try {
		const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Remote de-identification job', cancellable: true }, async (progress, token) => {
			const ac = new AbortController();
			token.onCancellationRequested(() => ac.abort());
			let last = 0;
			return submitFolder({
				folder: folder!.fsPath,
				out,
				client,
				storage,
				operation: s.operation === 'redact' ? 'Redact' : 'Surrogate',
				redactionFormat: s.operation === 'redact' ? vscode.workspace.getConfiguration('deid', folder).get<string>('redactionFormat') : undefined,
				surrogateLocale: vscode.workspace.getConfiguration('deid', folder).get<string>('surrogateLocale'),
				deleteInputs: s.deleteInputs,
				signal: ac.signal,
				preflight: pre,
				onJobCreated: (name) => {
					output.info(`remote job ${name} created`);
					void saveRecord(ctx, { name, endpoint: s.endpoint, containerUrl: s.containerUrl, folder: folder!.fsPath, out, status: 'NotStarted', createdAt: new Date().toISOString() });
				},
				onProgress: (p) => {
					const pct = p.total ? Math.round((p.done / p.total) * 100) : 0;
					const label = { upload: 'Uploading', process: 'Processing', download: 'Downloading' }[p.phase];
					progress.report({ message: `${label} ${p.done}/${p.total}`, increment: p.phase === 'process' ? Math.max(0, pct - last) : undefined });
					if (p.phase === 'process') last = pct;
				},
			});
		});
		await saveRecord(ctx, { name: report.jobName, endpoint: s.endpoint, containerUrl: s.containerUrl, folder: folder.fsPath, out, status: report.status, createdAt: new Date().toISOString() });
		await writeFile(join(out, 'deid-remote-report.json'), JSON.stringify({ job: report.jobName, endpoint: endpointHost, status: report.status, summary: report.summary, downloaded: report.downloaded.length, failed: report.failed, skipped: report.skipped }, null, 2)).catch(() => undefined);
		output.info(`remote job ${report.jobName}: ${report.status}, ${report.downloaded.length} downloaded, ${report.failed.length} failed`);
		const msg = `Remote job ${report.jobName}: ${report.status}. ${report.downloaded.length} documents in ${basename(out)}; ${report.failed.length} failed; ${report.skipped.length} skipped.`;
		if (report.failed.length) void vscode.window.showWarningMessage(msg, 'Show Output').then((a) => a && output.show());
		else void vscode.window.showInformationMessage(msg);
		return report;
	} catch (e) {
		output.error(`remote job failed: ${describeRemoteError(e)}`);
		void vscode.window.showErrorMessage(`Remote job: ${describeRemoteError(e)}.`);
		return undefined;
	}
}

export async function showRemoteJobs(ctx: vscode.ExtensionContext, output: vscode.LogOutputChannel): Promise<void> {
	const s = settings();
	const client = await clientFor(ctx, s);
	if (!client) return;
	const jobs: DeidentificationJob[] = [];
	try {
		for await (const j of client.listJobs({ maxpagesize: 50 })) {
			jobs.push(j);
			if (jobs.length >= 200) break;
		}
	} catch (e) {
		void vscode.window.showErrorMessage(`Listing remote jobs: ${describeRemoteError(e)}.`);
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
	const actions = [...(TERMINAL.has(pick.job.status) ? [] : ['Cancel']), ...(local.get(pick.job.name) && pick.job.status !== 'NotStarted' ? ['Download Outputs'] : []), 'Delete'];
	const action = await vscode.window.showQuickPick(actions, { placeHolder: pick.job.name });
	try {
		if (action === 'Cancel') {
			const j = await client.cancelJob(pick.job.name);
			void vscode.window.showInformationMessage(`Job ${j.name}: ${j.status}.`);
		} else if (action === 'Delete') {
			await client.deleteJob(pick.job.name);
			void vscode.window.showInformationMessage(`Job ${pick.job.name} deleted (its blobs are kept).`);
		} else if (action === 'Download Outputs') {
			const rec = local.get(pick.job.name)!;
			const storage = await storageFor(ctx, s);
			if (!storage) return;
			const got = await downloadJobOutputs(client, containerClient(storage), pick.job.name, rec.out);
			const n = got.downloaded.length;
			output.info(`remote job ${pick.job.name}: ${n} outputs downloaded`);
			void vscode.window.showInformationMessage(`${n} outputs of ${pick.job.name} downloaded to ${basename(rec.out)}.`);
		}
	} catch (e) {
		void vscode.window.showErrorMessage(`${action}: ${describeRemoteError(e)}.`);
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
