import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Folder-job outputs near a workspace, grouped by the fingerprint of the key they were made with: the remembered
 * output roots, and every folder (two levels down) holding a deid-manifest.json of ours. No vscode import, so it
 * is tested on its own.
 */
export function outputKeyFingerprints(roots: readonly string[], remembered: readonly string[]): Map<string, string[]> {
	const seen = new Set<string>();
	const out = new Map<string, string[]>();
	const check = (dir: string) => {
		if (seen.has(dir)) return;
		seen.add(dir);
		try {
			const m = JSON.parse(readFileSync(join(dir, 'deid-manifest.json'), 'utf8')) as { tool?: string; keyFingerprint?: string; operation?: string };
			if (m.tool !== 'vscode-deid' || typeof m.keyFingerprint !== 'string') return;
			// only outputs whose content depends on the key (surrogates, shifted dates) make a new key a problem
			if (m.operation !== 'surrogate') return;
			out.set(m.keyFingerprint, [...(out.get(m.keyFingerprint) ?? []), dir]);
		} catch {
			// no manifest here
		}
	};
	for (const r of remembered) check(r);
	const walk = (dir: string, depth: number) => {
		check(dir);
		if (depth === 0) return;
		let entries;
		try {
			entries = readdirSync(dir, { withFileTypes: true });
		} catch {
			return;
		}
		for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(join(dir, e.name), depth - 1);
	};
	for (const r of roots) walk(r, 2);
	return out;
}
