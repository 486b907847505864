import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..', '..');
export const CLI = join(root, 'dist', 'cli.js');

export function runCli(args: string[], opts: { cwd?: string } = {}): { code: number; stdout: string; stderr: string } {
	const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: opts.cwd ?? root, maxBuffer: 256 * 1024 * 1024 });
	return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
