import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ReviewExportRequest, type ReviewExportResult } from '../../../server/src/protocol';

interface ExportArgs {
	folder?: string;
	out?: string;
	format?: 'brat' | 'json';
	/** No questions and no message (tests and scripted use). */
	quiet?: boolean;
}

/**
 * "Export Review as Annotations…": the reviewed files of a workspace folder, with their findings after the
 * decisions, as a test set that `deid evaluate` scores the engine on (brat or our JSON).
 */
export async function exportReviewAsAnnotations(client: LanguageClient, args: ExportArgs = {}): Promise<ReviewExportResult | undefined> {
	const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
	let folder = args.folder;
	if (!folder) {
		if (!folders.length) {
			void vscode.window.showWarningMessage('Export Review as Annotations: open the reviewed folder as a workspace folder first.');
			return undefined;
		}
		folder =
			folders.length === 1
				? folders[0].uri.fsPath
				: (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'The folder whose review to export' }))?.uri.fsPath;
		if (!folder) return undefined;
	}
	let format = args.format;
	if (!format) {
		const pick = await vscode.window.showQuickPick(
			[
				{ label: 'brat standoff (.ann)', description: 'for brat, MEDDOCAN-style tools and deid evaluate', format: 'brat' as const },
				{ label: 'deid JSON (.deid.json)', description: 'types and offsets, for deid evaluate', format: 'json' as const },
			],
			{ title: 'Export Review as Annotations: format' },
		);
		if (!pick) return undefined;
		format = pick.format;
	}
	let out = args.out;
	if (!out) {
		out = await vscode.window.showInputBox({
			title: 'Export Review as Annotations: output folder',
			value: path.join(path.dirname(folder), `${path.basename(folder)}-annotations`),
			prompt: 'The reviewed notes (with their PHI) and annotations are written here: keep it where the notes may be.',
		});
		if (!out) return undefined;
	}
	const result = await vscode.window.withProgress(
		{ location: vscode.ProgressLocation.Notification, title: 'Exporting the review', cancellable: true },
		(_progress, cancel) => client.sendRequest(ReviewExportRequest, { folder: folder!, out: out!, format: format! }, cancel),
	);
	if (args.quiet) return result;
	if (result.error) void vscode.window.showErrorMessage(`Export Review as Annotations: ${result.error}`);
	else
		void vscode.window.showInformationMessage(
			`Exported ${result.files.toLocaleString()} reviewed file(s) with ${result.spans.toLocaleString()} annotation(s); ${result.skipped.length.toLocaleString()} file(s) left out (not reviewed, NDJSON or unreadable). Score the detector on them with: deid evaluate "${out}"`,
		);
	return result;
}
