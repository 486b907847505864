import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
	createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection, type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { StatusNotification, type StatusParams } from '../../server/src/protocol';

export const SERVER = join(__dirname, '..', '..', '..', 'dist', 'server.js');

/** A real LSP client over stdio to the built server (dist/server.js --stdio). */
export class TestClient {
	readonly proc: ChildProcess;
	readonly conn: ProtocolConnection;
	settings: Record<string, unknown> = {};
	configurationRequests = 0;
	private diags = new Map<string, PublishDiagnosticsParams>();
	private statuses = new Map<string, StatusParams>();
	private waiters: (() => void)[] = [];
	stderr = '';

	constructor() {
		this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
		this.proc.stderr!.on('data', (d) => (this.stderr += d));
		this.proc.stdin!.on('error', (e: NodeJS.ErrnoException) => {
			if (e.code !== 'EPIPE') throw e;
		});
		this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
		this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
			this.diags.set(p.uri, p);
			this.wake();
		});
		this.conn.onNotification(StatusNotification.method, (p: StatusParams) => {
			this.statuses.set(p.uri, p);
			this.wake();
		});
		this.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => {
			this.configurationRequests++;
			return p.items.map(() => this.settings);
		});
		this.conn.onRequest('client/registerCapability', () => null);
		this.conn.onRequest('window/workDoneProgress/create', () => null);
		this.conn.onNotification('window/logMessage', () => undefined);
		this.conn.listen();
	}

	private wake(): void {
		const w = this.waiters;
		this.waiters = [];
		w.forEach((f) => f());
	}

	/** Resolve when pred() holds, re-checked on every notification; reject after a timeout. */
	waitFor<T>(pred: () => T | undefined, what: string, timeoutMs = 10000): Promise<T> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
			const check = () => {
				const v = pred();
				if (v !== undefined && v !== false) {
					clearTimeout(timer);
					resolve(v as T);
				} else this.waiters.push(check);
			};
			check();
		});
	}

	async initialize(): Promise<void> {
		await this.conn.sendRequest('initialize', {
			processId: process.pid,
			rootUri: null,
			capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } }, window: { workDoneProgress: true } },
		});
		await this.conn.sendNotification('initialized', {});
	}

	open(uri: string, text: string, languageId = 'plaintext', version = 1): void {
		void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
	}

	change(uri: string, text: string, version: number): void {
		void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
	}

	diagnostics(uri: string, version: number): Promise<PublishDiagnosticsParams> {
		return this.waitFor(() => {
			const d = this.diags.get(uri);
			return d && d.version === version ? d : undefined;
		}, `diagnostics for ${uri} v${version}`);
	}

	status(uri: string, version: number): Promise<StatusParams> {
		return this.waitFor(() => {
			const s = this.statuses.get(uri);
			return s && s.version === version ? s : undefined;
		}, `status for ${uri} v${version}`);
	}

	async close(): Promise<void> {
		try {
			await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
			// the server may already have gone after shutdown: a closed pipe then is no failure of the test
			await this.conn.sendNotification('exit').catch(() => undefined);
		} catch {
			// already gone
		}
		this.conn.dispose();
		if (this.proc.exitCode === null) this.proc.kill();
	}
}

/** Apply LSP text edits to a text (edits must not overlap). */
export function applyEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
	const lineStarts = [0];
	for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
	const off = (p: { line: number; character: number }) => lineStarts[p.line] + p.character;
	const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
	let out = text;
	for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
	return out;
}
