import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import { DeidentifyFolderRequest, type DeidentifyFolderResult, type Operation } from '../../../server/src/protocol';
import { OUTPUTS_KEY } from './compareWithOriginal';

interface FolderArgs {
	input?: string;
	output?: string;
	operation?: Operation;
	policyPath?: string;
	/** Skip questions (tests and scripted use). */
	quiet?: boolean;
}

/** The policy file for a folder: `deid.policyFile` (absolute or relative to the workspace folder) or `.deid/policy.json`. */
function findPolicy(input: string): string | undefined {
	const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(input));
	const setting = vscode.workspace.getConfiguration('deid', vscode.Uri.file(input)).get<string>('policyFile', '');
	const candidates = setting ? [path.isAbsolute(setting) ? setting : path.join(folder?.uri.fsPath ?? path.dirname(input), setting)] : folder ? [path.join(folder.uri.fsPath, '.deid', 'policy.json')] : [];
	return candidates.find((c) => existsSync(c));
}

interface FolderItem extends vscode.QuickPickItem {
	folder?: string;
}

/** Folders one Enter can pick: the active file's folder, the workspace folders and their subfolders; "Browse…" for any other. */
async function candidateFolders(): Promise<FolderItem[]> {
	const seen = new Set<string>();
	const items: FolderItem[] = [];
	const add = (folder: string, description: string, label?: string): void => {
		if (seen.has(folder)) return;
		seen.add(folder);
		const relative = vscode.workspace.asRelativePath(folder, true);
		items.push({ label: label ?? (relative && relative !== folder ? relative : path.basename(folder)), description, folder });
	};
	const active = vscode.window.activeTextEditor?.document.uri;
	if (active?.scheme === 'file') add(path.dirname(active.fsPath), "the active file's folder");
	for (const wf of vscode.workspace.workspaceFolders ?? []) {
		add(wf.uri.fsPath, 'workspace folder', wf.name);
		const entries = await vscode.workspace.fs.readDirectory(wf.uri).then((e) => e, () => [] as [string, vscode.FileType][]);
		// Dot folders hold settings and reviews; "-deid" folders are outputs of earlier runs.
		const subfolders = entries.filter(([name, kind]) => kind === vscode.FileType.Directory && !name.startsWith('.') && !name.endsWith('-deid') && name !== 'node_modules');
		for (const [name] of subfolders.sort(([a], [b]) => a.localeCompare(b)).slice(0, 200)) add(path.join(wf.uri.fsPath, name), '');
	}
	return items;
}

/** One QuickPick (one Enter) instead of the file dialog, which in a browser first navigates into the folder typed. */
async function pickInputFolder(): Promise<string | undefined> {
	const browse: FolderItem = { label: '$(folder-opened) Browse…', description: 'any other folder' };
	const items = [...(await candidateFolders()), browse];
	const pick = items.length > 1 ? await vscode.window.showQuickPick(items, { title: 'De-identify Folder: input folder', placeHolder: 'Type to filter; sources are never modified', matchOnDescription: true }) : browse;
	if (!pick) return undefined;
	if (pick.folder) return pick.folder;
	const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'De-identify', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
	return picked?.[0]?.fsPath;
}

