// npm run bench:reliability — replays the hostile-input and fault run of issue 20 against the built artefacts
// (dist/cli.js; `deid serve` over Azurite from node_modules, all on 127.0.0.1) and prints one row per case:
// id, expectation, PASS/FAIL (ERROR: the case itself broke) and a measured detail. The table also goes to
// .bench/hostile.json. It reports, so it exits 0 whatever the results; 2 only when the harness cannot run.
// Inputs are generated at run time in a temp dir that is removed at the end; every child is killed at the end.
// Planted synthetic PHI is never printed: details say whether it was found, never what.
//   node bench/hostile.mjs [--only REGEX]   (REGEX over case ids, e.g. --only '^1[1-5]')
//   HOSTILE_TMP=DIR puts the temp dir there (default /dev/shm, else the OS temp dir); HOSTILE_KEEP=1 keeps it.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { mulberry32 } from './random.mjs';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const AZURITE_MAIN = join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const API = 'api-version=2024-11-15';
const onlyArg = process.argv.indexOf('--only');
const ONLY = onlyArg > 0 ? new RegExp(process.argv[onlyArg + 1]) : undefined;

if (!existsSync(CLI)) {
	process.stderr.write('hostile: dist/cli.js is missing; run `node esbuild.mjs` first\n');
	process.exit(2);
}

// Synthetic PHI planted by the cases (never printed).
const PLANTED = ['Margaret', 'Okafor', '4829301', '555-0199'];
const KEY_HEX = createHash('sha256').update('hostile-bench-key').digest('hex');

// tmpfs when there is one: removing tens of thousands of just-written files from a disk took up to 47 s
const TMP_BASE = process.env.HOSTILE_TMP ?? (existsSync('/dev/shm') && statSync('/dev/shm').isDirectory() ? '/dev/shm' : tmpdir());
const T = mkdtempSync(join(TMP_BASE, 'deid-bench-hostile-'));
const children = new Set();
const servers = new Set();
// Children never inherit storage secrets from the caller's environment: the cases set them on purpose.
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^DEID_STORAGE_/.test(k)));

function killAll() {
	for (const p of children) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
	for (const s of servers) s.close();
}
function cleanup() {
	killAll();
	if (process.env.HOSTILE_KEEP) process.stderr.write(`hostile: kept ${T}\n`);
	else rmSync(T, { recursive: true, force: true });
}
process.on('SIGINT', () => {
	cleanup();
	process.exit(130);
});
process.on('SIGTERM', () => {
	cleanup();
	process.exit(143);
});
// the harness itself broke (a case's own failure is caught by kase): clean up and say so with exit 2
for (const ev of ['uncaughtException', 'unhandledRejection']) {
	process.on(ev, (e) => {
		process.stderr.write(`hostile: harness error: ${String(e?.stack ?? e).split(T).join('$T')}\n`);
		cleanup();
		process.exit(2);
	});
}

// ---------- processes ----------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Spawn a node script (the CLI by default) and track it so that the end of the run kills it. */
function spawnNode(args, { cwd = T, env = {}, script = CLI, quiet = false } = {}) {
	const p = spawn(process.execPath, [script, ...args], { cwd, env: { ...BASE_ENV, ...env }, stdio: quiet ? 'ignore' : ['ignore', 'pipe', 'pipe'] });
	children.add(p);
	p.once('exit', () => children.delete(p));
	return p;
}

/**
 * Run the CLI to its end or to the timeout (then SIGKILL): exit code, signal, time, output and peak RSS
 * (VmHWM of the process, which includes its worker threads, polled from /proc).
 */
function run(args, { cwd, env, timeoutMs = 60000, onSpawn } = {}) {
	return new Promise((resolve) => {
		const t0 = performance.now();
		const p = spawnNode(args, { cwd, env });
		const out = [];
		const err = [];
		let outLen = 0;
		p.stdout.on('data', (c) => {
			// a scan of a 4 MB line prints tens of MB; keep what fits
			if (outLen < 96 << 20) out.push(c);
			outLen += c.length;
		});
		p.stderr.on('data', (c) => err.push(c));
		let peak = 0;
		const readPeak = () => {
			try {
				const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
				if (m) peak = Math.max(peak, Number(m[1]));
			} catch {
				/* gone */
			}
		};
		const poll = setInterval(readPeak, 50);
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			p.kill('SIGKILL');
		}, timeoutMs);
		onSpawn?.(p);
		p.on('close', (code, signal) => {
			clearInterval(poll);
			clearTimeout(timer);
			resolve({ code, signal, timedOut, ms: performance.now() - t0, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), peakMb: peak / 1024 });
		});
	});
}

const STACK = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))\s*$/m;
/** Output a user must never see: an internal error, a stack trace, an uncaught JS error or a V8 abort. */
function crashy(r) {
	return (
		/internal error/i.test(r.stdout + r.stderr) ||
		STACK.test(r.stderr) ||
		/\b(RangeError|TypeError|ReferenceError|SyntaxError)\b|FATAL ERROR|heap out of memory|triggerUncaughtException|node:internal\/|^\[?Error: /m.test(r.stderr)
	);
}
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
function shape(r) {
	if (r.timedOut) return `killed after ${secs(r.ms)} (hang)`;
	return `exit ${r.code ?? r.signal}, ${secs(r.ms)}${crashy(r) ? ', crash-like output' : ''}`;
}
/** The first line of stderr, temp paths shortened (only for cases without planted values in paths). */
function firstLine(r) {
	const l = (r.stderr.split('\n').find((x) => x.trim()) ?? '').split(T).join('$T').trim();
	return l ? `"${l.length > 70 ? l.slice(0, 67) + '...' : l}"` : 'no message';
}
const yn = (b) => (b ? 'yes' : 'no');

// ---------- files ----------

function write(path, data) {
	mkdirSync(join(path, '..'), { recursive: true });
	writeFileSync(path, data);
	return path;
}
function dir(...parts) {
	const d = join(T, ...parts);
	mkdirSync(d, { recursive: true });
	return d;
}
/** Every file (and symlink) below a folder, relative path → sha256 (for "the source is untouched"). */
function snapshot(root) {
	const m = new Map();
	const walk = (d) => {
		for (const e of readdirSync(d, { withFileTypes: true })) {
			const p = join(d, e.name);
			if (e.isDirectory()) walk(p);
			else if (e.isSymbolicLink()) m.set(relative(root, p), 'link');
			else m.set(relative(root, p), e.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'other');
		}
	};
	walk(root);
	return m;
}
const sameSnap = (a, b) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
function listAll(root) {
	try {
		return [...snapshot(root).keys()];
	} catch {
		return [];
	}
}
const tmpLeft = (root) => listAll(root).filter((p) => /\.deid-tmp-/.test(p));
function keyFile() {
	const p = join(T, 'key.hex');
	if (!existsSync(p)) writeFileSync(p, KEY_HEX + '\n', { mode: 0o600 });
	return p;
}
const planted = (text) => PLANTED.some((v) => text.includes(v));
const readIf = (p) => {
	try {
		return readFileSync(p, 'utf8');
	} catch {
		return '';
	}
};

/** Synthetic clinical prose with the usual PHI types (fake values), about `bytes` long. */
function normalText(bytes, seed = 5) {
	const rnd = mulberry32(seed);
	const first = ['John', 'Maria', 'Wei', 'Amanda', 'Robert', 'Fatima', 'Kevin', 'Helen'];
	const last = ['Carter', 'Lopez', 'Chen', 'Price', 'Hale', 'Nguyen', 'Brennan', 'Walsh'];
	const pick = (a) => a[Math.floor(rnd() * a.length)];
	const date = () => `${1 + Math.floor(rnd() * 12)}/${1 + Math.floor(rnd() * 28)}/20${10 + Math.floor(rnd() * 20)}`;
	const sentences = [
		() => 'Neuro: alert and oriented x3, follows commands, PERRL.',
		() => 'CV: NSR 70s-80s, BP 110s/60s, no ectopy, peripheral pulses palpable.',
		() => 'Resp: 2L NC, sats 96%, lungs clear bilaterally.',
		() => 'Plan: continue current regimen, wean oxygen as tolerated, PT/OT evaluation tomorrow.',
		() => `Seen on ${date()} by Dr. ${pick(last)}; daughter ${pick(first)} ${pick(last)} called from 617-555-${String(Math.floor(rnd() * 1e4)).padStart(4, '0')}.`,
		() => `MRN: ${Math.floor(1e6 + rnd() * 9e6)}. Follow up with ${pick(first)} ${pick(last)}, RN, on ${date()}.`,
	];
	let s = '';
	while (s.length < bytes) {
		for (let i = 0; i < 4; i++) s += sentences[Math.floor(rnd() * sentences.length)]() + ' ';
		s += '\n\n';
	}
	return s;
}

// ---------- HTTP ----------

function freePort() {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const port = s.address().port;
			s.close(() => resolve(port));
		});
	});
}

