// "Verify De-identified Output Folder…": the server checks a folder job's output again (deid/verifyOutput) and
// the suspects open in a QuickPick that reveals each range. The result is returned (and announced through
// onVerified) so a findings view can show the same suspects.
import * as vscode from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import { pickFolder } from '../folderPick';
import { OUTPUTS_KEY } from './compareWithOriginal';
import { VerifyOutputRequest, type VerifyOutputResult, type VerifySuspect } from '../../../server/src/protocol';

interface VerifyArgs {
	output?: string;
	/** No QuickPick (tests and scripted use). */
	quiet?: boolean;
}

const verified = new vscode.EventEmitter<{ output: string; result: VerifyOutputResult }>();
/** Fires after each verify run with its result (suspects by file URI, type and range; never text). */
export const onVerified = verified.event;

export async function verifyOutput(client: LanguageClient, state: vscode.Memento, arg?: vscode.Uri | VerifyArgs): Promise<VerifyOutputResult | undefined> {
	const opts: VerifyArgs = arg instanceof vscode.Uri ? { output: arg.fsPath } : (arg ?? {});
	let output = opts.output;
	if (!output) {
		// outputs of this workspace's folder jobs first
		const extra = Object.values(state.get<Record<string, string>>(OUTPUTS_KEY, {})).map((folder) => ({
			folder,
			description: 'output of De-identify Folder',
		}));
		output = await pickFolder({ title: 'Verify De-identified Output Folder', openLabel: 'Verify', includeOutputs: true, extra });
		if (!output) return undefined;
	}
	const result = await run(client, output);
	verified.fire({ output, result });
	if (opts.quiet) return result;
	if (result.error) {
		void vscode.window.showErrorMessage(`Verify: ${result.error}`);
		return result;
	}
	if (result.suspects === 0) {
		void vscode.window.showInformationMessage(`Verify: no residual suspects in ${result.files} output file(s)${result.cancelled ? ' (cancelled)' : ''}.`);
		return result;
	}
	await pickSuspect(result);
	return result;
}

async function run(client: LanguageClient, output: string): Promise<VerifyOutputResult> {
	const token = `deid-verify-${Date.now()}`;
	return vscode.window.withProgress(
		{ location: vscode.ProgressLocation.Notification, title: 'Verifying output', cancellable: true },
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
					VerifyOutputRequest,
					{ output, workDoneToken: token, scopeUri: vscode.Uri.file(output).toString() },
					cancel,
				);
			} catch (err) {
				if (cancel.isCancellationRequested) return { files: 0, suspects: 0, byFile: [], cancelled: true };
				throw err;
			} finally {
				sub.dispose();
			}
		},
	);
}

const REASON: Record<VerifySuspect['reason'], string> = { detector: 'found by the sensitive pass', replaced: 'a value the job replaced is still present' };

async function pickSuspect(result: VerifyOutputResult): Promise<void> {
	const items = result.byFile.flatMap((f) =>
		f.suspects.map((s) => ({
			label: `${vscode.workspace.asRelativePath(vscode.Uri.parse(f.uri))}:${s.range.start.line + 1}:${s.range.start.character + 1}`,
			description: `${s.type} (${s.confidence.toFixed(2)})`,
			detail: REASON[s.reason],
			uri: f.uri,
			range: s.range,
		})),
	);
	const reveal = async (item: (typeof items)[number]) => {
		const range = new vscode.Range(item.range.start.line, item.range.start.character, item.range.end.line, item.range.end.character);
		const editor = await vscode.window.showTextDocument(vscode.Uri.parse(item.uri), { selection: range, preview: true, preserveFocus: true });
		editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
	};
	const qp = vscode.window.createQuickPick<(typeof items)[number]>();
	qp.title = `Verify: ${result.suspects} residual suspect(s) in ${result.byFile.length} of ${result.files} file(s)`;
	qp.items = items;
	qp.matchOnDescription = true;
	qp.onDidChangeActive((a) => a[0] && void reveal(a[0]));
	qp.onDidAccept(() => {
		const a = qp.activeItems[0];
		if (a) void reveal(a);
		qp.hide();
	});
	await new Promise<void>((resolve) => {
		qp.onDidHide(() => {
			qp.dispose();
			resolve();
		});
		qp.show();
	});
}
