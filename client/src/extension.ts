import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Commands, StatusNotification, type StatusParams } from '../../server/src/protocol';
import { createClient } from './client';
import { addToAllowList, markSelectionAsPhi } from './commands/allowList';
import { deidentifyFolder } from './commands/deidentifyFolder';
import { redactDocument } from './commands/redactDocument';
import { compareWithOriginal, OUTPUTS_KEY } from './commands/compareWithOriginal';
import { StatusItem } from './status';
import { reportVisibleRanges } from './visibleRanges';
import { KeyStore } from './keys';
import { registerReviewUi, type ReviewApi } from './review';
import { remoteJobHandlers, setRemoteSecret, showRemoteJobs, submitRemoteJob, type SubmitArgs } from './commands/remoteJobs';

let client: LanguageClient | undefined;

/** What activate() returns: used by the end-to-end tests to wait on events instead of sleeping. */
export interface DeidApi {
	status(uri: vscode.Uri): StatusParams | undefined;
	onStatus: vscode.Event<StatusParams>;
	/** The PHI Findings view's data: a file's review, and an event when reviews change. */
	review: ReviewApi;
}

export async function activate(context: vscode.ExtensionContext): Promise<DeidApi> {
	const output = vscode.window.createOutputChannel('De-identification', { log: true });
	const status = new StatusItem();
	context.subscriptions.push(output, status);
	client = createClient(context, output);
	const c = client;
	const review = registerReviewUi(c, status);
	const keys = new KeyStore(context.secrets, c);
	context.subscriptions.push(
		c.onNotification(StatusNotification, (p) => status.update(p)),
		vscode.commands.registerCommand(Commands.deidentifyFolder, (arg?: vscode.Uri) => deidentifyFolder(c, context.workspaceState, arg)),
		vscode.commands.registerCommand(Commands.compareWithOriginal, async (arg?: vscode.Uri) =>
			compareWithOriginal(context.workspaceState, arg, await keys.sourceDigest()),
		),
		vscode.commands.registerCommand(Commands.redactDocument, (op?: 'redact' | 'surrogate') => redactDocument(c, op)),
		vscode.commands.registerCommand(Commands.markSelectionAsPhi, markSelectionAsPhi),
		vscode.commands.registerCommand(Commands.addToAllowList, addToAllowList),
		vscode.commands.registerCommand(Commands.restartServer, () => c.restart()),
		vscode.commands.registerCommand(Commands.showOutput, () => output.show()),
		vscode.commands.registerCommand(Commands.createKey, () => keys.create(true)),
		vscode.commands.registerCommand(Commands.importKey, (text?: string) => keys.import(text)),
		vscode.commands.registerCommand(Commands.exportKey, (target?: vscode.Uri) => keys.export(target)),
		vscode.commands.registerCommand(Commands.rotateKey, () => keys.rotate()),
		vscode.commands.registerCommand(Commands.showKeyFingerprint, () => keys.showFingerprint()),
		...remoteJobHandlers(c, output),
		...review.disposables,
		vscode.commands.registerCommand(Commands.submitRemoteJob, (arg?: vscode.Uri | SubmitArgs) => submitRemoteJob(c, context, output, arg)),
		vscode.commands.registerCommand(Commands.showRemoteJobs, () => showRemoteJobs(c, context, output)),
		vscode.commands.registerCommand(Commands.verifyOutput, (arg?: vscode.Uri | { output?: string; quiet?: boolean }) =>
			import('./commands/verifyOutput').then((m) => m.verifyOutput(c, context.workspaceState, arg)),
		),
		vscode.commands.registerCommand(Commands.setRemoteSecret, (name?: 'token' | 'sas' | 'connectionString', value?: string) =>
			setRemoteSecret(context, name, value),
		),
	);
	await c.start();
	context.subscriptions.push(reportVisibleRanges(c));
	const outputs = () => ({
		roots: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
		remembered: Object.values(context.workspaceState.get<Record<string, string>>(OUTPUTS_KEY, {})),
	});
	await keys.sync(outputs());
	context.subscriptions.push(c.onDidChangeState((e) => e.newState === 2 /* Running */ && void keys.sync(outputs())));
	return { status: (uri) => status.get(uri.toString()), onStatus: status.onDidChange, review: review.api };
}

export async function deactivate(): Promise<void> {
	await client?.stop();
}
