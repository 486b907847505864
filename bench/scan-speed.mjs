// npm run bench:scan — `deid scan` throughput as a user sees it (process start-up included) over ~5 MB of notes in
// ~5,800 files (the PhysioNet dev notes, four copies), on all cores and with --jobs 1; the start-up alone (an
// empty file); and the one-thread/worker crossover on smaller folders. Best of 3 runs each: other processes share
// the machine. Compare with the one-core engine figure bench:accuracy prints (no start-up, no I/O).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const shared = resolve(process.env.DEID_SHARED ?? join(root, '..', 'shared'));
const corpus = join(shared, 'corpora/physionet-deid-dev/docs');
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
if (!existsSync(corpus)) {
	console.log(`scan speed: no corpus at ${corpus}; nothing measured`);
	process.exit(0);
}

const tmp = mkdtempSync(join(tmpdir(), 'deid-scan-speed-'));
try {
	const notes = readdirSync(corpus).filter((f) => f.endsWith('.txt')).sort();
	/** A folder of `copies` copies of the first `count` notes. */
	const folder = (name, copies, count = notes.length) => {
		const dir = join(tmp, name);
		let bytes = 0;
		let files = 0;
		for (let c = 0; c < copies; c++) {
			mkdirSync(join(dir, `copy-${c}`), { recursive: true });
			for (const n of notes.slice(0, count)) {
				copyFileSync(join(corpus, n), join(dir, `copy-${c}`, n));
				bytes += statSync(join(corpus, n)).size;
				files++;
			}
		}
		return { dir, bytes, files };
	};
	const best = (args, runs = 3, env = {}) => {
		let min = Infinity;
		for (let i = 0; i < runs; i++) {
			const t0 = process.hrtime.bigint();
			const r = spawnSync(process.execPath, [cli, 'scan', ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, ...env } });
			const s = Number(process.hrtime.bigint() - t0) / 1e9;
			if (r.status !== 0) throw new Error(`deid scan exited ${r.status}: ${r.stderr.slice(0, 200)}`);
			min = Math.min(min, s);
		}
		return min;
	};
	const empty = join(tmp, 'empty.txt');
	writeFileSync(empty, '');
	const startup = best([empty]);
	const big = folder('big', 4);
	const mb = big.bytes / 1e6;
	const all = best([big.dir]);
	const one = best(['--jobs', '1', big.dir]);
	const cores = availableParallelism();
	console.log(`deid scan, start-up included, best of 3 (${cores} cores):`);
	console.log(`  start-up (an empty file): ${(startup * 1000).toFixed(0)} ms`);
	// the one-core engine figure of the last bench:accuracy run (no start-up, no I/O), for comparison
	const acc = join(root, '.bench', 'accuracy.json');
	const engine = existsSync(acc) ? JSON.parse(readFileSync(acc, 'utf8')).engineSpeed : undefined;
	if (engine) console.log(`  engine alone (bench:accuracy): ${engine}`);
	console.log(`  ${big.files} files, ${mb.toFixed(1)} MB: all cores ${all.toFixed(2)} s = ${(mb / all).toFixed(2)} MB/s; --jobs 1 ${one.toFixed(2)} s = ${(mb / one).toFixed(2)} MB/s (${(one / all).toFixed(2)}x)`);
	// Where workers start to pay (PARALLEL_MIN_BYTES in server/src/cli/scan.ts): smaller folders on workers (the
	// threshold moved out of the way) and on one thread.
	console.log('  crossover:');
	for (const count of [60, 150, 300, 600, 1450]) {
		const f = folder(`small-${count}`, 1, count);
		const w = best(['--jobs', String(cores), f.dir], 3, { DEID_SCAN_PARALLEL_MIN_BYTES: '0' });
		const s = best(['--jobs', '1', f.dir]);
		console.log(`    ${f.files} files, ${(f.bytes / 1e3).toFixed(0)} KB: ${cores} workers ${w.toFixed(2)} s, one thread ${s.toFixed(2)} s`);
	}
} finally {
	rmSync(tmp, { recursive: true, force: true });
}
