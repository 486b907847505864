import * as vscode from 'vscode';
import { ENTITY_TYPES, type AllowListScope, type EntityType } from '../../../server/src/protocol';

function target(scope: AllowListScope): vscode.ConfigurationTarget {
	return scope === 'folder'
		? vscode.ConfigurationTarget.WorkspaceFolder
		: scope === 'workspace'
			? vscode.ConfigurationTarget.Workspace
			: vscode.ConfigurationTarget.Global;
}

function scopeValue<T>(info: { globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T } | undefined, scope: AllowListScope): T | undefined {
	return scope === 'folder' ? info?.workspaceFolderValue : scope === 'workspace' ? info?.workspaceValue : info?.globalValue;
}

/** Best scope available: a folder needs a workspace folder, a workspace needs an open workspace. */
function effectiveScope(scope: AllowListScope, uri: vscode.Uri | undefined): AllowListScope {
	if (scope === 'folder' && !(uri && vscode.workspace.getWorkspaceFolder(uri))) scope = 'workspace';
	if (scope === 'workspace' && !vscode.workspace.workspaceFolders?.length) scope = 'user';
	return scope;
}

/** Add a value to `deid.allowList` at a scope (the server revalidates on the settings change). */
export async function addToAllowList(value: string, scope: AllowListScope, uriString?: string): Promise<void> {
	const uri = uriString ? vscode.Uri.parse(uriString) : undefined;
	const s = effectiveScope(scope, uri);
	const config = vscode.workspace.getConfiguration('deid', uri);
	const current = scopeValue(config.inspect<string[]>('allowList'), s) ?? [];
	if (current.some((v) => v.toLowerCase() === value.toLowerCase())) return;
	await config.update('allowList', [...current, value], target(s));
}

/** "Mark Selection as PHI…": choose a type, add the selected text to `deid.denyList`. */
export async function markSelectionAsPhi(
	uriString?: string,
	range?: { start: { line: number; character: number }; end: { line: number; character: number } },
	preset?: { type: EntityType; scope: AllowListScope },
): Promise<boolean> {
	const editor = vscode.window.activeTextEditor;
	const doc = uriString ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uriString) : editor?.document;
	if (!doc) return false;
	const sel = range ? new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character) : editor?.selection;
	if (!sel || sel.isEmpty) {
		void vscode.window.showWarningMessage('Select the text to mark as PHI first.');
		return false;
	}
	const text = doc.getText(sel).trim();
	if (!text) return false;
	let type = preset?.type;
	if (!type) {
		const pick = await vscode.window.showQuickPick([...ENTITY_TYPES], { title: 'Mark selection as PHI: type' });
		if (!pick) return false;
		type = pick as EntityType;
	}
	let scope = preset?.scope;
	if (!scope) {
		const pick = await vscode.window.showQuickPick(
			[
				{ label: 'This folder', scope: 'folder' as AllowListScope },
				{ label: 'This workspace', scope: 'workspace' as AllowListScope },
				{ label: 'User settings', scope: 'user' as AllowListScope },
			],
			{ title: 'Mark selection as PHI: where to remember it' },
		);
		if (!pick) return false;
		scope = pick.scope;
	}
	const s = effectiveScope(scope, doc.uri);
	const config = vscode.workspace.getConfiguration('deid', doc.uri);
	const current = scopeValue(config.inspect<{ text: string; type: string }[]>('denyList'), s) ?? [];
	if (!current.some((v) => v.text.toLowerCase() === text.toLowerCase() && v.type === type)) {
		await config.update('denyList', [...current, { text, type }], target(s));
	}
	return true;
}