function http(method, url, { token, body, headers = {}, timeoutMs = 10000 } = {}) {
	return new Promise((resolve) => {
		const u = new URL(url);
		const t0 = performance.now();
		const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
		const h = { ...headers };
		if (token) h.authorization = `Bearer ${token}`;
		if (data !== undefined) {
			h['content-type'] ??= 'application/json';
			h['content-length'] = Buffer.byteLength(data);
		}
		let done = false;
		const finish = (v) => {
			if (done) return;
			done = true;
			resolve({ ...v, ms: performance.now() - t0 });
		};
		const r = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h, agent: false, timeout: timeoutMs }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json;
				try {
					json = text ? JSON.parse(text) : undefined;
				} catch {
					json = undefined;
				}
				finish({ status: res.statusCode, text, json });
			});
			res.on('error', () => finish({ status: res.statusCode, text: '' }));
		});
		r.on('timeout', () => {
			r.destroy();
			finish({ status: 0, timedOut: true });
		});
		r.on('error', (e) => finish({ status: 0, error: e.code ?? e.message }));
		r.end(data);
	});
}

/** A raw request (headers Node's client would not send): the status code of the answer, 0 if none. */
function rawStatus(port, text, timeoutMs = 5000) {
	return new Promise((resolve) => {
		const s = connect(port, '127.0.0.1');
		let buf = '';
		const t = setTimeout(() => {
			s.destroy();
			resolve(0);
		}, timeoutMs);
		s.on('connect', () => s.write(text));
		s.on('data', (c) => {
			buf += c.toString('latin1');
			const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf);
			if (m) {
				clearTimeout(t);
				s.destroy();
				resolve(Number(m[1]));
			}
		});
		s.on('error', () => {
			clearTimeout(t);
			resolve(0);
		});
		s.on('close', () => {
			clearTimeout(t);
			resolve(0);
		});
	});
}

async function waitForPort(port, proc, timeoutMs) {
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		if (proc.exitCode !== null || proc.signalCode !== null) return false;
		const r = await http('GET', `http://127.0.0.1:${port}/`, { timeoutMs: 1000 });
		if (r.status) return true;
		await sleep(150);
	}
	return false;
}

let azurite;
async function startAzurite() {
	const port = await freePort();
	const location = dir('azurite');
	const proc = spawnNode(['--location', location, '--silent', '--blobHost', '127.0.0.1', '--blobPort', String(port), '--skipApiVersionCheck', '--disableTelemetry'], { script: AZURITE_MAIN, quiet: true });
	if (!(await waitForPort(port, proc, 45000))) throw new Error('azurite did not start');
	const cs = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
	const { BlobServiceClient } = createRequire(join(ROOT, 'package.json'))('@azure/storage-blob');
	const service = BlobServiceClient.fromConnectionString(cs);
	return { port, cs, proc, service, url: (c) => `http://127.0.0.1:${port}/devstoreaccount1/${c}` };
}
async function container(name) {
	const c = azurite.service.getContainerClient(name);
	await c.createIfNotExists();
	return c;
}
async function blobNames(c, prefix) {
	const out = [];
	for await (const b of c.listBlobsFlat(prefix ? { prefix } : {})) out.push(b.name);
	return out;
}

