import { isEntityType, type EntityType, type Finding } from './types';

/**
 * Review decisions (`.deid/review.json`): a reviewer's accept / reject / change type / add per finding, anchored so
 * that they survive edits elsewhere in the file. Nothing here holds text: values, neighbourhoods and paths are kept
 * as keyed digests (the digest function is injected; it is keyed by the surrogate key).
 */

export type ReviewDecisionKind = 'accept' | 'reject' | 'changeType' | 'add';
export type RejectScope = 'file' | 'folder' | 'workspace';
/** A keyed digest of a string (hex or similar; never reversible without the key). */
export type ReviewDigest = (s: string) => string;

export const REVIEW_FORMAT = 'deid-review';
export const REVIEW_VERSION = 1;
/** Characters of neighbourhood on each side of a value (on its own line) that its anchor digests. */
export const NEIGHBOURHOOD_CHARS = 24;

/** Where a decision was made: offsets and digests of the value and of its neighbourhood. */
export interface ReviewAnchor {
	start: number;
	end: number;
	/** Keyed digest of the value. */
	value: string;
	/** Keyed digest of up to NEIGHBOURHOOD_CHARS characters on each side. */
	context: string;
}

export interface ReviewDecision extends ReviewAnchor {
	kind: ReviewDecisionKind;
	/** changeType and add: the type. */
	type?: EntityType;
	/** reject: where it holds (absent = this file). */
	scope?: RejectScope;
	/** folder-scope reject: keyed digest of the folder (workspace-relative posix path, '' for the root). */
	folder?: string;
}

export interface ReviewFileEntry {
	/** Marked reviewed by the reviewer (ReviewMarkFileRequest). */
	reviewed?: boolean;
	decisions: ReviewDecision[];
}

/** The `.deid/review.json` document. Files are keyed by the keyed digest of their workspace-relative posix path. */
export interface ReviewDocument {
	format: typeof REVIEW_FORMAT;
	version: typeof REVIEW_VERSION;
	/** Fingerprint of the key the digests were made with. */
	keyFingerprint: string;
	files: Record<string, ReviewFileEntry>;
}

export function emptyReview(keyFingerprint: string): ReviewDocument {
	return { format: REVIEW_FORMAT, version: REVIEW_VERSION, keyFingerprint, files: {} };
}

/** A keyed digest function from a keyed hash (bytes), for review anchors. */
export function reviewDigest(hash: (data: string) => Uint8Array): ReviewDigest {
	return (s) => {
		const b = hash(`deid-review\u0000${s}`);
		let out = '';
		for (let i = 0; i < 16 && i < b.length; i++) out += (b[i] < 16 ? '0' : '') + b[i].toString(16);
		return out;
	};
}

const valueDigest = (digest: ReviewDigest, v: string) => digest(`v\u0000${v}`);
/** The neighbourhood stays on the value's own line: an edit of another line never moves it. */
function neighbourhood(text: string, start: number, end: number): string {
	let a = start;
	while (a > 0 && start - a < NEIGHBOURHOOD_CHARS && text.charCodeAt(a - 1) !== 10) a--;
	let b = end;
	while (b < text.length && b - end < NEIGHBOURHOOD_CHARS && text.charCodeAt(b) !== 10 && text.charCodeAt(b) !== 13) b++;
	return `${text.slice(a, start)}\u0000${text.slice(end, b)}`;
}
const contextDigest = (digest: ReviewDigest, text: string, start: number, end: number) => digest(`c\u0000${neighbourhood(text, start, end)}`);
/** The digest a file is keyed by: its workspace-relative posix path. */
export const pathKey = (digest: ReviewDigest, rel: string) => digest(`p\u0000${rel}`);
/** The digest of a folder (workspace-relative posix path; '' for the workspace root). */
export const folderKey = (digest: ReviewDigest, rel: string) => digest(`d\u0000${rel}`);
/** Folder keys of every folder a file lies in (its own folder up to the workspace root). */
export function folderKeysOf(digest: ReviewDigest, rel: string): string[] {
	const parts = rel.split('/').slice(0, -1);
	const out = [folderKey(digest, '')];
	for (let i = 1; i <= parts.length; i++) out.push(folderKey(digest, parts.slice(0, i).join('/')));
	return out;
}

