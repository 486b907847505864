import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DocumentEditRequest, type Operation } from '../../../server/src/protocol';

/** "Redact All PHI in This File": one undoable edit over every finding. */
export async function redactDocument(client: LanguageClient, operation: Exclude<Operation, 'tag'> = 'redact'): Promise<boolean> {
	const editor = vscode.window.activeTextEditor;
	if (!editor) {
		void vscode.window.showWarningMessage('Open a document to redact.');
		return false;
	}
	const edit = await client.sendRequest(DocumentEditRequest, { uri: editor.document.uri.toString(), operation });
	if (!edit) return false;
	const wsEdit = await client.protocol2CodeConverter.asWorkspaceEdit(edit);
	return vscode.workspace.applyEdit(wsEdit);
}
