import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import { DeidentifyFolderRequest, type DeidentifyFolderResult, type Operation } from '../../../server/src/protocol';
import { OUTPUTS_KEY } from './compareWithOriginal';
import { pickFolder } from '../folderPick';

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
	const candidates = setting
		? [path.isAbsolute(setting) ? setting : path.join(folder?.uri.fsPath ?? path.dirname(input), setting)]
		: folder
			? [path.join(folder.uri.fsPath, '.deid', 'policy.json')]
			: [];
	return candidates.find((c) => existsSync(c));
}

/** "De-identify Folder…": pick folder, operation and output; run in the server with cancellable progress. */
export async function deidentifyFolder(
	client: LanguageClient,
	state: vscode.Memento,
	arg?: vscode.Uri | FolderArgs,
): Promise<DeidentifyFolderResult | undefined> {
	const opts: FolderArgs = arg instanceof vscode.Uri ? { input: arg.fsPath } : (arg ?? {});
	let input = opts.input;
	if (!input) {
		input = await pickFolder({ title: 'De-identify Folder: input folder', openLabel: 'De-identify' });
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
				...(policy
					? [
							{
								label: 'Policy',
								description: `strategies per type from ${vscode.workspace.asRelativePath(policy)}`,
								op: 'redact' as Operation,
								policy,
							},
						]
					: []),
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
		output = opts.quiet
			? def
			: await vscode.window.showInputBox({
					title: 'De-identify Folder: output folder',
					value: def,
					prompt: 'Outputs mirror the input tree here; sources are never modified.',
				});
		if (!output) return undefined;
	}
	let result = await runJob(client, input, output, operation, policyPath);
	if (result.errorCode === 'outputExists' && !opts.quiet) {
		const choice = await vscode.window.showWarningMessage(
			`${result.error} Overwrite them?`,
			{ modal: true, detail: 'Files in the output folder with the same names as outputs are replaced; sources are never modified.' },
			'Overwrite',
		);
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
async function runJob(
	client: LanguageClient,
	input: string,
	output: string,
	operation: Operation,
	policyPath: string | undefined,
	force = false,
): Promise<DeidentifyFolderResult> {
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
				return await client.sendRequest(
					DeidentifyFolderRequest,
					{ input, output, operation, policyPath, force, workDoneToken: token, scopeUri: vscode.Uri.file(input).toString() },
					cancel,
				);
			} catch (err) {
				// A cancelled request may end as an error: the job itself stopped cleanly and can be resumed.
				if (cancel.isCancellationRequested)
					return { output, cancelled: true, files: 0, done: 0, skipped: 0, failed: 0, findings: 0, durationMs: 0, failures: [] };
				throw err;
			} finally {
				sub.dispose();
			}
		},
	);
}