const TOKEN = 'hostile-bench-' + randomBytes(24).toString('hex');
/** `deid serve` as a real process on a free loopback port; resolves once it answers (or reports why not). */
async function startServe({ stateDir, token = TOKEN, args, env = {}, timeoutMs = 20000 } = {}) {
	const port = await freePort();
	const tokenFile = join(stateDir, 'token');
	mkdirSync(stateDir, { recursive: true });
	writeFileSync(tokenFile, token + '\n', { mode: 0o600 });
	const proc = spawnNode(['serve', '--port', String(port), '--token-file', tokenFile, '--state-dir', stateDir, ...(args ?? ['--storage-connection-string', azurite.cs])], { env });
	let stderr = '';
	proc.stderr.on('data', (c) => (stderr += c));
	proc.stdout.resume();
	const up = await waitForPort(port, proc, timeoutMs);
	return { up, port, proc, url: `http://127.0.0.1:${port}`, stderr: () => stderr, kill: () => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL') };
}
function stopProc(proc) {
	return new Promise((resolve) => {
		if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
		// 'exit', not 'close': a pipe nobody reads would hold 'close' back
		proc.once('exit', () => resolve());
		proc.kill('SIGKILL');
	});
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);
async function waitJob(serve, name, timeoutMs = 30000) {
	const until = Date.now() + timeoutMs;
	let last;
	while (Date.now() < until) {
		const r = await http('GET', `${serve.url}/jobs/${name}?${API}`, { token: TOKEN });
		last = r.json;
		if (r.status === 200 && TERMINAL.has(r.json?.status)) return r.json;
		await sleep(100);
	}
	return last;
}
function jobSpec(src, srcPrefix, dst, dstPrefix, extra = {}) {
	return { operation: 'Redact', sourceLocation: { location: azurite.url(src), prefix: srcPrefix }, targetLocation: { location: azurite.url(dst), prefix: dstPrefix, overwrite: false }, ...extra };
}

// ---------- the cases ----------

const results = [];
const started = performance.now();
async function kase(id, name, expect, fn, timeoutMs = 120000) {
	if (ONLY && !ONLY.test(id)) return;
	const t0 = performance.now();
	let res;
	let timer;
	try {
		res = await Promise.race([fn(), new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`case exceeded ${timeoutMs / 1000} s`)), timeoutMs)))]);
	} catch (e) {
		res = { error: true, detail: `case error: ${String(e?.message ?? e).split('\n')[0].split(T).join('$T').slice(0, 120)}` };
	} finally {
		clearTimeout(timer);
	}
	const row = { id, name, expect, result: res.error ? 'ERROR' : res.pass ? 'PASS' : 'FAIL', detail: res.detail, seconds: Math.round(performance.now() - t0) / 1000 };
	results.push(row);
	process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${row.result.padEnd(5)} ${id} ${name}: ${row.detail}\n`);
}

// 1. Data loss: outputs that contain, equal or sit inside the input.
function nestedNotes(base) {
	// a nested folder with the same file name: an output at the parent would write notes/a.txt over the source
	write(join(base, 'notes', 'a.txt'), 'Alpha note. Seen on 3/4/2019.\n');
	write(join(base, 'notes', 'notes', 'a.txt'), 'Beta note. Seen on 5/6/2019.\n');
	return join(base, 'notes');
}
async function refusesOutput(input, output, watch = input) {
	const before = snapshot(watch);
	const r = await run(['deidentify', input, output, '--key-file', keyFile(), '--workers', '0'], { timeoutMs: 30000 });
	const intact = sameSnap(before, snapshot(watch));
	return { pass: intact && r.code !== 0 && !r.timedOut && !crashy(r), detail: `${shape(r)}; source tree unchanged: ${yn(intact)}; ${firstLine(r)}` };
}
const REFUSE = 'refused (exit≠0), sources untouched';

await kase('1a', 'output is the parent of the input', REFUSE, async () => {
	const base = dir('c1a');
	const input = nestedNotes(base);
	return refusesOutput(input, base);
});
await kase('1b', 'output equals the input', REFUSE, async () => {
	const input = nestedNotes(dir('c1b'));
	return refusesOutput(input, input);
});
await kase('1c', 'output is the parent via ..', REFUSE, async () => {
	const input = nestedNotes(dir('c1c'));
	return refusesOutput(input, join(input, '..'));
});
await kase('1d', 'output is the parent via a symlink', REFUSE, async () => {
	const base = dir('c1d');
	const input = nestedNotes(base);
	symlinkSync(base, join(T, 'c1d-up'));
	return refusesOutput(input, join(T, 'c1d-up'));
});
await kase('1e', 'output inside the input via a symlink', REFUSE, async () => {
	const input = nestedNotes(dir('c1e'));
	symlinkSync(input, join(T, 'c1e-alias'));
	return refusesOutput(input, join(T, 'c1e-alias', 'out'));
});
await kase('1f', 'output inside the input via ..', REFUSE, async () => {
	const input = nestedNotes(dir('c1f'));
	return refusesOutput(input, join(input, 'notes', '..', 'out'));
});
await kase('1g', 'single file: nothing written beside the source', 'only the named output is new in the source folder', async () => {
	const d = dir('c1g');
	write(join(d, 'note.txt'), normalText(2000));
	const before = new Set(readdirSync(d));
	const r = await run(['deidentify', join(d, 'note.txt'), join(d, 'note.deid.txt'), '--key-file', keyFile(), '--workers', '0'], { timeoutMs: 30000 });
	const extra = readdirSync(d).filter((f) => !before.has(f) && f !== 'note.deid.txt');
	return { pass: extra.length === 0 && !crashy(r) && !r.timedOut, detail: `${shape(r)}; other new files beside the source: ${extra.length}${extra.length ? ` (${extra.map((f) => f.replace(/-tmp-.*/, '-tmp-*')).join(', ')})` : ''}` };
});
await kase('1h', 'single file: temp files after SIGKILL', 'no *.deid-tmp-* left after a later successful run', async () => {
	const d = dir('c1h');
	const src = write(join(d, 'in', 'big.txt'), normalText(6 << 20));
	const out = join(d, 'out', 'big.deid.txt');
	mkdirSync(join(d, 'out'), { recursive: true });
	let sawTmp = false;
	const killed = await run(['deidentify', src, out, '--key-file', keyFile(), '--workers', '0'], {
		timeoutMs: 60000,
		onSpawn: (p) => {
			const poll = setInterval(() => {
				if (tmpLeft(join(d, 'out')).length) {
					sawTmp = true;
					clearInterval(poll);
					setTimeout(() => p.kill('SIGKILL'), 100);
				}
			}, 10);
			p.once('close', () => clearInterval(poll));
		},
	});
	const again = await run(['deidentify', src, out, '--key-file', keyFile(), '--workers', '0'], { timeoutMs: 60000 });
	const left = tmpLeft(join(d, 'out')).length;
	return { pass: left === 0 && again.code === 0, detail: `killed mid-write: ${yn(sawTmp && killed.signal === 'SIGKILL')}; rerun ${shape(again)}; temp files left: ${left}` };
});

// 2. Clear messages instead of stack traces.
const CLEAN = 'no stack trace/internal error, exit 1|2, no temp files';
async function unwritable(kind, workers) {
	const d = dir(`c2-${kind}-${workers}`);
	let outRoot = join(d, 'out');
	if (kind === 'enotdir') {
		write(join(d, 'in', 'a', 'n.txt'), normalText(3000));
		write(join(d, 'in', 'b.txt'), normalText(3000));
		write(join(outRoot, 'a'), 'a file where the output needs a folder\n');
	} else {
		write(join(d, 'in', 'n'.repeat(236) + '.txt'), normalText(3000));
		write(join(d, 'in', 'b.txt'), normalText(3000));
	}
	const r = await run(['deidentify', join(d, 'in'), outRoot, '--key-file', keyFile(), '--workers', String(workers)], { timeoutMs: 60000 });
	const left = tmpLeft(outRoot).length;
	const report = existsSync(join(outRoot, 'deid-report.json'));
	// a long name may also just work (a shorter temporary name): then every output must be there
	const written = listAll(join(d, 'in')).every((p) => existsSync(join(outRoot, p)));
	const codeOk = kind === 'long' ? r.code === 1 || (r.code === 0 && written) : r.code === 1 || r.code === 2;
	return { pass: !crashy(r) && !r.timedOut && codeOk && left === 0, detail: `${shape(r)}; report written: ${yn(report)}; temp files left: ${left}` };
}
await kase('2a', 'unwritable output (file in place of a folder)', CLEAN, () => unwritable('enotdir', 0));
await kase('2b', 'unwritable output, worker threads', CLEAN, () => unwritable('enotdir', 1));
await kase('2c', 'ENAMETOOLONG (240-byte file name)', 'no stack trace/internal error, exit 0|1, no temp files', () => unwritable('long', 0));
await kase('2d', 'ENAMETOOLONG, worker threads', 'no stack trace/internal error, exit 0|1, no temp files', () => unwritable('long', 1));
async function badInput(make) {
	const d = dir(`c2-${make}`);
	const input = join(d, 'input');
	if (make === 'broken') symlinkSync(join(d, 'nowhere'), input);
	else symlinkSync(input, input); // points at itself: ELOOP
	const r = await run(['deidentify', input, join(d, 'out'), '--key-file', keyFile()], { timeoutMs: 30000 });
	return { pass: r.code === 2 && !crashy(r) && r.stderr.trim() !== '', detail: `${shape(r)}; ${firstLine(r)}` };
}
await kase('2e', 'broken symlink as the input', 'exit 2 with a message, no internal error', () => badInput('broken'));
await kase('2f', 'looping symlink as the input', 'exit 2 with a message, no internal error', () => badInput('loop'));
const CS_MSG = 'exit≠0, message names the connection string, no internal error';
await kase('2g', 'bad connection string: deid job submit', CS_MSG, async () => {
	const d = dir('c2g');
	write(join(d, 'f', 'a.txt'), 'Seen on 3/4/2019.\n');
	write(join(d, 'tok'), 'x'.repeat(40) + '\n');
	const closed = await freePort(); // nothing listens there: no request may leave the machine anyway
	const r = await run(['job', 'submit', join(d, 'f'), '--endpoint', `http://127.0.0.1:${closed}`, '--container-url', `http://127.0.0.1:${closed}/devstoreaccount1/c`, '--out', join(d, 'o'), '--storage-connection-string', 'not-a-connection-string', '--token-file', join(d, 'tok')], { timeoutMs: 30000 });
	return { pass: r.code !== 0 && !r.timedOut && !crashy(r) && /connection string/i.test(r.stderr), detail: `${shape(r)}; ${firstLine({ ...r, stderr: r.stderr.split('\n').filter((l) => !/submitting/.test(l)).join('\n') })}` };
});
await kase('2h', 'bad connection string: deid serve', CS_MSG, async () => {
	const d = dir('c2h');
	write(join(d, 'tok'), 'x'.repeat(40) + '\n');
	const r = await run(['serve', '--port', String(await freePort()), '--storage-connection-string', 'not-a-connection-string', '--token-file', join(d, 'tok'), '--state-dir', join(d, 's')], { timeoutMs: 10000 });
	return { pass: r.code !== 0 && !r.timedOut && !crashy(r) && /connection string/i.test(r.stderr), detail: `${shape(r)}; ${firstLine(r)}` };
});

