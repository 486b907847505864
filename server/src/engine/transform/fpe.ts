import { FPE_COMPACT, hexDigest, type KeyedHash } from './keyed';

/**
 * Values of the format-preserving Feistel rounds over halves of at most three characters (years, ages, short
 * codes), per keyed hash, shape and round, keyed by the half's digits packed into a number (no key string to
 * build and hash on the hot path of numbers). Bounded: past the limit the tables start again.
 */
interface FpeTables {
	shapes: Map<string, Map<number, readonly number[]>[]>;
	size: number;
}
const FPE_TABLES = new WeakMap<KeyedHash, FpeTables>();
/** The tables of one key and shape (one map per round), and the key's tables (for their size). */
function fpeRounds(hash: KeyedHash, shape: string): { tables: FpeTables; byRound: Map<number, readonly number[]>[] } {
	let tables = FPE_TABLES.get(hash);
	if (!tables || tables.size >= 200_000) FPE_TABLES.set(hash, (tables = { shapes: new Map(), size: 0 }));
	let byRound = tables.shapes.get(shape);
	if (!byRound) tables.shapes.set(shape, (byRound = []));
	return { tables, byRound };
}

/** The letters and digits of a value: positions, radices, values, and the shape that names each class ("999-AAA"). */
interface Shape {
	positions: number[];
	radices: number[];
	values: number[];
	shape: string;
}

function readShape(original: string): Shape {
	const positions: number[] = [];
	const radices: number[] = [];
	const values: number[] = [];
	let shape = '';
	for (let i = 0; i < original.length; i++) {
		const c = original.charCodeAt(i);
		if (c >= 48 && c <= 57) {
			positions.push(i);
			radices.push(10);
			values.push(c - 48);
			shape += '9';
		} else if (c >= 97 && c <= 122) {
			positions.push(i);
			radices.push(26);
			values.push(c - 97);
			shape += 'a';
		} else if (c >= 65 && c <= 90) {
			positions.push(i);
			radices.push(26);
			values.push(c - 65);
			shape += 'A';
		} else {
			// copied as is, code unit by code unit (so an astral character stays whole)
			const ch = original[i];
			shape += ch === '9' || ch === 'a' || ch === 'A' ? '\\' + ch : ch;
		}
	}
	return { positions, radices, values, shape };
}

/** A round's offsets for the positions [from, to) of the other half: `length` numbers from the keyed hash. */
type RoundFunction = (round: number, y: number[], from: number, to: number, length: number) => readonly number[];

function roundFunction(hash: KeyedHash, shape: string, compact: boolean): RoundFunction {
	// a long value's shape and halves enter the hash as digests, or each block would hash the whole value again
	const shapeKey = compact ? hexDigest(hash(`fpe shape\u0000${shape}`)) : shape;
	// a round function over a small domain (a half of three characters or fewer: years, ages, short codes) is kept
	const { tables, byRound } = fpeRounds(hash, shapeKey);
	const prefix = compact ? `fpe\u0001${shapeKey}\u0000` : `fpe\u0000${shape}\u0000`;
	return (round, y, from, to, length) => {
		// values are below 32 (radix 10 or 26), and a shape and round fix the half's length: the packing is one-to-one
		const small = to - from <= 3;
		let key = 0;
		if (small) {
			for (let i = from; i < to; i++) key = key * 32 + y[i];
			const hit = byRound[round]?.get(key);
			if (hit) return hit;
		}
		let half = '';
		for (let i = from; i < to; i++) half += i === from ? String(y[i]) : ',' + y[i];
		if (compact) half = hexDigest(hash(`fpe half\u0000${half}`));
		const out: number[] = [];
		for (let block = 0; out.length < length; block++) {
			const b = hash(`${prefix}${round}\u0000${block}\u0000${half}`);
			for (let j = 0; j < b.length - 1 && out.length < length; j += 2) out.push((b[j] << 8) | b[j + 1]);
		}
		if (small) {
			(byRound[round] ??= new Map()).set(key, out);
			tables.size++;
		}
		return out;
	};
}

/** A character-wise Feistel network over `y` in place (mixed radices); `inverse` undoes it. */
function feistel(y: number[], radices: readonly number[], f: RoundFunction, inverse: boolean): void {
	const n = y.length;
	const half = n >> 1 || n; // one position: a single half, a keyed shift
	const rounds = n === 1 ? 1 : 8;
	for (let k = 0; k < rounds; k++) {
		const r = inverse ? rounds - 1 - k : k;
		// even rounds change the first half from the second; odd rounds the second from the first
		const even = r % 2 === 0;
		const lo = even ? 0 : half;
		const hi = even ? half : n;
		if (hi <= lo) continue;
		const offsets = even ? f(r, y, half, n, hi - lo) : f(r, y, 0, half, hi - lo);
		for (let i = lo; i < hi; i++) y[i] = (((y[i] + (inverse ? -offsets[i - lo] : offsets[i - lo])) % radices[i]) + radices[i]) % radices[i];
	}
}

/** Add one to a mixed-radix number in place (the last position counts fastest). */
function increment(y: number[], radices: readonly number[]): void {
	for (let i = y.length - 1; i >= 0; i--) {
		y[i] = (y[i] + 1) % radices[i];
		if (y[i] !== 0) break;
	}
}

/** The original with its letters and digits replaced by `y` (letters keep their case). */
function writeShape(original: string, { positions, radices }: Shape, y: readonly number[]): string {
	let out = '';
	let from = 0;
	for (let i = 0; i < y.length; i++) {
		const pos = positions[i];
		const c = original.charCodeAt(pos);
		out += original.slice(from, pos) + String.fromCharCode((radices[i] === 10 ? 48 : c >= 97 ? 97 : 65) + y[i]);
		from = pos + 1;
	}
	return out + original.slice(from);
}

/**
 * Replace digits with digits and letters with letters of the same case; punctuation and length stay. The map is
 * a keyed permutation of all values of the same shape (a character-wise Feistel network, then one step along
 * the permuted order: E⁻¹(E(x) + 1)), so two different values never share a surrogate, in any run under the same
 * key, and no value maps to itself.
 */
export function shapeSurrogate(original: string, hash: KeyedHash): string {
	const shape = readShape(original);
	if (shape.values.length === 0) return original;
	const f = roundFunction(hash, shape.shape, original.length > FPE_COMPACT);
	const y = shape.values;
	feistel(y, shape.radices, f, false);
	increment(y, shape.radices);
	feistel(y, shape.radices, f, true);
	return writeShape(original, shape, y);
}
