// Files a folder job wrote (listed in a `deid-manifest.json` of an ancestor folder) and its reports are
// de-identified output: the editor shows their findings as de-identified and reports only likely leaks.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export type OutputKind = 'output' | 'report';

const MANIFEST = 'deid-manifest.json';
const REPORTS = new Set(['deid-report.md', 'deid-report.json']);
/** Ancestors looked at: a job's output is rarely nested deeper below its manifest. */
const MAX_DEPTH = 16;

const manifests = new Map<string, { mtimeMs: number; size: number; files: Set<string> | undefined }>();

/** The output paths a manifest lists (relative, with `/`), or undefined when it is not this tool's manifest. */
function listed(path: string): Set<string> | undefined {
	let st;
	try {
		st = statSync(path);
	} catch {
		return undefined;
	}
	if (!st.isFile()) return undefined;
	const hit = manifests.get(path);
	if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.files;
	let files: Set<string> | undefined;
	try {
		const m = JSON.parse(readFileSync(path, 'utf8')) as { tool?: unknown; files?: unknown };
		if (m.tool === 'vscode-deid' && Array.isArray(m.files)) {
			files = new Set();
			for (const f of m.files) if (f && typeof (f as { path?: unknown }).path === 'string') files.add((f as { path: string }).path.replace(/\\/g, '/'));
		}
	} catch {
		files = undefined; // unreadable or not JSON: not a manifest to trust
	}
	if (manifests.size > 32) manifests.clear();
	manifests.set(path, { mtimeMs: st.mtimeMs, size: st.size, files });
	return files;
}

/** Whether a document is a folder job's output or report (file URIs only). */
export function outputKind(uri: string): OutputKind | undefined {
	if (!uri.startsWith('file:')) return undefined;
	let file: string;
	try {
		file = fileURLToPath(uri);
	} catch {
		return undefined;
	}
	if (REPORTS.has(basename(file)) && listed(join(dirname(file), MANIFEST))) return 'report';
	let dir = dirname(file);
	for (let i = 0; i < MAX_DEPTH; i++) {
		const files = listed(join(dir, MANIFEST));
		if (files?.has(relative(dir, file).split(sep).join('/'))) return 'output';
		const up = dirname(dir);
		if (up === dir) break;
		dir = up;
	}
	return undefined;
}