/** "De-identify Folder…": pick folder, operation and output; run in the server with cancellable progress. */
export async function deidentifyFolder(client: LanguageClient, state: vscode.Memento, arg?: vscode.Uri | FolderArgs): Promise<DeidentifyFolderResult | undefined> {
	const opts: FolderArgs = arg instanceof vscode.Uri ? { input: arg.fsPath } : (arg ?? {});
	let input = opts.input;
	if (!input) {
		input = await pickInputFolder();
		if (!input) return undefined;
	}
	let operation = opts.operation;
	let policyPath = opts.policyPath;
	if (!operation) {
		const policy = findPolicy(input);
		const pick = await vscode.window.showQuickPick(
			[
				{ label: 'Redact', description: 'replace PHI with its type, e.g. [PATIENT]', op: 'redact' as Operation },
				{ label: 'Surrogate', description: 'replace PHI with realistic, consistent fake values', op: 'surrogate' as Operation },
				{ label: 'Tag only', description: 'copy files unchanged; the report lists findings', op: 'tag' as Operation },
				...(policy ? [{ label: 'Policy', description: `strategies per type from ${vscode.workspace.asRelativePath(policy)}`, op: 'redact' as Operation, policy }] : []),
			],
			{ title: 'De-identify Folder: operation' },
		);
		if (!pick) return undefined;
		operation = pick.op;
		if ('policy' in pick) policyPath = pick.policy;
	}
	let output = opts.output;
	if (!output) {
		const def = path.join(path.dirname(input), `${path.basename(input)}-deid`);
		output = opts.quiet ? def : await vscode.window.showInputBox({ title: 'De-identify Folder: output folder', value: def, prompt: 'Outputs mirror the input tree here; sources are never modified.' });
		if (!output) return undefined;
	}
	let result = await runJob(client, input, output, operation, policyPath);
	if (result.errorCode === 'outputExists' && !opts.quiet) {
		const choice = await vscode.window.showWarningMessage(`${result.error} Overwrite them?`, { modal: true, detail: 'Files in the output folder with the same names as outputs are replaced; sources are never modified.' }, 'Overwrite');
		if (choice !== 'Overwrite') return result;
		result = await runJob(client, input, output, operation, policyPath, true);
	}
	if (result.error) {
		void vscode.window.showErrorMessage(`De-identify Folder: ${result.error}`);
		return result;
	}
	await state.update(OUTPUTS_KEY, { ...state.get<Record<string, string>>(OUTPUTS_KEY, {}), [path.resolve(input)]: path.resolve(output) });
	const summary = result.cancelled
		? 'De-identify Folder was cancelled; finished files are kept. Run it again with the same output folder to resume.'
		: `De-identified ${result.done.toLocaleString()} of ${result.files.toLocaleString()} files (${result.findings.toLocaleString()} findings, ${result.failed.toLocaleString()} failed, ${result.skipped.toLocaleString()} skipped).${result.notices?.length ? ' ' + result.notices.join(' ') : ''}`;
	if (!opts.quiet) {
		const choice = await vscode.window.showInformationMessage(summary, ...(result.reportPath ? ['Open Report'] : []));
		if (choice === 'Open Report' && result.reportPath) {
			await vscode.window.showTextDocument(vscode.Uri.file(result.reportPath.replace(/\.json$/, '.md')));
		}
	} else void vscode.window.showInformationMessage(summary);
	return result;
}

/** The job in the server, with a cancellable progress notification. */
async function runJob(client: LanguageClient, input: string, output: string, operation: Operation, policyPath: string | undefined, force = false): Promise<DeidentifyFolderResult> {
	const token = `deid-folder-${Date.now()}`;
	return vscode.window.withProgress(
		{ location: vscode.ProgressLocation.Notification, title: 'De-identifying', cancellable: true },
		async (progress, cancel) => {
			let last = 0;
			const sub = client.onProgress(WorkDoneProgress.type, token, (v) => {
				if (v.kind === 'report' || v.kind === 'begin') {
					const pct = v.percentage ?? 0;
					progress.report({ message: v.message, increment: Math.max(0, pct - last) });
					last = Math.max(last, pct);
				}
			});
			try {
				return await client.sendRequest(DeidentifyFolderRequest, { input, output, operation, policyPath, force, workDoneToken: token, scopeUri: vscode.Uri.file(input).toString() }, cancel);
			} catch (err) {
				// A cancelled request may end as an error: the job itself stopped cleanly and can be resumed.
				if (cancel.isCancellationRequested) return { output, cancelled: true, files: 0, done: 0, skipped: 0, failed: 0, findings: 0, durationMs: 0, failures: [] };
				throw err;
			} finally {
				sub.dispose();
			}
		},
	);
}
