import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ClaimStore } from '../../server/src/jobs/claimStore';
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
});