export function makeAnchor(text: string, start: number, end: number, digest: ReviewDigest): ReviewAnchor {
	return { start, end, value: valueDigest(digest, text.slice(start, end)), context: contextDigest(digest, text, start, end) };
}

/** Folder- and workspace-scope rejections that hold for one file: value digests. */
export function scopedRejects(doc: ReviewDocument, fileFolders: readonly string[]): Map<string, RejectScope> {
	const folders = new Set(fileFolders);
	const out = new Map<string, RejectScope>();
	for (const entry of Object.values(doc.files)) {
		for (const d of entry.decisions) {
			if (d.kind !== 'reject') continue;
			if (d.scope === 'workspace') out.set(d.value, 'workspace');
			else if (d.scope === 'folder' && d.folder !== undefined && folders.has(d.folder) && !out.has(d.value)) out.set(d.value, 'folder');
		}
	}
	return out;
}

/** Where each decision lies now: an index into the findings (`finding`), a span (`add`), or nothing (not located). */
export interface Located {
	decision: ReviewDecision;
	/** Index of the finding it holds for (accept, reject, changeType). */
	finding?: number;
	start: number;
	end: number;
}

export interface Resolution {
	located: Located[];
	/** Decisions that could not be found in the current text. */
	unlocated: ReviewDecision[];
	/** Work done (candidate checks and digests): tests count it to check the cost stays linear. */
	steps: number;
}

const WORD = /[\p{L}\p{N}]/u;
function isWordChar(c: string | undefined): boolean {
	return c !== undefined && WORD.test(c);
}

const MAX_PROBES = 32;

function push(map: Map<string, number[]>, k: string, p: number): void {
	const l = map.get(k);
	if (l) l.push(p);
	else map.set(k, [p]);
}

/** The index of the sorted list's element nearest to x whose id is not in `held`, or -1. */
function nearestFree(list: readonly number[], ids: readonly number[], x: number, held: ReadonlySet<number | undefined>, probe: () => void): number {
	const at = list.length ? nearest(list, x) : -1;
	if (at < 0) return -1;
	// walk outwards from the nearest, a bounded number of steps so that many repeats of one value stay linear
	for (let lo = at, hi = at + 1, probes = 0; (lo >= 0 || hi < list.length) && probes < MAX_PROBES; probes++) {
		const useLo = lo >= 0 && (hi >= list.length || x - list[lo] <= list[hi] - x);
		const k = useLo ? lo-- : hi++;
		probe();
		if (!held.has(ids[k])) return k;
	}
	return -1;
}

/** The index of the sorted list's element nearest to x. */
function nearest(list: readonly number[], x: number): number {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (list[mid] < x) lo = mid + 1;
		else hi = mid;
	}
	if (lo === list.length) return lo - 1;
	if (lo > 0 && x - list[lo - 1] <= list[lo] - x) return lo - 1;
	return lo;
}

/**
 * Locate decisions in a file's current text and findings: the exact offset first (same value and neighbourhood
 * digests), else the candidate with both digests equal nearest to the old offset. Findings-anchored decisions
 * look among the findings; added spans among positions where a word starts. Digests are computed once per
 * finding or position: the cost grows with the text and the findings, not with their product.
 */
