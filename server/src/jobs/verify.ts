// Verify a folder job's output: a second, more sensitive detection pass over what the job wrote (its own labels,
// masks and surrogates left out), and a search for every value the job replaced (by the keyed digests of its
// claims file, so no original is ever needed in plain text). Suspects are reported by type and offset, never text.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
	claimDigest,
	DEFAULT_MIN_CONFIDENCE,
	scanDocument,
	SURROGATE_UNIT_TYPES,
	type DetectOptions,
	type Dictionaries,
	type EntityType,
	type Finding,
	type Operation,
} from '../engine';
import { CLINICAL, STOPWORDS } from '../engine/detect/lexicon';
import { textPieces } from '../engine/pieces';
import { forEachCandidate, labelSpans, outside, sensitiveOptions, union, type Span } from '../engine/verify';
import { hmacHash, keyFingerprint } from '../node/hash';
import { decodeText, formatForPath } from '../node/textio';
import type { Claim } from './processFile';

const MANIFEST = 'deid-manifest.json';
const CLAIMS = 'deid-manifest.claims.ndjson';

export type SuspectReason = 'detector' | 'replaced';

export interface Suspect {
	/** UTF-16 offsets into the output file's text, and the 0-based line and character of the start and end. */
	start: number;
	end: number;
	line: number;
	character: number;
	endLine: number;
	endCharacter: number;
	type: EntityType;
	confidence: number;
	reason: SuspectReason;
}

export interface VerifyReport {
	/** Output files checked, and suspects in all of them. */
	files: number;
	suspects: number;
	byType: Partial<Record<EntityType, number>>;
	byReason: Record<SuspectReason, number>;
	/** The lowest calibrated confidence the detector pass reported. */
	threshold: number;
	/** Whether every replaced value was looked for; if not, why not (no key, no claims file, another key). */
	replacedCheck: 'done' | 'skipped';
	replacedSkippedBecause?: string;
	/** Output files that could not be read (path and reason, never content). */
	unreadable: { path: string; reason: string }[];
	/** Only the files with suspects, in path order. */
	byFile: { path: string; suspects: Suspect[] }[];
	cancelled: boolean;
}

/** The claims as the verify pass needs them: every unit digest of the run, and each file's key digests. */
export interface ClaimDigests {
	units: Set<string>;
	keysOf: Map<string, Set<string>>;
}

export interface VerifyOptions {
	output: string;
	detect: DetectOptions;
	dicts: Dictionaries;
	/** The job's key: needed to look for the replaced values. */
	key?: Uint8Array;
	/** The job's claims, when the caller holds them (else the claims file is read). */
	claims?: Iterable<[string, Claim[]]>;
	signal?: AbortSignal;
	onProgress?: (done: number, total: number) => void;
}

/** The folder is not a folder job's output, or its manifest cannot be read. */
export class NotAnOutputError extends Error {}

interface Manifest {
	operation?: Operation;
	redactionFormat?: string;
	keyFingerprint?: string;
	/** The run wrote surrogates (so shifted dates and other unclaimed types look like originals). */
	surrogates: boolean;
	files: { path: string; status: string; format?: string }[];
}

async function readManifest(output: string): Promise<Manifest> {
	let m: { tool?: unknown; files?: unknown; salts?: unknown } & Partial<Manifest>;
	try {
		m = JSON.parse(await readFile(join(output, MANIFEST), 'utf8'));
	} catch (e) {
		const code = (e as NodeJS.ErrnoException).code;
		throw new NotAnOutputError(
			code === 'ENOENT' || code === 'ENOTDIR'
				? `not a folder job's output (no ${MANIFEST})`
				: `the manifest cannot be read (${code ?? 'not JSON'})`,
		);
	}
	if (m.tool !== 'vscode-deid' || !Array.isArray(m.files)) throw new NotAnOutputError(`${MANIFEST} is not a manifest of this tool`);
	const files = (m.files as { path?: unknown; status?: unknown }[]).filter(
		(f): f is { path: string; status: string } => !!f && typeof f.path === 'string' && typeof f.status === 'string',
	);
	// a run that made surrogates (the operation, or a policy strategy) records the salts of its claims
	return {
		operation: m.operation,
		redactionFormat: m.redactionFormat,
		keyFingerprint: m.keyFingerprint,
		surrogates: m.operation === 'surrogate' || Array.isArray(m.salts),
		files,
	};
}

function digestsOf(claims: Iterable<[string, Claim[]]>): ClaimDigests {
	const units = new Set<string>();
	const keysOf = new Map<string, Set<string>>();
	for (const [path, cs] of claims) {
		const keys = new Set<string>();
		for (const [u, k] of cs) {
			units.add(u);
			// (a value replaced by a label or a mask has no surrogate key)
			if (k) keys.add(k);
		}
		keysOf.set(path, keys);
	}
	return { units, keysOf };
}

