/**
 * A read-only string set or map held in typed arrays: an open-addressing hash table over the keys' UTF-16 code
 * units. Built at build time into dist/dictionaries.pack and used in place of a JS Map or Set, so loading the
 * dictionaries is reading one file (no 200,000 strings to allocate and hash, no collections to promote) and the
 * same memory can be shared between threads.
 */

/** The arrays of one table, as stored in the pack. */
export interface TableArrays {
	/** Every key's code units, one key after another (one byte each when every key is Latin-1). */
	chars: Uint8Array | Uint16Array;
	/** Key i is chars[offsets[i]..offsets[i + 1]]. */
	offsets: Uint32Array;
	/** Slot → key index + 1, or 0 when empty; the length is a power of two at least twice the key count. */
	slots: Uint32Array;
}

/** FNV-1a over UTF-16 code units. */
export function hashKey(key: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
	return h >>> 0;
}

/** The arrays for these keys (distinct; their order is kept as the key indexes). */
export function buildTable(keys: readonly string[]): TableArrays {
	let total = 0;
	for (const k of keys) total += k.length;
	const chars = keys.some((k) => /[^\u0000-\u00ff]/.test(k)) ? new Uint16Array(total) : new Uint8Array(total);
	const offsets = new Uint32Array(keys.length + 1);
	let at = 0;
	keys.forEach((k, i) => {
		offsets[i] = at;
		for (let j = 0; j < k.length; j++) chars[at++] = k.charCodeAt(j);
	});
	offsets[keys.length] = at;
	let size = 8;
	while (size < keys.length * 2) size *= 2;
	const slots = new Uint32Array(size);
	const table = new PackedSet({ chars, offsets, slots });
	keys.forEach((k, i) => {
		if (table.indexOf(k) >= 0) throw new Error('packed table: duplicate key');
		let s = hashKey(k) & (size - 1);
		while (slots[s] !== 0) s = (s + 1) & (size - 1);
		slots[s] = i + 1;
	});
	return { chars, offsets, slots };
}

/** Membership in a packed table; keys iterate in their stored order. */
export class PackedSet implements Iterable<string> {
	private readonly chars: Uint8Array | Uint16Array;
	private readonly offsets: Uint32Array;
	private readonly slots: Uint32Array;
	private readonly mask: number;
	readonly size: number;

	constructor(a: TableArrays) {
		this.chars = a.chars;
		this.offsets = a.offsets;
		this.slots = a.slots;
		this.mask = a.slots.length - 1;
		this.size = a.offsets.length - 1;
	}

	/** The key's index, or -1. */
	indexOf(key: string): number {
		const n = key.length;
		const { slots, offsets, chars, mask } = this;
		for (let s = hashKey(key) & mask; ; s = (s + 1) & mask) {
			const e = slots[s];
			if (e === 0) return -1;
			const a = offsets[e - 1];
			if (offsets[e] - a !== n) continue;
			let i = 0;
			while (i < n && chars[a + i] === key.charCodeAt(i)) i++;
			if (i === n) return e - 1;
		}
	}

	has(key: string): boolean {
		return this.indexOf(key) >= 0;
	}

	keyAt(i: number): string {
		return String.fromCharCode(...this.chars.subarray(this.offsets[i], this.offsets[i + 1]));
	}

	*[Symbol.iterator](): IterableIterator<string> {
		for (let i = 0; i < this.size; i++) yield this.keyAt(i);
	}
}

/**
 * A packed table with a value per key, read through `valueAt`. Object values are made once, on first read, so a
 * look-up allocates nothing after the first.
 */
export class PackedMap<V> implements Iterable<[string, V]> {
	private made?: (V | undefined)[];
	readonly size: number;

	constructor(
		readonly keys: PackedSet,
		private readonly valueAt: (i: number) => V,
		private readonly keepValues = false,
	) {
		this.size = keys.size;
	}

	private value(i: number): V {
		if (!this.keepValues) return this.valueAt(i);
		// filled, not sparse: V8 keeps a filled array's elements in fast mode
		const made = (this.made ??= new Array<V | undefined>(this.size).fill(undefined));
		return (made[i] ??= this.valueAt(i));
	}

	get(key: string): V | undefined {
		const i = this.keys.indexOf(key);
		return i < 0 ? undefined : this.value(i);
	}

	has(key: string): boolean {
		return this.keys.indexOf(key) >= 0;
	}

	*[Symbol.iterator](): IterableIterator<[string, V]> {
		for (let i = 0; i < this.size; i++) yield [this.keys.keyAt(i), this.value(i)];
	}
}