export function resolveDecisions(text: string, findings: readonly Finding[], decisions: readonly ReviewDecision[], digest: ReviewDigest): Resolution {
	const r: Resolution = { located: [], unlocated: [], steps: 0 };
	const byStart = new Map<number, number[]>();
	findings.forEach((f, i) => {
		const l = byStart.get(f.start);
		if (l) l.push(i);
		else byStart.set(f.start, [i]);
	});
	const anchorAt = (start: number, end: number) => {
		r.steps++;
		return makeAnchor(text, start, end, digest);
	};
	const relocateFindings: ReviewDecision[] = [];
	const relocateAdds: ReviewDecision[] = [];
	for (const d of decisions) {
		r.steps++;
		if (d.end < d.start || d.end > text.length) {
			(d.kind === 'add' ? relocateAdds : relocateFindings).push(d);
			continue;
		}
		if (d.kind === 'add') {
			const a = anchorAt(d.start, d.end);
			if (a.value === d.value && a.context === d.context) r.located.push({ decision: d, start: d.start, end: d.end });
			else relocateAdds.push(d);
			continue;
		}
		const here = (byStart.get(d.start) ?? []).find((i) => findings[i].end === d.end);
		if (here !== undefined) {
			const a = anchorAt(d.start, d.end);
			if (a.value === d.value && a.context === d.context) {
				r.located.push({ decision: d, finding: here, start: d.start, end: d.end });
				continue;
			}
		}
		relocateFindings.push(d);
	}
	if (relocateFindings.length) relocateAmongFindings(r, findings, relocateFindings, anchorAt);
	if (relocateAdds.length) relocateAmongWords(r, text, relocateAdds, anchorAt);
	return r;
}

type AnchorAt = (start: number, end: number) => ReviewAnchor;

/** Findings-anchored decisions not at their old offsets: both digests equal, nearest first; else the value alone. */
function relocateAmongFindings(r: Resolution, findings: readonly Finding[], pending: ReviewDecision[], anchorAt: AnchorAt): void {
		// candidates: findings of a length some decision has, keyed by both digests, starts in order
		const lengths = new Set(pending.map((d) => d.end - d.start));
		const cands = new Map<string, { starts: number[]; index: number[] }>();
		// the same value whatever its neighbourhood: for a decision whose own line was edited close to it
		const byValue = new Map<string, { starts: number[]; index: number[] }>();
		const add = (map: typeof cands, k: string, start: number, i: number) => {
			let c = map.get(k);
			if (!c) map.set(k, (c = { starts: [], index: [] }));
			c.starts.push(start);
			c.index.push(i);
		};
		findings.forEach((f, i) => {
			if (!lengths.has(f.end - f.start)) return;
			const a = anchorAt(f.start, f.end);
			add(cands, `${a.value}\u0000${a.context}`, f.start, i);
			add(byValue, a.value, f.start, i);
		});
		for (const c of [...cands.values(), ...byValue.values()]) {
			// findings are in document order, but keep the binary search right whatever the caller gives
			const order = c.starts.map((_, j) => j).sort((x, y) => c.starts[x] - c.starts[y]);
			c.starts = order.map((j) => c.starts[j]);
			c.index = order.map((j) => c.index[j]);
		}
		const valueOnly: ReviewDecision[] = [];
		for (const d of pending) {
			r.steps++;
			const c = cands.get(`${d.value}\u0000${d.context}`);
			if (!c) {
				valueOnly.push(d);
				continue;
			}
			const j = nearest(c.starts, d.start);
			const f = findings[c.index[j]];
			r.located.push({ decision: d, finding: c.index[j], start: f.start, end: f.end });
		}
		// Neighbourhood changed (an edit on the value's own line): the nearest occurrence of the same value that no
		// other decision holds.
		const held = new Set(r.located.map((l) => l.finding));
		for (const d of valueOnly) {
			r.steps++;
			const c = byValue.get(d.value);
			const j = c ? nearestFree(c.starts, c.index, d.start, held, () => r.steps++) : -1;
			if (!c || j < 0) {
				r.unlocated.push(d);
				continue;
			}
			held.add(c.index[j]);
			const f = findings[c.index[j]];
			r.located.push({ decision: d, finding: c.index[j], start: f.start, end: f.end });
		}
}

