import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes files (relative path → content) under `dir`, making folders as needed; returns `dir`. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): string {
	for (const [rel, text] of Object.entries(files)) {
		mkdirSync(join(dir, rel, '..'), { recursive: true });
		writeFileSync(join(dir, rel), text);
	}
	return dir;
}

/** Every file under `dir` (relative path → UTF-8 text), but the job's own `deid-*` files. */
export function readOutputs(dir: string, rel = ''): Record<string, string> {
	const out: Record<string, string> = {};
	for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
		const r = rel ? `${rel}/${e.name}` : e.name;
		if (e.isDirectory()) Object.assign(out, readOutputs(dir, r));
		else if (!e.name.startsWith('deid-')) out[r] = readFileSync(join(dir, r), 'utf8');
	}
	return out;
}
