import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { emptyReview, parseReview, reviewDigest, serializeReview, type KeyedHash, type ReviewDigest, type ReviewDocument } from '../engine';
import { hmacHash, keyFingerprint } from '../node/hash';
import { temporaryPath } from '../node/tempfile';

export const REVIEW_DIR = '.deid';
export const REVIEW_FILE = 'review.json';

/** A review file read: its decisions, or why they cannot be used (a reason naming paths and fingerprints only). */
export type ReviewRead = { doc: ReviewDocument; error?: undefined } | { doc?: undefined; error: string };

/**
 * Read a review file made with `key`. A missing file is an empty review; a corrupt or foreign file and a file made
 * with another key are refused with a message (never the file's content).
 */
export function readReviewFile(path: string, key: Uint8Array, missingOk = true): ReviewRead {
	const fp = keyFingerprint(key);
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code === 'ENOENT' && missingOk) return { doc: emptyReview(fp) };
		return { error: `The review file ${path} is not readable (${(e as NodeJS.ErrnoException).code ?? 'error'}).` };
	}
	const r = parseReview(text);
	if (!r.doc) return { error: `The review file ${path} ${r.error}; its decisions are not used until it is fixed or removed.` };
	if (r.doc.keyFingerprint !== fp)
		return {
			error: `The review file ${path} was made with the key whose fingerprint is ${r.doc.keyFingerprint}; the current key's fingerprint is ${fp}. Use that key (import it, or --key-file) to apply or change its decisions.`,
		};
	return { doc: r.doc };
}

/** Write a review file atomically (a temporary file beside it, renamed into place). */
export function writeReviewFile(path: string, doc: ReviewDocument): void {
	mkdirSync(dirname(path), { recursive: true });
	const tmp = temporaryPath(path);
	try {
		writeFileSync(tmp, serializeReview(doc), { flag: 'wx', mode: 0o644 });
		renameSync(tmp, path);
	} catch (e) {
		rmSync(tmp, { force: true });
		throw e;
	}
}

/** Where a file's decisions live: its workspace folder and its posix path relative to it. */
export interface ReviewPlace {
	root: string;
	rel: string;
	path: string;
}

/** The review files of the workspace folders, with the current key (the surrogate key from SetKeyNotification). */
export class ReviewStore {
	private folders: string[] = [];
	private cache = new Map<string, { mtimeMs: number; size: number; fp: string; read: ReviewRead }>();

	constructor(private readonly keyOf: () => Uint8Array) {}

	setFolders(paths: readonly string[]): void {
		// the innermost folder wins for nested workspace folders
		this.folders = [...new Set(paths.map((p) => resolve(p)))].sort((a, b) => b.length - a.length);
	}
	addFolders(add: readonly string[], remove: readonly string[]): void {
		const gone = new Set(remove.map((p) => resolve(p)));
		this.setFolders([...this.folders.filter((f) => !gone.has(f)), ...add]);
	}

	get key(): Uint8Array {
		return this.keyOf();
	}
	digest(): ReviewDigest {
		return reviewDigest(hmacHash(this.keyOf()) as KeyedHash);
	}

	/** The workspace folder of a file, or why its decisions cannot be stored. */
	locate(file: string): ReviewPlace | { error: string } {
		const abs = resolve(file);
		for (const root of this.folders) {
			const rel = relative(root, abs);
			if (rel && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel))
				return { root, rel: rel.split(sep).join('/'), path: join(root, REVIEW_DIR, REVIEW_FILE) };
			if (!rel && abs === root) return { error: 'A workspace folder itself has no decisions.' };
		}
		return {
			error: this.folders.length
				? 'The file is outside every workspace folder: decisions are stored in .deid/review.json of a workspace folder. ' +
					'Open its folder as a workspace folder to review it.'
				: 'No workspace folder is open: decisions are stored in .deid/review.json of a workspace folder. Open a folder to review its files.',
		};
	}

	/** The workspace folder a path (a file or folder) is, or lies in. */
	rootOf(path: string): string | undefined {
		const abs = resolve(path);
		return this.folders.find((root) => {
			const rel = relative(root, abs);
			return !rel || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
		});
	}

	/** The decisions a folder job over `input` applies: its workspace folder's review, or a notice why none. */
	forJob(input: string): { review?: { doc: ReviewDocument; root: string }; notice?: string } {
		const root = this.rootOf(input);
		if (!root) return {};
		const read = this.load({ root, rel: '', path: join(root, REVIEW_DIR, REVIEW_FILE) });
		if (!read.doc) return { notice: `${read.error} The job ran without review decisions.` };
		return Object.keys(read.doc.files).length ? { review: { doc: read.doc, root } } : {};
	}

	/** The review of a workspace folder (cached while the file and the key are unchanged). */
	load(place: ReviewPlace): ReviewRead {
		const fp = keyFingerprint(this.keyOf());
		let st: { mtimeMs: number; size: number } | undefined;
		try {
			st = statSync(place.path);
		} catch {
			st = undefined;
		}
		if (!st) return { doc: emptyReview(fp) };
		const c = this.cache.get(place.path);
		if (c && c.mtimeMs === st.mtimeMs && c.size === st.size && c.fp === fp) return c.read;
		const read = readReviewFile(place.path, this.keyOf());
		this.cache.set(place.path, { mtimeMs: st.mtimeMs, size: st.size, fp, read });
		return read;
	}

	save(place: ReviewPlace, doc: ReviewDocument): void {
		writeReviewFile(place.path, doc);
		this.cache.delete(place.path);
	}
}