// 3. A FIFO named *.txt must not block a run forever.
const FIFO = 'finishes within 10 s (FIFO skipped or refused)';
function fifo(d) {
	mkdirSync(d, { recursive: true });
	execFileSync('mkfifo', [join(d, 'a.txt')]);
	write(join(d, 'b.txt'), 'Seen on 3/4/2019.\n');
}
await kase('3a', 'FIFO named *.txt: scan', FIFO, async () => {
	const d = join(T, 'c3a');
	fifo(d);
	const r = await run(['scan', '--json', d], { timeoutMs: 10000 });
	return { pass: !r.timedOut && !crashy(r), detail: shape(r) };
});
await kase('3b', 'FIFO named *.txt: single-file deidentify', FIFO, async () => {
	const d = join(T, 'c3b');
	fifo(d);
	const r = await run(['deidentify', join(d, 'a.txt'), join(T, 'c3b-out', 'a.txt'), '--key-file', keyFile()], { timeoutMs: 10000 });
	return { pass: !r.timedOut && !crashy(r), detail: `${shape(r)}; ${r.timedOut ? '' : firstLine(r)}` };
});

// 4. One NDJSON line with very many findings (4 MB).
function bigLine(path) {
	const unit = 'Seen 3/4/2019, call 617-555-0123. ';
	write(path, JSON.stringify({ resourceType: 'DocumentReference', note: unit.repeat(Math.ceil((4 << 20) / unit.length)) }) + '\n');
}
await kase('4a', 'scan: 4 MB NDJSON line, many findings', 'exit 0, findings listed, no RangeError', async () => {
	const p = join(T, 'c4a', 'big.ndjson');
	bigLine(p);
	const r = await run(['scan', '--json', p], { timeoutMs: 90000 });
	let findings = 0;
	try {
		findings = JSON.parse(r.stdout.split('\n')[0]).findings.length;
	} catch {
		findings = 0;
	}
	return { pass: r.code === 0 && findings > 0 && !crashy(r), detail: `${shape(r)}; findings ${findings}; peak RSS ${r.peakMb.toFixed(0)} MB` };
});
await kase('4b', 'deidentify --workers 2: 4 MB NDJSON line', 'the file is de-identified (no worker OOM)', async () => {
	const d = join(T, 'c4b');
	bigLine(join(d, 'in', 'big.ndjson'));
	for (let i = 0; i < 3; i++) write(join(d, 'in', `s${i}.ndjson`), JSON.stringify({ note: 'Seen on 3/4/2019.' }) + '\n');
	const r = await run(['deidentify', join(d, 'in'), join(d, 'out'), '--workers', '2', '--key-file', keyFile()], { timeoutMs: 120000 });
	let status = 'no report';
	try {
		const rep = JSON.parse(readFileSync(join(d, 'out', 'deid-report.json'), 'utf8'));
		const f = rep.files.find((x) => x.path === 'big.ndjson');
		status = f ? f.status + (f.reason ? ` (${f.reason})` : '') : 'missing';
	} catch {
		/* no report */
	}
	const inMb = statSync(join(d, 'in', 'big.ndjson')).size / 1048576;
	return { pass: r.code === 0 && status === 'done', detail: `${shape(r)}; big.ndjson: ${status}; peak RSS ${r.peakMb.toFixed(0)} MB (${(r.peakMb / inMb).toFixed(0)}× the line)` };
});

// 5. A long merged Date span ('Jan 1 ' × N) must cost linear time to surrogate.
await kase('5', "surrogate time of 'Jan 1 '×N", 'linear: time per MB of long date spans does not grow with their size (and stays within 10× of normal text, every "Jan 1" being a date)', async () => {
	const d = dir('c5');
	const surrogate = async (name, text, timeoutMs = 30000) => {
		const src = write(join(d, name), text);
		return run(['deidentify', src, join(d, 'out', name), '--operation', 'surrogate', '--key-file', keyFile(), '--workers', '0'], { timeoutMs });
	};
	const t0 = (await surrogate('tiny.txt', 'Seen on 3/4/2019.\n')).ms;
	const scaling = [];
	for (const n of [500, 1000, 2000]) {
		const r = await surrogate(`jan-${n}.txt`, 'Jan 1 '.repeat(n), 20000);
		scaling.push(`N=${n} ${r.timedOut ? '>20 s' : secs(r.ms - t0)}`);
	}
	const normal = normalText(1 << 20);
	const rn = await surrogate('normal.txt', normal, 60000);
	const normalRate = (rn.ms - t0) / (Buffer.byteLength(normal) / 1048576);
	// long spans in one file, at two sizes: well above the start-up time once the transform is linear
	const spans = (k) => Array.from({ length: k }, () => 'Jan 1 '.repeat(4000)).join('\n\nPatient is comfortable, no acute distress.\n\n');
	const rate = async (k) => {
		const text = spans(k);
		const r = await surrogate(`hostile-${k}.txt`, text, 30000);
		return { r, rate: (r.ms - t0) / (Buffer.byteLength(text) / 1048576), kb: text.length / 1024 };
	};
	const small = await rate(8);
	const large = await rate(32);
	const growth = large.rate / small.rate;
	const ratio = large.rate / normalRate;
	const ok = !small.r.timedOut && !large.r.timedOut && small.r.code === 0 && large.r.code === 0;
	return {
		pass: ok && growth <= 2 && ratio <= 10,
		detail: `${scaling.join(', ')}; normal text ${(normalRate / 1000).toFixed(2)} s/MB; ${small.kb.toFixed(0)} KB of spans ${small.r.timedOut ? 'killed' : `${(small.rate / 1000).toFixed(2)} s/MB`}, ${large.kb.toFixed(0)} KB ${large.r.timedOut ? 'killed' : `${(large.rate / 1000).toFixed(2)} s/MB`} (growth ${growth.toFixed(2)}×, ${ratio.toFixed(1)}× normal text)`,
	};
});

