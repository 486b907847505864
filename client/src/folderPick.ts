import * as path from 'node:path';
import * as vscode from 'vscode';

interface FolderItem extends vscode.QuickPickItem {
	folder?: string;
}

/** Folders one Enter can pick: the active file's folder, the workspace folders and their subfolders; "Browse…" for any other. */
async function candidateFolders(includeOutputs: boolean, extra: { folder: string; description: string }[]): Promise<FolderItem[]> {
	const seen = new Set<string>();
	const items: FolderItem[] = [];
	const add = (folder: string, description: string, label?: string): void => {
		if (seen.has(folder)) return;
		seen.add(folder);
		const relative = vscode.workspace.asRelativePath(folder, true);
		items.push({ label: label ?? (relative && relative !== folder ? relative : path.basename(folder)), description, folder });
	};
	for (const e of extra) add(e.folder, e.description);
	const active = vscode.window.activeTextEditor?.document.uri;
	if (active?.scheme === 'file') add(path.dirname(active.fsPath), "the active file's folder");
	for (const wf of vscode.workspace.workspaceFolders ?? []) {
		add(wf.uri.fsPath, 'workspace folder', wf.name);
		const entries = await vscode.workspace.fs.readDirectory(wf.uri).then((e) => e, () => [] as [string, vscode.FileType][]);
		// Dot folders hold settings and reviews; "-deid" folders are outputs of earlier runs.
		const subfolders = entries.filter(
			([name, kind]) =>
				kind === vscode.FileType.Directory && !name.startsWith('.') && (includeOutputs || !name.endsWith('-deid')) && name !== 'node_modules',
		);
		for (const [name] of subfolders.sort(([a], [b]) => a.localeCompare(b)).slice(0, 200)) add(path.join(wf.uri.fsPath, name), '');
	}
	return items;
}

/**
 * A folder in one QuickPick (one Enter) instead of the file dialog, which in a browser first navigates into the
 * folder typed; "Browse…" opens the dialog for any other folder.
 */
export async function pickFolder(opts: {
	title: string;
	openLabel: string;
	includeOutputs?: boolean;
	extra?: { folder: string; description: string }[];
}): Promise<string | undefined> {
	const browse: FolderItem = { label: '$(folder-opened) Browse…', description: 'any other folder' };
	const items = [...(await candidateFolders(!!opts.includeOutputs, opts.extra ?? [])), browse];
	const pick =
		items.length > 1
			? await vscode.window.showQuickPick(items, { title: opts.title, placeHolder: 'Type to filter', matchOnDescription: true })
			: browse;
	if (!pick) return undefined;
	if (pick.folder) return pick.folder;
	const picked = await vscode.window.showOpenDialog({
		canSelectFolders: true,
		canSelectFiles: false,
		openLabel: opts.openLabel,
		defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
	});
	return picked?.[0]?.fsPath;
}

