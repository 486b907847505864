import {
	deidentifyName,
	detectInName,
	distinctNames,
	type DetectOptions,
	type Dictionaries,
	type Finding,
	type Operation,
	type Policy,
	type SurrogateContext,
} from '../engine';
import { dateShiftDays, hmacHash } from '../node/hash';

export interface OutputNameOptions {
	operation: Operation;
	redactionFormat?: string;
	policy?: Policy;
	detect: DetectOptions;
	key: Uint8Array;
	locale?: string;
	/** The patient (date-shift unit) of a relative path. */
	patientOf: (rel: string) => string;
	shiftRange?: number;
	keepWeekday?: boolean;
}

/**
 * Output relative paths for a tree's input relative paths ('/'-separated): every folder and file name with PHI
 * is de-identified with the run's operation, consistently (a folder keeps one output name for all its files),
 * and names that would clash within a folder are made distinct. Paths without findings map to themselves.
 */
export function outputPaths(rels: readonly string[], dicts: Dictionaries, o: OutputNameOptions): Map<string, string> {
	const out = new Map<string, string>();
	if (o.operation === 'tag') {
		for (const r of rels) out.set(r, r);
		return out;
	}
	const hash = hmacHash(o.key);
	const memo = new Map<string, string>();
	const contexts = new Map<string, SurrogateContext>();
	const surrogateFor = (patient: string): SurrogateContext => {
		let surrogateContext = contexts.get(patient);
		if (!surrogateContext) {
			if (contexts.size > 10000) contexts.clear();
			contexts.set(
				patient,
				(surrogateContext = {
					dicts,
					hash,
					dateShiftDays: dateShiftDays(hash, patient, o.shiftRange, o.keepWeekday),
					memo,
					locale: o.locale,
				}),
			);
		}
		return surrogateContext;
	};
	const found = new Map<string, Finding[]>();
	const findingsOf = (name: string) => {
		let f = found.get(name);
		if (!f) found.set(name, (f = detectInName(name, dicts, o.detect)));
		return f;
	};
	// children of each folder (by its input relative path), in the order met
	const children = new Map<string, Map<string, boolean>>();
	for (const rel of rels) {
		const parts = rel.split('/');
		let dir = '';
		parts.forEach((name, i) => {
			let c = children.get(dir);
			if (!c) children.set(dir, (c = new Map()));
			const isDir = i < parts.length - 1;
			if (!c.has(name) || isDir) c.set(name, isDir);
			dir = dir ? `${dir}/${name}` : name;
		});
	}
	// output path of each folder, from the root down
	const folderOut = new Map<string, string>([['', '']]);
	const mappedChild = new Map<string, string>();
	const dirs = [...children.keys()].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0));
	for (const dir of dirs) {
		const names = new Map<string, string>();
		for (const [name, isDir] of [...children.get(dir)!].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
			const rel = dir ? `${dir}/${name}` : name;
			const surrogateContext = o.operation === 'surrogate' || o.policy ? surrogateFor(o.patientOf(isDir ? `${rel}/_` : rel)) : undefined;
			names.set(
				name,
				deidentifyName(name, findingsOf(name), {
					operation: o.operation,
					redactionFormat: o.redactionFormat,
					policy: o.policy,
					surrogate: surrogateContext,
				}),
			);
		}
		const base = folderOut.get(dir) ?? dir;
		for (const [name, mapped] of distinctNames(names)) {
			const rel = dir ? `${dir}/${name}` : name;
			const outRel = base ? `${base}/${mapped}` : mapped;
			mappedChild.set(rel, outRel);
			if (children.has(rel)) folderOut.set(rel, outRel);
		}
	}
	for (const r of rels) out.set(r, mappedChild.get(r) ?? r);
	return out;
}

/** A keyed digest of an input relative path: lets "Compare with Original" pair files without storing names. */
export function sourceDigest(key: Uint8Array, rel: string): string {
	return Buffer.from(hmacHash(key)(`deid-source-path\u0000${rel}`)).toString('hex').slice(0, 32);
}