/** Added spans not at their old offsets, looked for where words start: both digests equal, else the value alone. */
function relocateAmongWords(r: Resolution, text: string, pending: ReviewDecision[], anchorAt: AnchorAt): void {
		const want = new Map<number, Set<string>>();
		for (const d of pending) {
			const len = d.end - d.start;
			if (len <= 0) continue;
			let s = want.get(len);
			if (!s) want.set(len, (s = new Set()));
			s.add(`${d.value}\u0000${d.context}`);
		}
		const wantValue = new Set([...pending].map((d) => d.value));
		const found = new Map<string, number[]>();
		const foundValue = new Map<string, number[]>();
		for (let p = 0; p < text.length; p++) {
			const c = text[p];
			if (!isWordChar(c) && !/[+(#]/.test(c)) continue;
			if (p > 0 && isWordChar(text[p - 1]) && isWordChar(c)) continue;
			for (const [len, keys] of want) {
				if (p + len > text.length) continue;
				const a = anchorAt(p, p + len);
				if (wantValue.has(a.value)) push(foundValue, a.value, p);
				const k = `${a.value}\u0000${a.context}`;
				if (keys.has(k)) push(found, k, p);
			}
		}
		const taken = new Set(r.located.filter((l) => l.decision.kind === 'add').map((l) => l.start));
		const valueOnly: ReviewDecision[] = [];
		for (const d of pending) {
			r.steps++;
			const l = found.get(`${d.value}\u0000${d.context}`);
			if (!l) {
				valueOnly.push(d);
				continue;
			}
			const p = l[nearest(l, d.start)];
			taken.add(p);
			r.located.push({ decision: d, start: p, end: p + (d.end - d.start) });
		}
		for (const d of valueOnly) {
			r.steps++;
			const l = foundValue.get(d.value) ?? [];
			const j = nearestFree(l, l, d.start, taken, () => r.steps++);
			if (j < 0) {
				r.unlocated.push(d);
				continue;
			}
			taken.add(l[j]);
			r.located.push({ decision: d, start: l[j], end: l[j] + (d.end - d.start) });
		}
}

/** One finding of a file with the reviewer's decision. */
export interface ReviewedFinding {
	finding: Finding;
	/** The detector's type when the reviewer changed it. */
	detectedType?: EntityType;
	decision?: ReviewDecisionKind;
	scope?: RejectScope;
}

export interface AppliedReview {
	/** Every finding (rejected ones too) with its decision, added spans included, in document order. */
	items: ReviewedFinding[];
	/** The findings after the decisions: rejected dropped, changed types used, added spans included. */
	effective: Finding[];
	/** Effective findings' source: index into the input findings, or -1 for an added span. */
	origin: number[];
	unlocated: number;
	/** Findings without a decision. */
	pending: number;
	reviewed: boolean;
	located: Located[];
	steps: number;
}

/**
 * Apply decisions to a file's findings: reject → dropped, changeType → retyped, add → a new finding (detector
 * 'review'; findings it overlaps give way to it), accept → unchanged. Findings whose value a folder- or
 * workspace-scope reject holds (`rejected`: value digests) are dropped as rejected.
 */
export function applyReview(
	text: string,
	findings: readonly Finding[],
	entry: ReviewFileEntry | undefined,
	rejected: ReadonlyMap<string, RejectScope>,
	digest: ReviewDigest,
): AppliedReview {
	const res = resolveDecisions(text, findings, entry?.decisions ?? [], digest);
	let steps = res.steps;
	const perFinding = new Map<number, ReviewDecision>();
	const adds: Located[] = [];
	for (const l of res.located) {
		if (l.finding === undefined) adds.push(l);
		else if (!perFinding.has(l.finding)) perFinding.set(l.finding, l.decision);
	}
	adds.sort((a, b) => a.start - b.start);
	const items: { item: ReviewedFinding; origin: number; drop: boolean }[] = [];
	let a = 0;
	let pending = 0;
	findings.forEach((f, i) => {
		while (a < adds.length && adds[a].end <= f.start) a++;
		// an added span replaces the findings it overlaps
		let overlapped = false;
		for (let k = a; k < adds.length && adds[k].start < f.end; k++) {
			steps++;
			if (adds[k].end > f.start) overlapped = true;
		}
		if (overlapped) return;
		const d = perFinding.get(i);
		if (d) {
			if (d.kind === 'reject') items.push({ item: { finding: f, decision: 'reject', scope: d.scope ?? 'file' }, origin: i, drop: true });
			else if (d.kind === 'changeType' && d.type)
				items.push({ item: { finding: { ...f, type: d.type }, detectedType: f.type, decision: 'changeType' }, origin: i, drop: false });
			else items.push({ item: { finding: f, decision: d.kind }, origin: i, drop: false });
			return;
		}
		if (rejected.size) {
			steps++;
			const v = valueDigest(digest, text.slice(f.start, f.end));
			const scope = rejected.get(v);
			if (scope) {
				items.push({ item: { finding: f, decision: 'reject', scope }, origin: i, drop: true });
				return;
			}
		}
		pending++;
		items.push({ item: { finding: f }, origin: i, drop: false });
	});
	for (const l of adds) {
		const type: EntityType = l.decision.type ?? 'IDNum';
		items.push({
			item: { finding: { start: l.start, end: l.end, type, confidence: 1, detector: 'review' }, decision: 'add' },
			origin: -1,
			drop: false,
		});
	}
	items.sort((x, y) => x.item.finding.start - y.item.finding.start);
	const kept = items.filter((x) => !x.drop);
	const decided = items.length - pending;
	return {
		items: items.map((x) => x.item),
		effective: kept.map((x) => x.item.finding),
		origin: kept.map((x) => x.origin),
		unlocated: res.unlocated.length,
		pending,
		reviewed: pending === 0 && (decided > 0 || !!entry?.reviewed),
		located: res.located,
		steps,
	};
}

/** Decisions by kind (for reports: counts only). */
export function countDecisions(doc: ReviewDocument): Record<ReviewDecisionKind, number> {
	const out: Record<ReviewDecisionKind, number> = { accept: 0, reject: 0, changeType: 0, add: 0 };
	for (const e of Object.values(doc.files)) for (const d of e.decisions) out[d.kind]++;
	return out;
}

const KINDS = new Set<string>(['accept', 'reject', 'changeType', 'add']);
const SCOPES = new Set<string>(['file', 'folder', 'workspace']);
const HEX = /^[0-9a-f]{8,128}$/;

/**
 * Parse `.deid/review.json` text. A file that is not ours, of another version or malformed is refused with a
 * reason (never its content); decisions that do not hold together are dropped.
 */
export function parseReview(text: string): { doc?: ReviewDocument; error?: string } {
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		return { error: 'is not valid JSON' };
	}
	const r = raw as Partial<ReviewDocument> | null;
	if (!r || typeof r !== 'object' || Array.isArray(r) || r.format !== REVIEW_FORMAT) return { error: 'is not a vscode-deid review file' };
	if (r.version !== REVIEW_VERSION) return { error: `has version ${JSON.stringify(r.version)}; this version reads version ${REVIEW_VERSION}` };
	if (typeof r.keyFingerprint !== 'string' || !HEX.test(r.keyFingerprint)) return { error: 'has no key fingerprint' };
	if (!r.files || typeof r.files !== 'object' || Array.isArray(r.files)) return { error: 'has no files' };
	const files: Record<string, ReviewFileEntry> = {};
	for (const [k, e] of Object.entries(r.files)) {
		if (!HEX.test(k) || !e || typeof e !== 'object' || !Array.isArray(e.decisions)) continue;
		const decisions = (e.decisions as unknown[]).filter(isDecision);
		files[k] = { ...(e.reviewed === true ? { reviewed: true } : {}), decisions };
	}
	return { doc: { format: REVIEW_FORMAT, version: REVIEW_VERSION, keyFingerprint: r.keyFingerprint, files } };
}

function isDecision(x: unknown): x is ReviewDecision {
	const d = x as ReviewDecision;
	return (
		!!d && typeof d === 'object' && KINDS.has(d.kind) && Number.isInteger(d.start) && Number.isInteger(d.end) && d.start >= 0 && d.end >= d.start &&
		typeof d.value === 'string' && HEX.test(d.value) && typeof d.context === 'string' && HEX.test(d.context) &&
		(d.scope === undefined || SCOPES.has(d.scope)) && (d.folder === undefined || HEX.test(d.folder)) && (d.type === undefined || isEntityType(d.type))
	);
}

/** The document as written: only the fields above, files and decisions in a stable order. */
export function serializeReview(doc: ReviewDocument): string {
	const files: Record<string, ReviewFileEntry> = {};
	for (const k of Object.keys(doc.files).sort()) {
		const e = doc.files[k];
		if (!e.decisions.length && !e.reviewed) continue;
		files[k] = {
			...(e.reviewed ? { reviewed: true } : {}),
			decisions: [...e.decisions]
				.sort((a, b) => a.start - b.start || a.end - b.end)
				.map((d) => ({
					kind: d.kind,
					start: d.start,
					end: d.end,
					value: d.value,
					context: d.context,
					...(d.type ? { type: d.type } : {}),
					...(d.scope ? { scope: d.scope } : {}),
					...(d.folder ? { folder: d.folder } : {}),
				})),
		};
	}
	return JSON.stringify({ format: REVIEW_FORMAT, version: REVIEW_VERSION, keyFingerprint: doc.keyFingerprint, files }, null, 1) + '\n';
}

/**
 * Record (or with `clear`, remove) a decision on the span [start, end) of a file, re-anchoring the file's other
 * located decisions at their current offsets. Returns the new entry.
 */
export function decide(
	text: string,
	findings: readonly Finding[],
	entry: ReviewFileEntry | undefined,
	span: { start: number; end: number },
	decision: ReviewDecisionKind | 'clear',
	digest: ReviewDigest,
	extra: { type?: EntityType; scope?: RejectScope; folder?: string } = {},
): ReviewFileEntry {
	const res = resolveDecisions(text, findings, entry?.decisions ?? [], digest);
	const kept: ReviewDecision[] = [...res.unlocated];
	for (const l of res.located) {
		// a decision on the same span is replaced
		if (l.start === span.start && l.end === span.end) continue;
		kept.push(l.start === l.decision.start && l.end === l.decision.end ? l.decision : { ...l.decision, ...makeAnchor(text, l.start, l.end, digest) });
	}
	if (decision !== 'clear') {
		const d: ReviewDecision = { kind: decision, ...makeAnchor(text, span.start, span.end, digest) };
		if ((decision === 'changeType' || decision === 'add') && extra.type) d.type = extra.type;
		if (decision === 'reject' && extra.scope && extra.scope !== 'file') {
			d.scope = extra.scope;
			if (extra.scope === 'folder' && extra.folder) d.folder = extra.folder;
		}
		kept.push(d);
	}
	return { ...(entry?.reviewed ? { reviewed: true } : {}), decisions: kept };
}

/** Decisions translated to a piece of a file ([base, base+length)): those whose old start lies in it. */
export function decisionsInPiece(decisions: readonly ReviewDecision[], base: number, length: number, last: boolean): ReviewDecision[] {
	const out: ReviewDecision[] = [];
	for (const d of decisions) if (d.start >= base && (d.start < base + length || last)) out.push({ ...d, start: d.start - base, end: d.end - base });
	return out;
}
