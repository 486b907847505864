// Files a folder job wrote (listed in a `deid-manifest.json` of an ancestor folder) and its reports are
// de-identified output: the editor shows their findings as de-identified and reports only likely leaks.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export type OutputKind = 'output' | 'report';

const MANIFEST = 'deid-manifest.json';
const REPORTS = new Set(['deid-report.md', 'deid-report.json']);
/** Ancestors looked at: a job's output is rarely nested deeper below its manifest. */
const MAX_DEPTH = 16;

const manifests = new Map<string, { mtimeMs: number; size: number; files: Map<string, string | undefined> | undefined }>();

/** The output paths a manifest lists (relative, with `/`) with their SHA-256, or undefined when it is not this tool's manifest. */
function listed(path: string): Map<string, string | undefined> | undefined {
	let st;
	try {
		st = statSync(path);
	} catch {
		return undefined;
	}
	if (!st.isFile()) return undefined;
	const hit = manifests.get(path);
	if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.files;
	let files: Map<string, string | undefined> | undefined;
	try {
		const m = JSON.parse(readFileSync(path, 'utf8')) as { tool?: unknown; files?: unknown };
		if (m.tool === 'vscode-deid' && Array.isArray(m.files)) {
			files = new Map();
			for (const f of m.files as { path?: unknown; outputHash?: unknown }[]) {
				if (f && typeof f.path === 'string') files.set(f.path.replace(/\\/g, '/'), typeof f.outputHash === 'string' ? f.outputHash : undefined);
			}
		}
	} catch {
		files = undefined; // unreadable or not JSON: not a manifest to trust
	}
	if (manifests.size > 32) manifests.clear();
	manifests.set(path, { mtimeMs: st.mtimeMs, size: st.size, files });
	return files;
}

export interface OutputInfo {
	kind: OutputKind;
	/** SHA-256 of the output as the job wrote it (outputs only). */
	outputHash?: string;
}

/**
 * A job output whose text is still exactly what the job wrote (SHA-256 as in its manifest): every finding in it
 * is the job's own replacement, so none is a leak (the verify pass looks for those with a lower threshold).
 */
export function unchangedOutput(o: OutputInfo | undefined, text: string): boolean {
	return o?.kind === 'output' && !!o.outputHash && createHash('sha256').update(text, 'utf8').digest('hex') === o.outputHash;
}

/** Looked up at most once per LOOKUP_MS per document: validation runs on every keystroke, the answer rarely changes. */
const LOOKUP_MS = 2000;
const looked = new Map<string, { at: number; info: OutputInfo | undefined }>();

/** Whether a document is a folder job's output or report (file URIs only). */
export function outputOf(uri: string, now = Date.now()): OutputInfo | undefined {
	const hit = looked.get(uri);
	if (hit && now - hit.at < LOOKUP_MS) return hit.info;
	const info = lookUp(uri);
	if (looked.size > 256) looked.clear();
	looked.set(uri, { at: now, info });
	return info;
}

function lookUp(uri: string): OutputInfo | undefined {
	if (!uri.startsWith('file:')) return undefined;
	let file: string;
	try {
		file = fileURLToPath(uri);
	} catch {
		return undefined;
	}
	if (REPORTS.has(basename(file)) && listed(join(dirname(file), MANIFEST))) return { kind: 'report' };
	let dir = dirname(file);
	for (let i = 0; i < MAX_DEPTH; i++) {
		const files = listed(join(dir, MANIFEST));
		const rel = relative(dir, file).split(sep).join('/');
		if (files?.has(rel)) return { kind: 'output', outputHash: files.get(rel) };
		const up = dirname(dir);
		if (up === dir) break;
		dir = up;
	}
	return undefined;
}
