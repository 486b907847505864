import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Where folder jobs wrote their outputs: input root → output root (remembered per workspace). */
export const OUTPUTS_KEY = 'deid.outputs';

interface Pair {
	original: vscode.Uri;
	deidentified: vscode.Uri;
}

function manifestInput(outputRoot: string): string | undefined {
	try {
		const m = JSON.parse(readFileSync(path.join(outputRoot, 'deid-manifest.json'), 'utf8'));
		return typeof m.input === 'string' ? m.input : undefined;
	} catch {
		return undefined;
	}
}

/** Find the counterpart of a file: an output file's source (from the manifest) or a source file's output. */
export function counterpart(file: string, remembered: Record<string, string>): Pair | undefined {
	// An output: walk up to the folder holding deid-manifest.json
	for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const input = manifestInput(dir);
		if (input) {
			const source = path.join(input, path.relative(dir, file));
			if (existsSync(source)) return { original: vscode.Uri.file(source), deidentified: vscode.Uri.file(file) };
			break;
		}
	}
	// A source: a remembered output root, or the default sibling "<folder>-deid"
	for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
		for (const out of [remembered[dir], `${dir}-deid`]) {
			if (!out || manifestInput(out) !== dir) continue;
			const target = path.join(out, path.relative(dir, file));
			if (existsSync(target)) return { original: vscode.Uri.file(file), deidentified: vscode.Uri.file(target) };
		}
	}
	return undefined;
}

/** "Compare with Original": VS Code's diff editor between a source file and its de-identified output. */
export async function compareWithOriginal(state: vscode.Memento, arg?: vscode.Uri): Promise<Pair | undefined> {
	let uri = arg ?? vscode.window.activeTextEditor?.document.uri;
	if (!uri || uri.scheme !== 'file') {
		void vscode.window.showWarningMessage('Open or select a source file or a de-identified file to compare.');
		return undefined;
	}
	// From the report: choose one of the files it lists.
	if (/deid-report\.(md|json)$/.test(uri.fsPath)) {
		const root = path.dirname(uri.fsPath);
		const report = JSON.parse(readFileSync(path.join(root, 'deid-report.json'), 'utf8')) as { files: { path: string; status: string }[] };
		const pick = await vscode.window.showQuickPick(report.files.filter((f) => f.status === 'done').map((f) => f.path), { title: 'Compare with Original: file' });
		if (!pick) return undefined;
		uri = vscode.Uri.file(path.join(root, pick));
	}
	const pair = counterpart(uri.fsPath, state.get<Record<string, string>>(OUTPUTS_KEY, {}));
	if (!pair) {
		void vscode.window.showWarningMessage('No de-identified counterpart found. Run "De-identify Folder…" first.');
		return undefined;
	}
	await vscode.commands.executeCommand('vscode.diff', pair.original, pair.deidentified, `${path.basename(pair.original.fsPath)} (original ↔ de-identified)`);
	return pair;
}