async function readClaimsFile(path: string): Promise<ClaimDigests | undefined> {
	const out = new Map<string, Claim[]>();
	try {
		for await (const line of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) {
			try {
				const j = JSON.parse(line) as { path: string; claims: Claim[] };
				if (typeof j.path === 'string' && Array.isArray(j.claims)) out.set(j.path, j.claims);
			} catch {
				// a line cut by a crash
			}
		}
	} catch {
		return undefined;
	}
	return digestsOf(out);
}

/** 0-based line and character of sorted offsets, in one pass over the text. */
function positions(text: string, offsets: number[]): Map<number, [number, number]> {
	const sorted = [...new Set(offsets)].sort((a, b) => a - b);
	const out = new Map<number, [number, number]>();
	let line = 0;
	let lineStart = 0;
	let at = 0;
	for (const o of sorted) {
		for (; at < o && at < text.length; at++) {
			if (text.charCodeAt(at) === 10) {
				line++;
				lineStart = at + 1;
			}
		}
		out.set(o, [line, o - lineStart]);
	}
	return out;
}

/** Suspects of one output text (pure but for the keyed digest, which the caller gives). */
export function verifyText(
	text: string,
	format: 'text' | 'ndjson',
	o: {
		dicts: Dictionaries;
		detect: DetectOptions;
		redactionFormat?: string;
		surrogates: boolean;
		digest?: (s: string) => string;
		claims?: ClaimDigests;
		ownKeys?: Set<string>;
	},
): Omit<Suspect, 'line' | 'character' | 'endLine' | 'endCharacter'>[] {
	const sensitive = sensitiveOptions(o.detect);
	const reportMin = o.detect.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
	const byType = o.detect.minConfidenceByType ?? {};
	// the job's own text: its labels and masks, and (surrogate runs) every value it claims to have written here
	const own: Span[] = labelSpans(text, o.redactionFormat);
	const replaced: Finding[] = [];
	if (o.digest && o.claims) {
		const { digest, claims } = o;
		const ownKeys = o.ownKeys ?? new Set<string>();
		const written: Span[] = [];
		const hits: Finding[] = [];
		const common = (w: string) => o.dicts.englishWords.has(w) || STOPWORDS.has(w) || CLINICAL.has(w) || /['’]/.test(w);
		forEachCandidate(
			text,
			(start, end, candidate, role, type) => {
				const d = digest(candidate);
				if (role !== 'unit' && ownKeys.has(d)) written.push({ start, end });
				if (role !== 'key' && claims.units.has(d)) hits.push({ start, end, type, confidence: 1, detector: 'replaced' });
			},
			common,
		);
		const writtenSpans = union(written);
		// a value the job wrote here is its surrogate, even where it equals another note's original
		for (const h of hits) if (!overlapsAny(writtenSpans, h.start, h.end)) replaced.push(h);
		own.push(...writtenSpans);
	}
	const ownSpans = union(own);
	const found: Finding[] = [];
	let line = 0;
	for (const piece of textPieces(text, format)) {
		for (const f of scanDocument(piece.text, format, o.dicts, sensitive, { offset: piece.start, line }).findings) found.push(f);
		for (let i = 0; i < piece.text.length; i++) if (piece.text.charCodeAt(i) === 10) line++;
	}
	const detected = outside(text, found, ownSpans).filter((f) => {
		// In surrogate output a type the job does not claim (dates, numbers) looks the same replaced or not: only
		// what the job's own threshold would have left counts.
		if (o.surrogates && !SURROGATE_UNIT_TYPES.has(f.type)) return f.confidence < (byType[f.type] ?? reportMin);
		return true;
	});
	const rep = mergeSpans(replaced);
	const out = [
		...rep.map((f) => ({ start: f.start, end: f.end, type: f.type, confidence: 1, reason: 'replaced' as const })),
		// a replaced value found by the detector too is reported once, as replaced
		...detected
			.filter((f) => !rep.some((r) => r.start < f.end && f.start < r.end))
			.map((f) => ({
				start: f.start,
				end: f.end,
				type: f.type,
				confidence: Math.round(f.confidence * 1000) / 1000,
				reason: 'detector' as const,
			})),
	];
	return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** [start, end) overlaps one of the sorted, disjoint spans. */
function overlapsAny(spans: readonly Span[], start: number, end: number): boolean {
	let lo = 0;
	let hi = spans.length;
	// the first span that ends after start
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (spans[mid].end <= start) lo = mid + 1;
		else hi = mid;
	}
	return lo < spans.length && spans[lo].start < end;
}

/** Overlapping hits become one, of the first one's type. */
function mergeSpans(fs: Finding[]): Finding[] {
	const sorted = [...fs].sort((a, b) => a.start - b.start || b.end - a.end);
	const out: Finding[] = [];
	for (const f of sorted) {
		const last = out[out.length - 1];
		if (last && f.start < last.end) last.end = Math.max(last.end, f.end);
		else out.push({ ...f });
	}
	return out;
}

/** Verify a folder job's output folder (see the file comment). Throws NotAnOutputError when it is none. */
export async function verifyOutputFolder(opts: VerifyOptions): Promise<VerifyReport> {
	const m = await readManifest(opts.output);
	const files = m.files.filter((f) => f.status === 'done').map((f) => f.path).sort();
	let claims: ClaimDigests | undefined;
	let skipped: string | undefined;
	if (!opts.key) skipped = 'no key was given';
	else if (m.keyFingerprint && m.keyFingerprint !== keyFingerprint(opts.key)) skipped = "the key is not the job's key (fingerprints differ)";
	else if (opts.claims) claims = digestsOf(opts.claims);
	else claims = await readClaimsFile(join(opts.output, CLAIMS));
	if (!skipped && !claims)
		skipped =
			m.operation === 'tag' ? 'a tag run replaces no values' : 'no claims file (deleted by --no-resume, or written by a version before 0.9)';
	let digest: ((s: string) => string) | undefined;
	if (claims && opts.key) {
		const hash = hmacHash(opts.key);
		digest = (s) => claimDigest(hash, s);
	}
	const report: VerifyReport = {
		files: 0, suspects: 0, byType: {}, byReason: { detector: 0, replaced: 0 }, threshold: sensitiveOptions(opts.detect).minConfidence!,
		replacedCheck: skipped ? 'skipped' : 'done', ...(skipped ? { replacedSkippedBecause: skipped } : {}), unreadable: [], byFile: [], cancelled: false,
	};
	for (let i = 0; i < files.length; i++) {
		if (opts.signal?.aborted) {
			report.cancelled = true;
			break;
		}
		const path = files[i];
		opts.onProgress?.(i, files.length);
		let bytes: Buffer;
		try {
			bytes = await readFile(join(opts.output, path));
		} catch (e) {
			report.unreadable.push({ path, reason: (e as NodeJS.ErrnoException).code ?? 'not readable' });
			continue;
		}
		const dec = decodeText(bytes);
		if (!dec.ok) {
			report.unreadable.push({ path, reason: dec.reason });
			continue;
		}
		report.files++;
		const text = dec.text;
		const found = verifyText(text, formatForPath(path) ?? 'text', {
			dicts: opts.dicts, detect: opts.detect, redactionFormat: m.redactionFormat, surrogates: m.surrogates,
			digest: claims ? digest : undefined, claims, ownKeys: claims?.keysOf.get(path),
		});
		if (!found.length) continue;
		const pos = positions(text, found.flatMap((f) => [f.start, f.end]));
		const suspects: Suspect[] = found.map((f) => {
			const [line, character] = pos.get(f.start)!;
			const [endLine, endCharacter] = pos.get(f.end)!;
			return { ...f, line, character, endLine, endCharacter };
		});
		for (const s of suspects) {
			report.byType[s.type] = (report.byType[s.type] ?? 0) + 1;
			report.byReason[s.reason]++;
		}
		report.suspects += suspects.length;
		report.byFile.push({ path, suspects });
	}
	opts.onProgress?.(files.length, files.length);
	return report;
}

/** Rows of the markdown report listed at most (the JSON report holds them all). */
const MD_ROWS = 500;

/** The verify section of deid-report.md: totals, then suspects by file, type and position; never text. */
export function verifyMarkdown(v: VerifyReport): string[] {
	const lines = [
		'## Verify',
		'',
		`- ${v.files} output file(s) checked again at confidence ${v.threshold.toFixed(2)} and up${v.cancelled ? ' — **cancelled**' : ''}: **${v.suspects} residual suspect(s)** (${v.byReason.detector} by the detector, ${v.byReason.replaced} replaced value(s) still present)`,
		`- Replaced-values check: ${v.replacedCheck === 'done' ? 'done' : `skipped (${v.replacedSkippedBecause})`}`,
		...v.unreadable.map((u) => `- Not read: ${u.path.replace(/[|\\`*_[\]<>]/g, (c) => '\\' + c)} (${u.reason})`),
		'',
	];
	if (v.suspects) {
		lines.push(
			'| Type | Suspects |',
			'|---|---:|',
			...Object.entries(v.byType)
				.sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
				.map(([t, c]) => `| ${t} | ${c} |`),
			'',
		);
		lines.push('| File | Line:Column | Offset | Type | Reason |', '|---|---|---:|---|---|');
		let rows = 0;
		for (const f of v.byFile) {
			for (const s of f.suspects) {
				if (rows++ >= MD_ROWS) break;
				lines.push(
					`| ${f.path.replace(/[|\\`*_[\]<>]/g, (c) => '\\' + c)} | ${s.line + 1}:${s.character + 1} | ${s.start}–${s.end} | ${s.type} | ${s.reason} |`,
				);
			}
		}
		if (rows > MD_ROWS) lines.push('', `(${v.suspects - MD_ROWS} more in deid-report.json)`);
		lines.push('');
	}
	return lines;
}
