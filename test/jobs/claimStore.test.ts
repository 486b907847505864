import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ClaimStore } from '../../server/src/jobs/claimStore';
import { resolveCollisions } from '../../server/src/jobs/folderJob';
import type { Claim } from '../../server/src/jobs/processFile';

describe('claim store (run-wide surrogate claims, held compactly)', () => {
	it('gives back each file its claims in order, with the key digest of each salt', () => {
		const store = new ClaimStore();
		const a: Claim[] = [['u1', 'k1', 0], ['u2', 'k2', 0], ['u3', 'k3b', 2]];
		const b: Claim[] = [['u2', 'k2', 0], ['u3', 'k3a', 1], ['u4', 'k4', 0], ['u1', 'k1', 0]];
		store.set('a.txt', a).set('b.txt', b);
		assert.deepEqual(store.get('a.txt'), a);
		assert.deepEqual(store.get('b.txt'), b);
		assert.deepEqual([...store].map(([p]) => p), ['a.txt', 'b.txt']);
		assert.equal(store.get('c.txt'), undefined);
		assert.equal(store.size, 2);
	});
	it('a rerun of a file replaces its claims; stale() lists files whose salt for a unit is no longer the run-wide one', () => {
		const store = new ClaimStore();
		store.set('a.txt', [['u1', 'k1', 0], ['u2', 'k2', 0]]);
		store.set('b.txt', [['u2', 'k2x', 1]]);
		store.set('c.txt', [['u3', 'k3', 0]]);
		const salts = new Map([['u2', 1]]);
		assert.deepEqual(store.stale((u) => salts.get(u) ?? 0), ['a.txt']);
		store.set('a.txt', [['u1', 'k1', 0], ['u2', 'k2x', 1]]);
		assert.deepEqual(store.get('a.txt'), [['u1', 'k1', 0], ['u2', 'k2x', 1]]);
		assert.deepEqual(store.stale((u) => salts.get(u) ?? 0), []);
		assert.ok(store.delete('c.txt'));
		assert.deepEqual(store.paths(), ['a.txt', 'b.txt']);
	});

	it('collision resolution in one pass moves exactly the units a full grouping by surrogate key moves', () => {
		// reference: group every current claim by key; at each key all but the first unit (lowest salt, then
		// lowest digest) move to their next salt
		const reference = (files: Claim[][], salts: Map<string, number>) => {
			const byKey = new Map<string, Map<string, number>>();
			const units = new Set<string>();
			for (const cs of files) for (const [u, k, s] of cs) {
				if (s !== (salts.get(u) ?? 0)) continue;
				if (!byKey.has(k)) byKey.set(k, new Map());
				byKey.get(k)!.set(u, s);
				units.add(u);
			}
			const losers = new Set<string>();
			let collisions = 0;
			for (const e of byKey.values()) {
				if (e.size < 2) continue;
				collisions++;
				for (const [u] of [...e].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(1)) losers.add(u);
			}
			for (const u of losers) salts.set(u, (salts.get(u) ?? 0) + 1);
			return { units: units.size, moved: losers.size, collisions };
		};
		let seed = 11;
		const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
		for (let round = 0; round < 200; round++) {
			const nUnits = 1 + Math.floor(rnd() * 40);
			const nKeys = 1 + Math.floor(rnd() * nUnits);
			const salts = new Map<string, number>();
			for (let u = 0; u < nUnits; u++) if (rnd() < 0.3) salts.set(`u${u}`, 1 + Math.floor(rnd() * 2));
			const keyOf = new Map<string, string>();
			const claim = (u: number): Claim => {
				const unit = `u${u}`;
				// mostly the current salt, sometimes a stale one; a unit keeps one key per salt
				const salt = rnd() < 0.8 ? (salts.get(unit) ?? 0) : Math.floor(rnd() * 3);
				const id = `${unit}/${salt}`;
				if (!keyOf.has(id)) keyOf.set(id, `k${Math.floor(rnd() * nKeys)}`);
				return [unit, keyOf.get(id)!, salt];
			};
			const files: Claim[][] = [];
			const store = new ClaimStore();
			for (let f = 0; f < 1 + Math.floor(rnd() * 6); f++) {
				const seen = new Set<number>();
				const cs: Claim[] = [];
				for (let i = 0; i < Math.floor(rnd() * 15); i++) {
					const u = Math.floor(rnd() * nUnits);
					if (!seen.has(u)) (seen.add(u), cs.push(claim(u)));
				}
				files.push(cs);
				store.set(`f${f}.txt`, cs);
			}
			const want = new Map(salts);
			const expected = reference(files, want);
			const viaStore = new Map(salts);
			assert.deepEqual(resolveCollisions(store, viaStore), expected, `round ${round}`);
			assert.deepEqual([...viaStore].sort(), [...want].sort(), `round ${round}`);
			// the same claims handed over file by file, without a store
			const viaFiles = new Map(salts);
			const plain = { forEachClaim: (fn: (u: string, k: string, s: number) => void) => files.forEach((cs) => cs.forEach(([u, k, s]) => fn(u, k, s))) };
			assert.deepEqual(resolveCollisions(plain, viaFiles), expected);
			assert.deepEqual([...viaFiles].sort(), [...want].sort());
		}
	});
});
