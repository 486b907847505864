/** Keyed hash (HMAC-SHA256 in production), injected so the engine stays pure and tests deterministic. */
export type KeyedHash = (data: string) => Uint8Array;

/** Values longer than this enter keyed hashes by digest: hashing them whole every time costs the square of their length. */
export const FPE_COMPACT = 64;

export function hexDigest(bytes: Uint8Array): string {
	let s = '';
	for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
	return s;
}

/** Deterministic choices from a keyed hash of (type, normalised value). */
export class Picker {
	/** Hashed on first use: a picker that is never asked costs nothing. */
	private bytes: Uint8Array | undefined;
	private offset = 0;
	constructor(
		private readonly hash: KeyedHash,
		private seed: string,
	) {}
	next(): number {
		if (!this.bytes) this.bytes = this.hash(this.seed);
		if (this.offset + 4 > this.bytes.length) {
			// a long seed goes on from its digest (a keyed digest of it already), so a refill does not rehash it whole
			if (this.seed.length > FPE_COMPACT) this.seed = `picker\u0000${hexDigest(this.bytes)}`;
			this.bytes = this.hash(this.seed + ':' + this.bytes.join(','));
			this.offset = 0;
		}
		const b = this.bytes;
		const value = ((b[this.offset] << 24) | (b[this.offset + 1] << 16) | (b[this.offset + 2] << 8) | b[this.offset + 3]) >>> 0;
		this.offset += 4;
		return value;
	}
	int(n: number): number {
		return n <= 0 ? 0 : this.next() % n;
	}
	pick<T>(list: readonly T[]): T {
		return list[this.int(list.length)];
	}
}

/**
 * Values of Feistel round functions over small domains, per keyed hash (the hash function stands for its key;
 * one table per use). Bounded: past the limit a table starts again.
 */
const ROUND_CACHES = new Map<string, WeakMap<KeyedHash, Map<string, unknown>>>();
function roundCache<T>(use: string, hash: KeyedHash): Map<string, T> {
	let byHash = ROUND_CACHES.get(use);
	if (!byHash) ROUND_CACHES.set(use, (byHash = new WeakMap()));
	let cache = byHash.get(hash);
	if (!cache || cache.size >= 200_000) byHash.set(hash, (cache = new Map()));
	return cache as Map<string, T>;
}

const PERMUTATION_ROUNDS = 6;

/**
 * A keyed permutation of 0..n-1 without fixed points: a bit-wise Feistel network with cycle walking, E, then one
 * step along the permuted order: E⁻¹(E(i) + 1 mod n). Dictionary names map through it onto the same dictionary,
 * so no two of them share a surrogate (in any run under the same key) and none keeps its own.
 */
export function permuteIndex(i: number, n: number, hash: KeyedHash, label: string): number {
	if (n < 2) return i;
	const bits = Math.max(2, Math.ceil(Math.log2(n)));
	const lowBits = bits >> 1;
	const highBits = bits - lowBits;
	// the round function's domain is only 2^(bits/2) per round, so its values are kept per key
	const cache = roundCache<number>('perm', hash);
	const roundFunction = (round: number, x: number, width: number) => {
		const key = `perm\u0000${label}\u0000${round}\u0000${x}`;
		let v = cache.get(key);
		if (v === undefined) {
			const b = hash(key);
			cache.set(key, (v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0));
		}
		return v % 2 ** width;
	};
	const encrypt = (x: number, inverse: boolean) => {
		let high = Math.floor(x / 2 ** lowBits);
		let low = x % 2 ** lowBits;
		for (let k = 0; k < PERMUTATION_ROUNDS; k++) {
			const r = inverse ? PERMUTATION_ROUNDS - 1 - k : k;
			if (r % 2 === 0)
				high = inverse
					? (high - roundFunction(r, low, highBits) + 2 ** highBits) % 2 ** highBits
					: (high + roundFunction(r, low, highBits)) % 2 ** highBits;
			else
				low = inverse
					? (low - roundFunction(r, high, lowBits) + 2 ** lowBits) % 2 ** lowBits
					: (low + roundFunction(r, high, lowBits)) % 2 ** lowBits;
		}
		return high * 2 ** lowBits + low;
	};
	// cycle walking: values at or past n step on until they fall inside the domain
	const walk = (x: number, inverse: boolean) => {
		do x = encrypt(x, inverse);
		while (x >= n);
		return x;
	};
	return walk((walk(i, false) + 1) % n, true);
}
