// npm run bench:latency [-- --sizes 10k,100k,1m,20m --edits 20 --seed 7]
// Editor latency over a real stdio LSP connection to dist/server.js: PhysioNet-like notes at 10 KB, 100 KB and
// 1 MB, and a 20 MB NDJSON of records with note text. For each: time to the first diagnostics and to the whole
// document's, then one-character edits (the visible range follows the edit, as when typing where one looks):
// keystroke → first diagnostics of the new version, and → complete (status); the server's adaptive debounce and
// what the scan added beyond it; median / p90; the server's peak RSS (VmHWM) once the document is open and scanned,
// and after the edits. The server starts as the extension starts it: the same Node options and one malloc arena.
// Each document gets its own server process, so the peak belongs to it. Prints counts, never text.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { mulberry32 } from './random.mjs';

const root = join(import.meta.dirname, '..');
const arg = (name, def) => {
	const i = process.argv.indexOf(name);
	return i > 0 ? process.argv[i + 1] : def;
};
const seed = Number(arg('--seed', '7'));
const editsWanted = Number(arg('--edits', '20'));
const sizes = arg('--sizes', '10k,100k,1m,20m').split(',');
// --max-kb N: the deid.maxFileSizeKb the client reports (default: the server's own default)
// --settings JSON: more deid.* settings, e.g. '{"fhir":{"enable":false}}'
const settings = { ...(arg('--max-kb') ? { maxFileSizeKb: Number(arg('--max-kb')) } : {}), ...JSON.parse(arg('--settings', '{}')) };
const corpus = '/work/shared/corpora/physionet-deid-dev/docs';
const bytesOf = (s) => ((t) => Number(t.replace(/[km]$/i, '')) * { k: 1024, m: 1 << 20 }[t.slice(-1).toLowerCase()])(s.replace(/-ndjson$/, ''));

const notes = readdirSync(corpus)
	.filter((f) => f.endsWith('.txt'))
	.sort()
	.map((f) => readFileSync(join(corpus, f), 'utf8').trim());

/** Notes one after another, blank line between, until the size (the last note cut at a line end). */
function textOf(size) {
	const parts = [];
	let n = 0;
	for (let i = 0; n < size; i++) {
		const note = notes[i % notes.length];
		parts.push(note);
		n += note.length + 2;
	}
	let t = parts.join('\n\n');
	if (t.length > size) t = t.slice(0, t.lastIndexOf('\n', size) + 1);
	return t;
}

/** FHIR-like NDJSON: one DocumentReference per note (ids differ, so no two lines are the same). */
function ndjsonOf(size) {
	const lines = [];
	let n = 0;
	for (let i = 0; n < size; i++) {
		const rec = {
			resourceType: 'DocumentReference',
			id: `doc-${i}`,
			status: 'current',
			subject: { reference: `Patient/p-${i % 997}` },
			date: `20${10 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}T08:00:00Z`,
			description: notes[i % notes.length],
		};
		const line = JSON.stringify(rec);
		lines.push(line);
		n += line.length + 1;
	}
	return lines.join('\n') + '\n';
}

function lineStarts(text) {
	const s = [0];
	for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) s.push(i + 1);
	return s;
}
function positionAt(starts, off) {
	let lo = 0;
	let hi = starts.length - 1;
	while (lo < hi) {
		const mid = (lo + hi + 1) >> 1;
		if (starts[mid] <= off) lo = mid;
		else hi = mid - 1;
	}
	return { line: lo, character: off - starts[lo] };
}

const quantile = (xs, q) => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** The Node options the extension starts the server with (SERVER_NODE_OPTIONS in server/src/protocol.ts). */
async function serverNodeOptions() {
	const out = await esbuild.build({ entryPoints: [join(root, 'server', 'src', 'protocol.ts')], bundle: true, write: false, format: 'cjs', platform: 'node', external: ['vscode-languageserver-protocol'], logLevel: 'warning' });
	const m = { exports: {} };
	new Function('module', 'exports', 'require', out.outputFiles[0].text)(m, m.exports, createRequire(import.meta.url));
	return m.exports.SERVER_NODE_OPTIONS;
}
// DEID_BENCH_NODE_ARGS replaces them (" " for none)
const nodeArgs = process.env.DEID_BENCH_NODE_ARGS !== undefined ? process.env.DEID_BENCH_NODE_ARGS.split(' ').filter(Boolean) : await serverNodeOptions();

