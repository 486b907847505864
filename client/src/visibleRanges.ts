import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { VisibleRangesNotification } from '../../server/src/protocol';
import { DOCUMENT_SELECTOR } from './client';

/** Scrolling fires many events: one report per document at most this often. */
const THROTTLE_MS = 50;

/**
 * Tells the server which lines each editor shows (when an editor opens or scrolls), so a large document's visible
 * part is scanned and published first.
 */
export function reportVisibleRanges(client: LanguageClient): vscode.Disposable {
	const pending = new Map<string, NodeJS.Timeout>();
	const send = (editor: vscode.TextEditor) => {
		const doc = editor.document;
		if (vscode.languages.match(DOCUMENT_SELECTOR, doc) === 0) return;
		const uri = doc.uri.toString();
		if (pending.has(uri)) return;
		pending.set(
			uri,
			setTimeout(() => {
				pending.delete(uri);
				// every editor of the document: split views show different parts
				const ranges = vscode.window.visibleTextEditors
					.filter((e) => e.document.uri.toString() === uri)
					.flatMap((e) => e.visibleRanges)
					.map((r) => client.code2ProtocolConverter.asRange(r));
				if (ranges.length && client.isRunning()) void client.sendNotification(VisibleRangesNotification, { uri, ranges });
			}, THROTTLE_MS),
		);
	};
	const subs = [
		vscode.window.onDidChangeTextEditorVisibleRanges((e) => send(e.textEditor)),
		vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach(send)),
		client.onDidChangeState((e) => e.newState === 2 /* Running */ && vscode.window.visibleTextEditors.forEach(send)),
	];
	vscode.window.visibleTextEditors.forEach(send);
	return {
		dispose: () => {
			subs.forEach((s) => s.dispose());
			pending.forEach((t) => clearTimeout(t));
		},
	};
}
