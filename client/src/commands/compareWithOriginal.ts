import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Where folder jobs wrote their outputs: input root → output root (remembered per workspace). */
export const OUTPUTS_KEY = 'deid.outputs';

interface Pair {
	original: vscode.Uri;
	deidentified: vscode.Uri;
}

/** The manifest's records (output path → keyed digest of its source's path), if `outputRoot` holds a manifest. */
function manifestSources(outputRoot: string): Map<string, string> | undefined {
	try {
		const m = JSON.parse(readFileSync(path.join(outputRoot, 'deid-manifest.json'), 'utf8')) as {
			tool?: string;
			files?: { path: string; source?: string }[];
		};
		if (m.tool !== 'vscode-deid' || !Array.isArray(m.files)) return undefined;
		return new Map(m.files.filter((f) => typeof f.source === 'string').map((f) => [f.path, f.source!]));
	} catch {
		return undefined;
	}
}

const inside = (file: string, root: string) => {
	const rel = path.relative(root, file);
	return !!rel && !rel.startsWith('..') && !path.isAbsolute(rel);
};
const posix = (rel: string) => rel.split(path.sep).join('/');

function* filesUnder(dir: string, depth = 0): Generator<string> {
	if (depth > 32) return;
	let entries;
	try {
		entries = readdirSync(dir, { withFileTypes: true });
	} catch {
		return;
	}
	for (const e of entries) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) yield* filesUnder(p, depth + 1);
		else if (e.isFile()) yield p;
	}
}

/**
 * Find the counterpart of a file, from the input → output roots folder jobs were run with. Output names can
 * differ from their sources' (names with PHI are de-identified), so files are paired by the manifest's keyed
 * digest of each source's path (`digest`, under the surrogate key), or by the same relative path.
 */
export function counterpart(file: string, remembered: Record<string, string>, digest?: (rel: string) => string): Pair | undefined {
	// the roots folder jobs were run with, then the default sibling "<folder>-deid" of each enclosing folder
	const roots: [string, string][] = Object.entries(remembered);
	for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
		roots.push([dir, `${dir}-deid`]);
		if (dir.endsWith('-deid')) roots.push([dir.slice(0, -5), dir]);
	}
	for (const [input, output] of roots) {
		const sources = manifestSources(output);
		if (!sources) continue;
		if (inside(file, output)) {
			const rel = posix(path.relative(output, file));
			const want = sources.get(rel);
			if (want && digest) {
				for (const src of filesUnder(input))
					if (digest(posix(path.relative(input, src))) === want)
						return { original: vscode.Uri.file(src), deidentified: vscode.Uri.file(file) };
			}
			const same = path.join(input, rel);
			if (existsSync(same)) return { original: vscode.Uri.file(same), deidentified: vscode.Uri.file(file) };
		} else if (inside(file, input)) {
			const rel = posix(path.relative(input, file));
			const d = digest?.(rel);
			for (const [outRel, src] of sources)
				if (d && src === d) return { original: vscode.Uri.file(file), deidentified: vscode.Uri.file(path.join(output, outRel)) };
			const same = path.join(output, rel);
			if (existsSync(same)) return { original: vscode.Uri.file(file), deidentified: vscode.Uri.file(same) };
		}
	}
	return undefined;
}

/** "Compare with Original": VS Code's diff editor between a source file and its de-identified output. */
export async function compareWithOriginal(state: vscode.Memento, arg?: vscode.Uri, digest?: (rel: string) => string): Promise<Pair | undefined> {
	let uri = arg ?? vscode.window.activeTextEditor?.document.uri;
	if (!uri || uri.scheme !== 'file') {
		void vscode.window.showWarningMessage('Open or select a source file or a de-identified file to compare.');
		return undefined;
	}
	// From the report: choose one of the files it lists.
	if (/deid-report\.(md|json)$/.test(uri.fsPath)) {
		const root = path.dirname(uri.fsPath);
		const report = JSON.parse(readFileSync(path.join(root, 'deid-report.json'), 'utf8')) as { files: { path: string; status: string }[] };
		const pick = await vscode.window.showQuickPick(
			report.files.filter((f) => f.status === 'done').map((f) => f.path),
			{ title: 'Compare with Original: file' },
		);
		if (!pick) return undefined;
		uri = vscode.Uri.file(path.join(root, pick));
	}
	const pair = counterpart(uri.fsPath, state.get<Record<string, string>>(OUTPUTS_KEY, {}), digest);
	if (!pair) {
		void vscode.window.showWarningMessage('No de-identified counterpart found. Run "De-identify Folder…" first.');
		return undefined;
	}
	await vscode.commands.executeCommand('vscode.diff', pair.original, pair.deidentified, `${path.basename(pair.original.fsPath)} (original ↔ de-identified)`);
	return pair;
}