// 6. Smaller ones.
await kase('6a', 'UTF-16 with a BOM', 'decoded (findings), or "UTF-16 is not supported"; never "binary"', async () => {
	const p = write(join(T, 'c6a', 'u16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Patient seen on 3/4/2019 by Dr. Carter.\n', 'utf16le')]));
	const r = await run(['scan', '--json', p], { timeoutMs: 20000 });
	let findings = 0;
	try {
		findings = JSON.parse(r.stdout.split('\n')[0]).findings.length;
	} catch {
		findings = 0;
	}
	const says16 = /utf-?16/i.test(r.stderr);
	const binary = /binary/i.test(r.stderr);
	return { pass: !crashy(r) && !binary && (findings > 0 || says16), detail: `${shape(r)}; findings ${findings}; message says UTF-16: ${yn(says16)}, says binary: ${yn(binary)}` };
});
await kase('6b', 'scan exit code when files were skipped', 'non-zero exit', async () => {
	const d = dir('c6b');
	write(join(d, 'good.txt'), 'Seen on 3/4/2019.\n');
	write(join(d, 'bin.txt'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 7, 8, 0, 0xc3]));
	const r = await run(['scan', d], { timeoutMs: 20000 });
	return { pass: r.code !== 0 && r.code !== null && !crashy(r), detail: `${shape(r)}; ${firstLine(r)}` };
});
await kase('6c', 'output folder with same-named files and an old report', 'refuses (mentions --force) or warns; never silently overwrites', async () => {
	const d = dir('c6c');
	write(join(d, 'in', 'a.txt'), 'Seen on 3/4/2019.\n');
	write(join(d, 'out', 'a.txt'), 'a file the user keeps here\n');
	write(join(d, 'out', 'deid-report.md'), '# De-identification report\n\nan earlier run\n');
	write(join(d, 'out', 'deid-report.json'), '{"tool":"vscode-deid","files":[]}\n');
	const before = snapshot(join(d, 'out'));
	const r = await run(['deidentify', join(d, 'in'), join(d, 'out'), '--key-file', keyFile(), '--workers', '0'], { timeoutMs: 30000 });
	const untouched = sameSnap(before, snapshot(join(d, 'out')));
	const msg = r.stdout + r.stderr;
	const refused = r.code !== 0 && untouched && /--force/.test(msg);
	const warned = r.code === 0 && /overwr|replac|already|exist/i.test(r.stderr);
	let force = '';
	if (refused) {
		const f = await run(['deidentify', join(d, 'in'), join(d, 'out'), '--key-file', keyFile(), '--workers', '0', '--force'], { timeoutMs: 30000 });
		force = `; with --force: exit ${f.code}`;
	}
	return { pass: !crashy(r) && (refused || warned), detail: `${shape(r)}; refused: ${yn(refused)}, warned: ${yn(warned)}, output folder unchanged: ${yn(untouched)}${force}` };
});
await kase('6d', 'SIGKILL of a resumed run keeps the manifest', 'manifest entries never drop below the first run', async () => {
	const d = dir('c6d');
	const files = 8000;
	for (let i = 0; i < files; i++) write(join(d, 'in', `p${i % 80}`, `n${i}.txt`), `Note ${i}. Seen on 3/4/2019 for follow up. Vitals stable.\n`);
	const args = ['deidentify', join(d, 'in'), join(d, 'out'), '--key-file', keyFile(), '--workers', '0'];
	const r1 = await run(args, { timeoutMs: 120000 });
	const manifest = join(d, 'out', 'deid-manifest.json');
	const count = () => {
		try {
			return JSON.parse(readFileSync(manifest, 'utf8')).files.length;
		} catch {
			return -1;
		}
	};
	const n1 = count();
	// new work, so the resumed run is still busy after re-checking the finished files
	for (let i = files; i < files + 3000; i++) write(join(d, 'in', `p${i % 80}`, `n${i}.txt`), `Note ${i}. Seen on 5/6/2019.\n`);
	let min = Infinity;
	let rewrites = 0;
	const r2 = await run(args, {
		timeoutMs: 120000,
		onSpawn: (p) => {
			let mtime = statSync(manifest).mtimeMs;
			const t0 = Date.now();
			const poll = setInterval(() => {
				let m;
				try {
					m = statSync(manifest).mtimeMs;
				} catch {
					return;
				}
				if (m !== mtime) {
					mtime = m;
					rewrites++;
					min = Math.min(min, count());
				}
				// mid-way: at the second rewrite of the manifest, or at 70% of the first run's time
				if (rewrites >= 2 || Date.now() - t0 > 0.7 * r1.ms) {
					clearInterval(poll);
					p.kill('SIGKILL');
				}
			}, 15);
			p.once('close', () => clearInterval(poll));
		},
	});
	const n2 = count();
	min = Math.min(min, n2);
	return { pass: r1.code === 0 && n1 === files && min >= n1, detail: `run 1 ${shape(r1)}, ${n1} entries; resumed run killed: ${yn(r2.signal === 'SIGKILL')} after ${secs(r2.ms)}; fewest entries seen ${min}, after the kill ${n2}` };
}, 240000);

// 7. File names are PHI.
await kase('7', 'file names as PHI', 'planted name/number in no output path, report, manifest or claims; no absolute paths', async () => {
	const d = dir('c7');
	write(join(d, 'in', 'Margaret Okafor 4829301.txt'), 'Seen on 3/4/2019 for follow up.\n');
	write(join(d, 'in', 'Okafor-Margaret', 'visit-555-0199.txt'), 'Seen on 5/6/2019, stable.\n');
	const out = join(d, 'out');
	const r = await run(['deidentify', join(d, 'in'), out, '--operation', 'surrogate', '--key-file', keyFile(), '--workers', '0'], { timeoutMs: 30000 });
	const paths = listAll(out);
	const inPaths = paths.some((p) => planted(p));
	const inReports = planted(readIf(join(out, 'deid-report.md')) + readIf(join(out, 'deid-report.json')));
	const manifest = readIf(join(out, 'deid-manifest.json'));
	const claims = readIf(join(out, 'deid-manifest.claims.ndjson'));
	const absolute = manifest.includes(T) || claims.includes(T);
	const inConsole = planted(r.stdout + r.stderr);
	const ok = r.code === 0 && !inPaths && !inReports && !planted(manifest) && !planted(claims) && !absolute && !inConsole;
	return { pass: ok, detail: `${shape(r)}; planted value in: output paths ${yn(inPaths)}, reports ${yn(inReports)}, manifest ${yn(planted(manifest))}, claims ${yn(planted(claims))}, console ${yn(inConsole)}; absolute input path in manifest/claims ${yn(absolute)}` };
});