async function run(label, text, languageId, uri) {
	// started as the extension starts it (client/src/client.ts): one malloc arena unless the user chose otherwise
	const env = { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '1' };
	const proc = spawn(process.execPath, [...nodeArgs, join(root, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env });
	const peakRss = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
	// DEID_BENCH_TRACE=1: the server's RSS every 250 ms on stderr, to see which phase makes the peak
	const trace = process.env.DEID_BENCH_TRACE
		? setInterval(() => {
				try {
					const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1];
					process.stderr.write(`${Math.round(performance.now())} ms rss ${Math.round(Number(rss) / 1024)} MB\n`);
				} catch {
					// exited
				}
			}, 250)
		: undefined;
	const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
	const firstDiag = new Map();
	const done = new Map();
	const debounce = new Map();
	let skipped;
	let diagCount = 0;
	let waiters = [];
	const wake = () => {
		const w = waiters;
		waiters = [];
		w.forEach((f) => f());
	};
	const until = (pred, ms = 600000) =>
		new Promise((resolve, reject) => {
			const t = setTimeout(() => reject(new Error('timed out')), ms);
			const check = () => (pred() ? (clearTimeout(t), resolve()) : waiters.push(check));
			check();
		});
	conn.onNotification('textDocument/publishDiagnostics', (p) => {
		if (p.version !== undefined && !firstDiag.has(p.version)) firstDiag.set(p.version, performance.now());
		diagCount = p.diagnostics.length;
		wake();
	});
	conn.onNotification('deid/status', (p) => {
		// a status with `scanning` set is progress; the document is complete when it is absent
		if (!p.scanning && !done.has(p.version)) done.set(p.version, performance.now());
		if (p.debounceMs !== undefined) debounce.set(p.version, p.debounceMs);
		skipped = p.skipped;
		wake();
	});
	conn.onRequest('workspace/configuration', (p) => p.items.map(() => settings));
	conn.onRequest('client/registerCapability', () => null);
	conn.onRequest('window/workDoneProgress/create', () => null);
	conn.onNotification('window/logMessage', () => undefined);
	conn.listen();
	await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
	await conn.sendNotification('initialized', {});

	let doc = text;
	let starts = lineStarts(doc);
	const visible = (line) => ({ uri, ranges: [{ start: { line: Math.max(0, line - 20), character: 0 }, end: { line: line + 40, character: 0 } }] });
	const t0 = performance.now();
	void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: doc } });
	void conn.sendNotification('deid/visibleRanges', visible(0));
	// while the document is scanned, hovers: the server answers between pieces
	const hovers = [];
	const hovering = (async () => {
		while (!done.has(1)) {
			const h = performance.now();
			await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
			hovers.push(performance.now() - h);
			await new Promise((r) => setTimeout(r, 100));
		}
	})();
	await until(() => done.has(1));
	// the peak while the document was opened and scanned, before any edit
	const openPeak = peakRss();
	await hovering;
	if (trace) process.stderr.write(`opened at ${Math.round(t0)}, first at ${Math.round(firstDiag.get(1))}, complete at ${Math.round(done.get(1))}\n`);
	const first = firstDiag.get(1) - t0;
	const whole = done.get(1) - t0;
	const findings = diagCount;

	const rnd = mulberry32(seed);
	const toVisible = [];
	const toDone = [];
	const waits = [];
	const beyond = [];
	const edits = skipped ? 0 : label.startsWith('20') ? Math.min(editsWanted, 8) : editsWanted;
	for (let i = 0; i < edits; i++) {
		const version = i + 2;
		const off = Math.floor(rnd() * doc.length);
		const pos = positionAt(starts, off);
		void conn.sendNotification('deid/visibleRanges', visible(pos.line));
		// let the server take the visible range before the keystroke, as an editor scrolls before one types
		await new Promise((r) => setTimeout(r, 30));
		const ch = 'abcdefghij'[Math.floor(rnd() * 10)];
		const t = performance.now();
		void conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: pos, end: pos }, text: ch }] });
		doc = doc.slice(0, off) + ch + doc.slice(off);
		if (ch === '\n') starts = lineStarts(doc);
		await until(() => done.has(version));
		toVisible.push(firstDiag.get(version) - t);
		toDone.push(done.get(version) - t);
		// what the scan itself added beyond the adaptive debounce the server chose
		if (debounce.has(version)) {
			waits.push(debounce.get(version));
			beyond.push(done.get(version) - t - debounce.get(version));
		}
		await new Promise((r) => setTimeout(r, 50));
	}
	clearInterval(trace);
	const hwm = peakRss();
	try {
		await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
		await conn.sendNotification('exit');
		await Promise.race([new Promise((r) => proc.once('exit', r)), new Promise((r) => setTimeout(r, 2000))]);
	} catch {
		// gone
	}
	if (proc.exitCode === null) proc.kill();
	conn.dispose();
	const ms = (x) => (x === undefined ? '—' : `${Math.round(x).toLocaleString('en-US')} ms`);
	const pair = (xs) => (xs.length ? `${ms(quantile(xs, 0.5))} / ${ms(quantile(xs, 0.9))}` : '—');
	return `| ${label} | ${(text.length / 1024).toFixed(0)} KB | ${skipped ? `not scanned (${skipped})` : `${ms(first)} / ${ms(whole)}`} | ${pair(toVisible)} | ${pair(toDone)} | ${waits.length ? `${ms(quantile(waits, 0.5))}; ${pair(beyond)}` : '—'} | ${edits} | ${findings.toLocaleString('en-US')} | ${openPeak.toFixed(0)} / ${hwm.toFixed(0)} MB | ${hovers.length > 1 ? `${pair(hovers)} (${hovers.length})` : '—'} |`;
}

console.log(`server: node ${nodeArgs.join(' ')} dist/server.js, settings ${JSON.stringify(settings)}, seed ${seed}, node ${process.version}, ${(await import('node:os')).cpus().length} cores (load ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
console.log('| document | size | first diagnostics / complete | edit → first diagnostics, median / p90 | edit → complete, median / p90 | debounce (median); edit → complete beyond it, median / p90 | edits | diagnostics | server peak RSS, open / with edits | hover during first scan, median / p90 (n) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const s of sizes) {
	const n = bytesOf(s);
	// 20m is NDJSON (a FHIR bulk-export file); "48m-ndjson" and the like ask for NDJSON of another size
	const ndjson = s.toLowerCase() === '20m' || s.endsWith('-ndjson');
	const row = ndjson ? await run(`${s.replace(/-ndjson$/, '').toUpperCase().replace(/M$/, ' MB')} NDJSON`, ndjsonOf(n), 'ndjson', `file:///bench/notes-${s}.ndjson`) : await run(`${s} text`, textOf(n), 'plaintext', `file:///bench/notes-${s}.txt`);
	console.log(row);
}
