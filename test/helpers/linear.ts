import { strict as assert } from 'node:assert';

/**
 * CPU time of one call, in milliseconds: this process's user and system time, so the time the machine gave to
 * other processes (parallel suites on a loaded 2-core machine) is not counted.
 */
export function cpuMs(fn: () => void): number {
	const c = process.cpuUsage();
	fn();
	const d = process.cpuUsage(c);
	return (d.user + d.system) / 1000;
}

export interface LinearOptions {
	/** Sizes compared (the large one is `factor` times the small one). */
	small?: number;
	factor?: number;
	/** The large input may take at most this many times the small one's time (linear is `factor`). */
	bound?: number;
	/** Milliseconds of slack for timer granularity and fixed costs. */
	slack?: number;
}

/**
 * Assert that `run` grows linearly from make(small) to make(small × factor): the best of several interleaved CPU
 * timings of each, compared with head-room (linear is 8×, quadratic 64×, the bound 24×). One slow measurement
 * (a collection, a descheduled helper thread) is retried; only a run that is slow three times in a row fails,
 * and a quadratic one is slow every time.
 */
export function assertLinear<T>(name: string, make: (n: number) => T, run: (input: T) => unknown, o: LinearOptions = {}): void {
	const small = o.small ?? 4000;
	const factor = o.factor ?? 8;
	const bound = o.bound ?? 24;
	const slack = o.slack ?? 40;
	const a = make(small);
	const b = make(small * factor);
	run(a); // warm up (compilation, dictionaries, caches)
	const seen: string[] = [];
	for (let attempt = 0; attempt < 3; attempt++) {
		let ta = Infinity;
		let tb = Infinity;
		for (let k = 0; k < 3; k++) {
			ta = Math.min(ta, cpuMs(() => run(a)));
			tb = Math.min(tb, cpuMs(() => run(b)));
		}
		ta = Math.max(ta, 1);
		if (tb < ta * bound + slack) return;
		seen.push(`${ta.toFixed(1)} ms → ${tb.toFixed(1)} ms`);
	}
	assert.fail(`${name}: not linear (${small} → ${small * factor} characters: ${seen.join('; ')})`);
}