// 8. FHIR values the configuration cannot handle.
function fhirInput(p) {
	const lines = [
		{ resourceType: 'Patient', id: 'p1', gender: 'Margaret Okafor 555-0199', active: 'Okafor4829301', birthDate: '1950-02-03' },
		{ resourceType: 'Okafor4829301', id: 'x1' },
	];
	write(p, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}
await kase('8a', 'deid fhir: invalid gender/active, unknown resourceType', 'planted values in neither output nor messages', async () => {
	const d = dir('c8a');
	fhirInput(join(d, 'in.ndjson'));
	const r = await run(['fhir', join(d, 'in.ndjson'), join(d, 'out.ndjson'), '--key-file', keyFile()], { timeoutMs: 30000 });
	const inOut = planted(readIf(join(d, 'out.ndjson')));
	const inMsg = planted(r.stdout + r.stderr);
	return { pass: !crashy(r) && !inOut && !inMsg && !r.timedOut, detail: `${shape(r)}; planted value in output: ${yn(inOut)}, in messages: ${yn(inMsg)}` };
});
await kase('8b', 'deidentify --fhir-config default: same input', 'planted values in neither output, report nor messages', async () => {
	const d = dir('c8b');
	fhirInput(join(d, 'in', 'r.ndjson'));
	const r = await run(['deidentify', join(d, 'in'), join(d, 'out'), '--fhir-config', 'default', '--key-file', keyFile(), '--workers', '0'], { timeoutMs: 30000 });
	const inOut = planted(readIf(join(d, 'out', 'r.ndjson')));
	const inRep = planted(readIf(join(d, 'out', 'deid-report.json')) + readIf(join(d, 'out', 'deid-report.md')));
	const inMsg = planted(r.stdout + r.stderr);
	return { pass: !crashy(r) && !inOut && !inRep && !inMsg && !r.timedOut, detail: `${shape(r)}; planted value in output: ${yn(inOut)}, report: ${yn(inRep)}, messages: ${yn(inMsg)}` };
});

// 9. Labelled addresses with surrogates.
await kase('9', 'ZIP survives surrogates', 'no part of either address in the output', async () => {
	const d = dir('c9');
	const src = write(join(d, 'addr.txt'), 'Address: 1457 Larkspur Avenue, Dunmore, PA 18512\nAddress: 9 Elm Rd, Albany NY 12203-1234\n');
	const r = await run(['deidentify', src, join(d, 'out', 'addr.txt'), '--operation', 'surrogate', '--key-file', keyFile(), '--workers', '0'], { timeoutMs: 30000 });
	const out = readIf(join(d, 'out', 'addr.txt'));
	const parts = { number: ['1457'], street: ['Larkspur', 'Elm'], town: ['Dunmore', 'Albany'], zip: ['18512', '12203', '1234'] };
	const kept = Object.entries(parts).filter(([, vs]) => vs.some((v) => new RegExp(`\\b${v}\\b`).test(out))).map(([k]) => k);
	return { pass: r.code === 0 && out !== '' && kept.length === 0, detail: `${shape(r)}; parts kept: ${kept.length ? kept.join(', ') : 'none'}` };
});

// 10. Seven-digit phone numbers without a label.
await kase('10', 'seven-digit phones found', 'found in text and in NDJSON telecom', async () => {
	const d = dir('c10');
	write(join(d, 'a.txt'), 'The patient called 555-0199 yesterday about the refill.\n');
	write(join(d, 'b.ndjson'), JSON.stringify({ resourceType: 'Patient', id: 'p1', telecom: [{ system: 'phone', value: '555-0199' }] }) + '\n');
	const r = await run(['scan', '--json', d], { timeoutMs: 20000 });
	const covered = {};
	for (const line of r.stdout.split('\n').filter(Boolean)) {
		try {
			const j = JSON.parse(line);
			const text = readFileSync(j.path, 'utf8');
			const at = text.indexOf('555-0199');
			covered[j.path.endsWith('.txt') ? 'text' : 'ndjson'] = j.findings.some((f) => f.start <= at && f.end >= at + 8);
		} catch {
			/* not a result line */
		}
	}
	return { pass: !!covered.text && !!covered.ndjson, detail: `${shape(r)}; found in text: ${yn(covered.text)}, in NDJSON telecom: ${yn(covered.ndjson)}` };
});

// 11-16. `deid serve` over Azurite.
let serve;
const serveState = join(T, 'serve-state');
async function needServe() {
	azurite ??= await startAzurite();
	if (!serve || serve.proc.exitCode !== null || serve.proc.signalCode !== null) {
		serve = await startServe({ stateDir: serveState });
		if (!serve.up) throw new Error('deid serve did not start');
	}
	return serve;
}
await kase('11', 'serve: SSRF via sourceLocation', 'no signed request reaches another host (job refused or fails)', async () => {
	const s = await needServe();
	const seen = [];
	const trap = createServer((req, res) => {
		seen.push({ auth: !!req.headers.authorization });
		res.writeHead(404).end();
	});
	servers.add(trap);
	await new Promise((r) => trap.listen(0, '127.0.0.1', r));
	const port = trap.address().port;
	await container('ssrf-dst');
	const spec = { operation: 'Redact', sourceLocation: { location: `http://127.0.0.1:${port}/devstoreaccount1/src`, prefix: '' }, targetLocation: { location: azurite.url('ssrf-dst'), prefix: 'o/' } };
	const put = await http('PUT', `${s.url}/jobs/ssrf-1?${API}`, { token: TOKEN, body: spec });
	if (put.status === 201) await waitJob(s, 'ssrf-1', 10000);
	await new Promise((r) => trap.close(r));
	servers.delete(trap);
	const signed = seen.filter((x) => x.auth).length;
	return { pass: signed === 0, detail: `PUT ${put.status}; requests at the other port: ${seen.length}, with an Authorization header: ${signed}` };
});
await kase('12', 'serve: targetLocation.prefix ../private/', 'nothing written into another container', async () => {
	const s = await needServe();
	const src = await container('esc-src');
	await container('esc-dst');
	const priv = await container('private');
	await src.getBlockBlobClient('in/a.txt').upload('Seen on 3/4/2019.\n', 18);
	const put = await http('PUT', `${s.url}/jobs/escape-1?${API}`, { token: TOKEN, body: jobSpec('esc-src', 'in/', 'esc-dst', '../private/') });
	let status = '';
	if (put.status === 201) status = `, job ${(await waitJob(s, 'escape-1', 15000))?.status}`;
	const leaked = (await blobNames(priv)).length;
	return { pass: leaked === 0, detail: `PUT ${put.status}${status}; blobs in the other container: ${leaked}` };
});
await kase('14a', 'serve: /jobs/%ZZ', '400', async () => {
	const s = await needServe();
	const r = await http('GET', `${s.url}/jobs/%ZZ?${API}`, { token: TOKEN });
	return { pass: r.status === 400, detail: `HTTP ${r.status}` };
});
await kase('14b', 'serve: Host: [::1', '400', async () => {
	const s = await needServe();
	const st = await rawStatus(s.port, `GET /jobs?${API} HTTP/1.1\r\nHost: [::1\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
	return { pass: st === 400, detail: `HTTP ${st || 'no answer'}` };
});
await kase('14c', 'serve: no token / wrong token', '401 without a token; 401 or 403 with a wrong one', async () => {
	const s = await needServe();
	const none = await http('GET', `${s.url}/jobs?${API}`);
	const wrong = await http('GET', `${s.url}/jobs?${API}`, { token: 'x' + TOKEN.slice(1) });
	return { pass: none.status === 401 && [401, 403].includes(wrong.status), detail: `no token ${none.status}, wrong token ${wrong.status}` };
});
await kase('14d', 'serve: bad api-version, bad JSON, oversize body', '400, 400, 413', async () => {
	const s = await needServe();
	const v = await http('GET', `${s.url}/jobs?api-version=1999-01-01`, { token: TOKEN });
	const j = await http('PUT', `${s.url}/jobs/badjson-1?${API}`, { token: TOKEN, body: '{"operation": "Redact", ' });
	const big = await http('POST', `${s.url}/deid?${API}`, { token: TOKEN, body: JSON.stringify({ inputText: 'a'.repeat(60 * 1024) }) });
	return { pass: v.status === 400 && j.status === 400 && big.status === 413, detail: `api-version ${v.status}, bad JSON ${j.status}, 60 KB body ${big.status || big.error}` };
});
await kase('14e', 'serve: job name traversal', '400 or 404, nothing created', async () => {
	const s = await needServe();
	const r = await http('PUT', `${s.url}/jobs/..%2F..%2Fetc?${API}`, { token: TOKEN, body: jobSpec('esc-src', 'in/', 'esc-dst', 'x/') });
	return { pass: [400, 404].includes(r.status), detail: `HTTP ${r.status}` };
});
await kase('14f', 'serve: missing target container', 'the error does not blame the input document', async () => {
	const s = await needServe();
	const src = await container('mt-src');
	await src.getBlockBlobClient('in/a.txt').upload('Seen on 3/4/2019.\n', 18);
	const put = await http('PUT', `${s.url}/jobs/missing-target?${API}`, { token: TOKEN, body: jobSpec('mt-src', 'in/', 'no-such-container', 'o/') });
	let msg = 'none';
	let blamesInput = false;
	if (put.status === 201) {
		const job = await waitJob(s, 'missing-target', 15000);
		const docs = await http('GET', `${s.url}/jobs/missing-target/documents?${API}`, { token: TOKEN });
		const errs = [job?.error, ...(docs.json?.value ?? []).map((x) => x.error)].filter(Boolean);
		blamesInput = errs.some((e) => /input document was not found/i.test(e.message));
		msg = errs.map((e) => e.code).join(', ') || 'no error';
	} else msg = `PUT ${put.status}`;
	return { pass: !blamesInput, detail: `codes: ${msg}; blames the input: ${yn(blamesInput)}` };
});
await kase('14g', 'serve: 1-character token', 'refuses to start', async () => {
	await needServe();
	const s = await startServe({ stateDir: join(T, 'serve-short'), token: 'x', timeoutMs: 8000 });
	const exited = s.proc.exitCode !== null;
	s.kill();
	return { pass: !s.up && exited && s.proc.exitCode !== 0, detail: s.up ? 'listening with a 1-character token' : `exit ${s.proc.exitCode}; ${firstLine({ stderr: s.stderr() })}` };
});
await kase('14h', 'serve: SIGKILL + restart with a job in flight', 'job Succeeded, no document fails with BlobAlreadyExists', async () => {
	const s = await needServe();
	const src = await container('kill-src');
	await container('kill-dst');
	const text = normalText(6000, 11);
	await Promise.all(Array.from({ length: 40 }, (_, i) => src.getBlockBlobClient(`in/n${String(i).padStart(2, '0')}.txt`).upload(text, Buffer.byteLength(text))));
	const put = await http('PUT', `${s.url}/jobs/kill-1?${API}`, { token: TOKEN, body: jobSpec('kill-src', 'in/', 'kill-dst', 'out/') });
	if (put.status !== 201) return { pass: false, detail: `PUT ${put.status}` };
	let done = 0;
	for (let i = 0; i < 300 && done < 3; i++) {
		done = (await http('GET', `${s.url}/jobs/kill-1?${API}`, { token: TOKEN })).json?.summary?.successful ?? 0;
		if (done < 3) await sleep(20);
	}
	await stopProc(s.proc);
	serve = undefined;
	const s2 = await needServe();
	const job = await waitJob(s2, 'kill-1', 60000);
	const docs = await http('GET', `${s2.url}/jobs/kill-1/documents?${API}&maxpagesize=100`, { token: TOKEN });
	const exists = (docs.json?.value ?? []).filter((x) => x.error?.code === 'BlobAlreadyExists').length;
	const sm = job?.summary;
	return { pass: job?.status === 'Succeeded' && sm?.failed === 0 && exists === 0, detail: `killed after ${done} documents; job ${job?.status}, ${sm?.successful}/${sm?.total} succeeded, ${sm?.failed} failed (${exists} BlobAlreadyExists)` };
});

// 15. Secrets in the state file.
await kase('15', 'serve state file: mode and key material', 'mode 0600, no 64-hex strings or "key" fields', async () => {
	await needServe();
	const p = join(serveState, 'deid-serve-state.json');
	if (!existsSync(p)) return { pass: false, detail: 'no state file (no job ran?)' };
	const mode = statSync(p).mode & 0o777;
	const text = readFileSync(p, 'utf8');
	const hex = (text.match(/\b[0-9a-f]{64}\b/gi) ?? []).length;
	const keyField = /"key"\s*:/.test(text);
	return { pass: (mode & 0o077) === 0 && hex === 0 && !keyField, detail: `mode ${mode.toString(8).padStart(4, '0')}; 64-hex strings ${hex}; "key" field ${yn(keyField)}` };
});

// 16. Storage secrets off the command line.
await kase('16', 'storage secrets from env/file', '--help names env/file alternatives, and they work', async () => {
	const s = await needServe();
	const help = (await run(['--help'], { timeoutMs: 10000 })).stdout;
	const helpCs = /DEID_STORAGE_CONNECTION_STRING|--storage-connection-string-file/.test(help);
	const helpSas = /DEID_STORAGE_SAS|--storage-sas-file/.test(help);
	const d = dir('c16');
	// serve: the connection string from a file
	const csFile = write(join(d, 'cs.txt'), azurite.cs + '\n');
	chmodSync(csFile, 0o600);
	const viaFile = await startServe({ stateDir: join(d, 'sf'), args: ['--storage-connection-string-file', csFile], timeoutMs: 10000 });
	viaFile.kill();
	// job submit: the connection string from the environment, and a SAS from a file
	write(join(d, 'f', 'a.txt'), 'Seen on 3/4/2019.\n');
	const tok = write(join(d, 'tok'), TOKEN + '\n');
	await container('env-cs');
	const sub = (args, env, out) => run(['job', 'submit', join(d, 'f'), '--endpoint', s.url, '--out', join(d, out), '--token-file', tok, ...args], { env, timeoutMs: 30000 });
	const envRun = await sub(['--container-url', azurite.url('env-cs')], { DEID_STORAGE_CONNECTION_STRING: azurite.cs }, 'o-env');
	const { StorageSharedKeyCredential, generateBlobSASQueryParameters, ContainerSASPermissions } = createRequire(join(ROOT, 'package.json'))('@azure/storage-blob');
	await container('sas-file');
	const sas = generateBlobSASQueryParameters({ containerName: 'sas-file', permissions: ContainerSASPermissions.parse('racwdl'), expiresOn: new Date(Date.now() + 3600e3) }, new StorageSharedKeyCredential('devstoreaccount1', AZURITE_KEY)).toString();
	const sasFile = write(join(d, 'sas.txt'), sas + '\n');
	const sasRun = await sub(['--container-url', azurite.url('sas-file'), '--storage-sas-file', sasFile], {}, 'o-sas');
	const sasEnvRun = await sub(['--container-url', azurite.url('sas-file')], { DEID_STORAGE_SAS: sas }, 'o-sas-env');
	const worked = (r, out) => (r.code === 0 && existsSync(join(d, out, 'a.txt')) ? 'works' : `exit ${r.code}`);
	const got = { envCs: worked(envRun, 'o-env'), sasFile: worked(sasRun, 'o-sas'), sasEnv: worked(sasEnvRun, 'o-sas-env') };
	return {
		pass: helpCs && helpSas && viaFile.up && Object.values(got).every((v) => v === 'works'),
		detail: `--help names: CS ${yn(helpCs)}, SAS ${yn(helpSas)}; serve --storage-connection-string-file: ${viaFile.up ? 'works' : 'refused'}; submit with DEID_STORAGE_CONNECTION_STRING: ${got.envCs}, --storage-sas-file: ${got.sasFile}, DEID_STORAGE_SAS: ${got.sasEnv}`,
	};
});

// 13 last among the serve cases: before the fix the request blocks the server for about 40 s.
await kase('13', 'serve: POST /deid with Jan 1 ×8000 vs GET /jobs', 'GET /jobs answers within 100 ms (median) while the document runs', async () => {
	const s = await needServe();
	const post = http('POST', `${s.url}/deid?${API}`, { token: TOKEN, body: { inputText: 'Jan 1 '.repeat(8000), operation: 'Surrogate' }, timeoutMs: 15000 });
	await sleep(300);
	const lat = [];
	for (let i = 0; i < 5; i++) {
		const r = await http('GET', `${s.url}/jobs?${API}`, { token: TOKEN, timeoutMs: 5000 });
		lat.push(r.status === 200 ? r.ms : Infinity);
		if (r.status !== 200) break;
		await sleep(100);
	}
	const p = await post;
	lat.sort((a, b) => a - b);
	const median = lat[Math.floor(lat.length / 2)];
	// the server may still be busy with the document: a fresh one for whatever runs next
	await stopProc(s.proc);
	serve = undefined;
	const fmt = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : 'no answer in 5 s');
	return { pass: median <= 100, detail: `GET /jobs median ${fmt(median)}, worst ${fmt(lat[lat.length - 1])}; POST /deid ${p.timedOut ? 'no answer in 15 s' : `${p.status} in ${secs(p.ms)}`}` };
});

// 17. Key files.
async function withKey(text) {
	const d = dir(`c17-${createHash('sha256').update(text).digest('hex').slice(0, 8)}`);
	const src = write(join(d, 'a.txt'), 'Seen on 3/4/2019 by Dr. Carter.\n');
	const k = write(join(d, 'key'), text + '\n');
	const r = await run(['deidentify', src, join(d, 'out', 'a.txt'), '--operation', 'surrogate', '--key-file', k, '--workers', '0'], { timeoutMs: 30000 });
	return { r, wrote: existsSync(join(d, 'out', 'a.txt')) };
}
await kase('17a', '--key-file: 32 hex digits', 'refused, or read as hex, as the extension reads it (same fingerprint)', async () => {
	const hex = KEY_HEX.slice(0, 32);
	const d = dir('c17a');
	write(join(d, 'in', 'a.txt'), 'Seen on 3/4/2019 by Dr. Carter.\n');
	const k = write(join(d, 'key'), hex + '\n');
	const r = await run(['deidentify', join(d, 'in'), join(d, 'out'), '--operation', 'surrogate', '--key-file', k, '--workers', '0'], { timeoutMs: 30000 });
	// the extension's fingerprint of the same text read as hex (client/src/keys.ts)
	const extension = createHash('sha256').update('deid-key-fingerprint').update(Buffer.from(hex, 'hex')).digest('hex').slice(0, 16);
	let cli = '';
	try {
		cli = JSON.parse(readFileSync(join(d, 'out', 'deid-report.json'), 'utf8')).keyFingerprint;
	} catch {
		// refused: no report
	}
	const refused = r.code === 2 && /key/i.test(r.stderr) && !crashy(r);
	return { pass: refused || (r.code === 0 && cli === extension), detail: `${shape(r)}; refused: ${yn(refused)}; fingerprint as the extension's: ${yn(cli === extension)}` };
});
await kase('17b', '--key-file: a passphrase', 'refused with a clear message', async () => {
	const { r, wrote } = await withKey('correct horse battery staple');
	return { pass: r.code === 2 && !wrote && /key/i.test(r.stderr) && !crashy(r), detail: `${shape(r)}; output written: ${yn(wrote)}` };
});
await kase('17c', '--key-file: 64 hex / base64 of 32 bytes', 'both accepted', async () => {
	const hex = await withKey(KEY_HEX);
	const b64 = await withKey(Buffer.from(KEY_HEX, 'hex').toString('base64'));
	return { pass: hex.r.code === 0 && b64.r.code === 0, detail: `64 hex: exit ${hex.r.code}; base64: exit ${b64.r.code}` };
});

// 18. The claims file.
await kase('18a', 'claims file and manifest mode', '0600', async () => {
	const d = dir('c18a');
	for (let i = 0; i < 3; i++) write(join(d, 'in', `n${i}.txt`), normalText(1500, 20 + i));
	const r = await run(['deidentify', join(d, 'in'), join(d, 'out'), '--operation', 'surrogate', '--key-file', keyFile(), '--workers', '0'], { timeoutMs: 30000 });
	const mode = (f) => (existsSync(join(d, 'out', f)) ? statSync(join(d, 'out', f)).mode & 0o777 : -1);
	const c = mode('deid-manifest.claims.ndjson');
	const m = mode('deid-manifest.json');
	const fmt = (x) => (x < 0 ? 'absent' : x.toString(8).padStart(4, '0'));
	return { pass: c >= 0 && (c & 0o077) === 0 && m >= 0 && (m & 0o077) === 0, detail: `${shape(r)}; claims ${fmt(c)}, manifest ${fmt(m)}` };
});
await kase('18b', '--no-resume removes the claims file', 'exit 0 and no claims file at the end', async () => {
	const d = dir('c18b');
	for (let i = 0; i < 3; i++) write(join(d, 'in', `n${i}.txt`), normalText(1500, 30 + i));
	const r = await run(['deidentify', join(d, 'in'), join(d, 'out'), '--operation', 'surrogate', '--key-file', keyFile(), '--workers', '0', '--no-resume'], { timeoutMs: 30000 });
	const left = existsSync(join(d, 'out', 'deid-manifest.claims.ndjson'));
	return { pass: r.code === 0 && !left, detail: `${shape(r)}; claims file left: ${yn(left)}${r.code === 2 ? `; ${firstLine(r)}` : ''}` };
});

// Baselines of the audit: random files, adversarial shapes.
await kase('F', 'fuzz: 50 random files (scan + deidentify)', 'no stack trace/internal error; exit in {0,1,2}', async () => {
	const d = dir('cF', 'in');
	const rnd = mulberry32(20);
	const int = (n) => Math.floor(rnd() * n);
	const pieces = ['Dr. ', 'Mr. ', '{"', '":', '"}', '\n', '\r\n', '01/02/', '555-', '@', 'http://', '(', ')', 'Jan ', ' 1 ', '\u00e9', '\u{1F600}', '\ufeff', '\u0000', '\\u', '"', '\t', 'MRN ', '#'];
	for (let i = 0; i < 50; i++) {
		const kind = i % 4;
		let data;
		if (kind === 0) data = Buffer.from(Array.from({ length: int(4096) }, () => int(256)));
		else if (kind === 1) data = Buffer.from(Array.from({ length: int(4096) }, () => String.fromCharCode(32 + int(95))).join(''));
		else if (kind === 2) data = Buffer.from(Array.from({ length: int(400) }, () => pieces[int(pieces.length)] + (rnd() < 0.3 ? String(int(1e6)) : '')).join(''));
		else {
			// valid UTF-8 cut at a random byte, or not cut
			const b = Buffer.from(Array.from({ length: int(300) }, () => pieces[int(pieces.length)]).join(''));
			data = rnd() < 0.5 ? b.subarray(0, int(b.length + 1)) : b;
		}
		write(join(d, `f${i}.${['txt', 'ndjson', 'log', 'jsonl'][int(4)]}`), data);
	}
	const scan = await run(['scan', '--json', d], { timeoutMs: 60000 });
	const deid = await run(['deidentify', d, join(T, 'cF', 'out'), '--operation', 'surrogate', '--key-file', keyFile(), '--workers', '0'], { timeoutMs: 60000 });
	const ok = (r) => !crashy(r) && !r.timedOut && [0, 1, 2].includes(r.code);
	return { pass: ok(scan) && ok(deid), detail: `scan ${shape(scan)}; deidentify ${shape(deid)}` };
});
// A catastrophic pattern costs seconds to minutes on 100 KB. The shapes are scanned together (1 MB: start-up time
// and a loaded machine's noise matter little next to it); only when that is slow is each shape timed alone.
await kase('R', 'ReDoS sample through deid scan', 'all shapes ≤ 5× normal text per MB (+1.5 s); each named if not', async () => {
	const d = dir('cR');
	const scan = (path, timeoutMs = 60000) => run(['scan', '--json', path], { timeoutMs });
	const tiny = write(join(d, 'tiny.txt'), 'Seen on 3/4/2019.\n');
	const t0 = Math.min((await scan(tiny)).ms, (await scan(tiny)).ms);
	const n = 100 * 1024;
	const shapes = {
		digits: '1'.repeat(n),
		dashes: '1-'.repeat(n / 2),
		slashes: '1/'.repeat(n / 2),
		initials: 'A. '.repeat(n / 3),
		email: 'a.a@'.repeat(n / 4),
		titles: 'Dr. '.repeat(n / 4),
		url: 'http://a' + '/a'.repeat(n / 2),
		capitals: 'Aa '.repeat(n / 3),
		parens: '(555) '.repeat(n / 6),
		dates: 'Jan 1 '.repeat(n / 6),
	};
	let bytes = 0;
	for (const [k, text] of Object.entries(shapes)) {
		write(join(d, 'shapes', `${k}.txt`), text);
		bytes += Buffer.byteLength(text);
	}
	const normal = normalText(bytes, 9);
	const rn = await scan(write(join(d, 'normal', 'normal.txt'), normal));
	const ra = await scan(join(d, 'shapes'));
	const mb = bytes / 1048576;
	const normalS = Math.max(0, rn.ms - t0) / 1000;
	const advS = ra.timedOut ? Infinity : Math.max(0, ra.ms - t0) / 1000;
	const pass = !ra.timedOut && ra.code === 0 && !crashy(ra) && advS <= 5 * normalS + 1.5;
	let slowest = '';
	if (!pass) {
		let worst = ['', 0];
		for (const k of Object.keys(shapes)) {
			const r = await scan(join(d, 'shapes', `${k}.txt`), 20000);
			const t = r.timedOut ? Infinity : r.ms - t0;
			if (t > worst[1]) worst = [k, t];
		}
		slowest = `; slowest alone: ${worst[0]} ${Number.isFinite(worst[1]) ? secs(worst[1]) : '>20 s'}`;
	}
	return { pass, detail: `${Object.keys(shapes).length} shapes × 100 KB: ${Number.isFinite(advS) ? `${(advS / mb).toFixed(2)} s/MB` : 'killed after 60 s'}; normal text ${(normalS / mb).toFixed(2)} s/MB${slowest}` };
});

// ---------- report ----------

try {
	if (serve) await stopProc(serve.proc);
	if (azurite) await stopProc(azurite.proc);
} finally {
	cleanup();
}

const pad = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s.padEnd(n));
const rows = results.map((r) => [`${r.id} ${r.name}`, r.expect, r.result, r.detail]);
const widths = [50, 44, 6];
const line = (cells) => cells.map((c, i) => (i < widths.length ? pad(c, widths[i]) : c)).join(' | ');
console.log(line(['case', 'expectation', 'result', 'detail']));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-') + '-|-' + '-'.repeat(20));
for (const r of rows) console.log(line(r));
const count = (k) => results.filter((r) => r.result === k).length;
console.log(`\n${count('PASS')} PASS, ${count('FAIL')} FAIL, ${count('ERROR')} ERROR of ${results.length} cases; ${((performance.now() - started) / 1000).toFixed(0)} s`);
mkdirSync(join(ROOT, '.bench'), { recursive: true });
writeFileSync(join(ROOT, '.bench', 'hostile.json'), JSON.stringify({ when: new Date().toISOString(), node: process.version, results }, null, 2) + '\n');
console.log('→ .bench/hostile.json');
process.exit(0);
