import type { Claim } from './processFile';

/**
 * Every file's surrogate claims, held compactly: a big folder repeats the same few thousand values in hundreds of
 * files, so each distinct unit and key digest is kept once and a file keeps only unit numbers and salts. Reads
 * back as [unit, key, salt] claims, file by file (a Map's interface, as far as the folder job uses one).
 */
export class ClaimStore {
	private readonly unitId = new Map<string, number>();
	private readonly units: string[] = [];
	/** Per unit, its key digest at each salt. */
	private readonly keys: Map<number, string>[] = [];
	private readonly files = new Map<string, { ids: Uint32Array; salts: Uint8Array }>();

	set(path: string, claims: readonly Claim[]): this {
		const ids = new Uint32Array(claims.length);
		const salts = new Uint8Array(claims.length);
		claims.forEach(([u, k, s], i) => {
			let id = this.unitId.get(u);
			if (id === undefined) {
				id = this.units.length;
				this.unitId.set(u, id);
				this.units.push(u);
				this.keys.push(new Map());
			}
			// salts only grow by one per round and rounds are capped, so a byte holds any of them
			const salt = Math.min(s, 255);
			this.keys[id].set(salt, k);
			ids[i] = id;
			salts[i] = salt;
		});
		this.files.set(path, { ids, salts });
		return this;
	}
	get(path: string): Claim[] | undefined {
		const f = this.files.get(path);
		return f && Array.from(f.ids, (id, i) => [this.units[id], this.keys[id].get(f.salts[i])!, f.salts[i]] as Claim);
	}
	has(path: string): boolean {
		return this.files.has(path);
	}
	delete(path: string): boolean {
		return this.files.delete(path);
	}
	get size(): number {
		return this.files.size;
	}
	paths(): string[] {
		return [...this.files.keys()];
	}
	*[Symbol.iterator](): IterableIterator<[string, Claim[]]> {
		for (const p of this.files.keys()) yield [p, this.get(p)!];
	}
	/** Every claim of every file, without building claim arrays (a big folder holds millions). */
	forEachClaim(fn: (unit: string, key: string, salt: number) => void): void {
		for (const f of this.files.values()) for (let i = 0; i < f.ids.length; i++) fn(this.units[f.ids[i]], this.keys[f.ids[i]].get(f.salts[i])!, f.salts[i]);
	}
	/** Files holding a unit at a salt other than the one given (they must be redone). */
	stale(saltOf: (unit: string) => number): string[] {
		const out: string[] = [];
		for (const [p, f] of this.files) {
			for (let i = 0; i < f.ids.length; i++) {
				if (f.salts[i] !== Math.min(saltOf(this.units[f.ids[i]]), 255)) {
					out.push(p);
					break;
				}
			}
		}
		return out;
	}
}
