// Azurite (npm) on a free loopback port, and `deid serve` over it, as real processes for the remote-job tests.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, root } from './cli';

export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const port = (s.address() as { port: number }).port;
			s.close(() => resolve(port));
		});
	});
}

function answers(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const r = request({ host: '127.0.0.1', port, path: '/', timeout: 1000 }, (res) => {
			res.resume();
			resolve(true);
		});
		r.on('error', () => resolve(false));
		r.on('timeout', () => {
			r.destroy();
			resolve(false);
		});
		r.end();
	});
}

async function waitForPort(port: number, proc: ChildProcess, what: string, timeoutMs = 45000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}`);
		if (await answers(port)) return;
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`${what} did not answer on port ${port} within ${timeoutMs / 1000} s`);
}

function stop(proc: ChildProcess): Promise<void> {
	return new Promise((resolve) => {
		if (proc.exitCode !== null) return resolve();
		const t = setTimeout(() => proc.kill('SIGKILL'), 10000);
		proc.once('exit', () => {
			clearTimeout(t);
			resolve();
		});
		proc.kill('SIGTERM');
	});
}

export interface Azurite {
	port: number;
	connectionString: string;
	containerUrl(name: string): string;
	stop(): Promise<void>;
}

export async function startAzurite(): Promise<Azurite> {
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'deid-azurite-'));
	const proc = spawn(process.execPath, [join(root, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'), '--location', dir, '--silent', '--blobHost', '127.0.0.1', '--blobPort', String(port), '--skipApiVersionCheck', '--disableTelemetry'], { stdio: 'ignore' });
	await waitForPort(port, proc, 'azurite');
	return {
		port,
		connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
		containerUrl: (name) => `http://127.0.0.1:${port}/devstoreaccount1/${name}`,
		stop: async () => {
			await stop(proc);
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

export interface DeidServer {
	url: string;
	token: string;
	stop(): Promise<void>;
}

/** `deid serve` as a real process (the CLI), with a token file and a state directory. */
export async function startDeidServer(connectionString: string, stateDir: string, token = randomBytes(32).toString('base64url')): Promise<DeidServer> {
	const port = await freePort();
	const tokenFile = join(stateDir, 'token');
	writeFileSync(tokenFile, token + '\n');
	const proc = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--token-file', tokenFile, '--state-dir', stateDir], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEID_STORAGE_CONNECTION_STRING: connectionString } });
	await waitForPort(port, proc, 'deid serve', 20000);
	return { url: `http://127.0.0.1:${port}`, token, stop: () => stop(proc) };
}
