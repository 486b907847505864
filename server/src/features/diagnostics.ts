import { Diagnostic, DiagnosticSeverity, DiagnosticTag, type Disposable, type Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { detectInName, scanDocument, type DetectOptions, type DocumentFormat, type DocumentProblem, type EntityType, type Finding } from '../engine';
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fhirConfigPath, fhirFindings } from '../services/fhir';
import { PieceCache, piecesOf, type Piece, type PieceResult } from '../services/pieceCache';
import { outputOf, unchangedOutput, type OutputKind } from '../services/outputs';
import type { Span } from '../services/written';
import {
	CODE_DEIDENTIFIED,
	CODE_FILE_NAME,
	CODE_MALFORMED_LINE,
	CODE_OUTPUT,
	CODE_TOO_LARGE,
	DIAGNOSTIC_SOURCE,
	diagnosticCode,
	formatConfidence,
	StatusNotification,
	VisibleRangesNotification,
	type PhiDiagnosticData,
} from '../protocol';
import { detectOptionsFrom, type DeidSettings, type SeverityName } from '../settings';
import { formatOf, type ScanEntry, type ServerContext } from '../state';

const SEVERITY: Record<Exclude<SeverityName, 'off'>, DiagnosticSeverity> = {
	error: DiagnosticSeverity.Error,
	warning: DiagnosticSeverity.Warning,
	information: DiagnosticSeverity.Information,
	hint: DiagnosticSeverity.Hint,
};

/** Adaptive debounce: at least `deid.debounceMs`, twice the document's last scan time, at most MAX_DEBOUNCE_MS. */
const MAX_DEBOUNCE_MS = 1500;
/** While a document is scanned in pieces, partial diagnostics and progress go out at most this often. */
const PROGRESS_MS = 750;
/** Beyond this many findings, progress during a scan is the status only, not the diagnostics so far. */
const PARTIAL_FINDINGS_MAX = 10_000;
/** After the first, a publication for a newly visible part waits at least this long after the last one. */
const VISIBLE_MIN_MS = 150;
/** Scans of more characters than this (not cached) publish the visible part first, then progress. */
const STAGED_CHARS = 256 * 1024;

export function debounceFor(minMs: number, lastScanMs: number | undefined): number {
	return Math.max(minMs, Math.min(MAX_DEBOUNCE_MS, Math.round(2 * (lastScanMs ?? 0))));
}

/** The review service's hooks: decisions applied to an open document's findings, and a note after each validation. */
export const reviewHook: {
	apply?: (uri: string, text: string, findings: Finding[]) => { findings: Finding[]; origin: number[] } | undefined;
	validated?: (uri: string) => void;
} = {};

/** What the server keeps per open document between scans. */
interface DocState {
	cache: PieceCache;
	/** Bumped by every scan and on close: a scan that sees another value stops. */
	gen: number;
	running?: { version: number; done: Promise<void> };
	/** What a scan after one edit costs (the last scan's busy time, with one piece detected), for the debounce. */
	lastScanMs?: number;
	/** The wait (debounce) before the scan now running or last run, reported in the status. */
	debounceMs: number;
	/** The version the last scheduled scan is for. */
	scheduledVersion?: number;
	visible: Range[];
	visibleStamp: number;
}
const states = new Map<string, DocState>();
function stateOf(uri: string): DocState {
	let s = states.get(uri);
	if (!s) states.set(uri, (s = { cache: new PieceCache(), gen: 0, visible: [], visibleStamp: 0, debounceMs: 0 }));
	return s;
}

/** Pieces scanned so far in a document (tests count work with it). */
export function piecesDetected(uri: string): number {
	return states.get(uri)?.cache.detected ?? 0;
}

/** Validates open documents (on open, on type or on save, on settings change) and publishes `phi.*` diagnostics. */
export function registerDiagnostics(ctx: ServerContext): Disposable & { revalidateAll(): void } {
	const { connection, documents } = ctx;
	const timers = new Map<string, NodeJS.Timeout>();

	const schedule = (doc: TextDocument, delay: number) => {
		stateOf(doc.uri).scheduledVersion = doc.version;
		const t = timers.get(doc.uri);
		if (t) clearTimeout(t);
		timers.set(
			doc.uri,
			setTimeout(() => {
				timers.delete(doc.uri);
				// a scheduled scan starts afresh: it may follow new settings for the same version
				void validate(ctx, doc.uri, true, delay);
			}, delay),
		);
	};

	const subs = [
		documents.onDidOpen((e) => schedule(e.document, 0)),
		documents.onDidChangeContent(async (e) => {
			const s = await ctx.settings.get(e.document.uri);
			// opening a document fires this too: its scan, scheduled on open, is pending, running or done
			const st = states.get(e.document.uri);
			if (st?.running?.version === e.document.version || st?.scheduledVersion === e.document.version) return;
			if (s.run === 'onType') schedule(e.document, debounceFor(s.debounceMs, states.get(e.document.uri)?.lastScanMs));
		}),
		documents.onDidSave(async (e) => {
			const s = await ctx.settings.get(e.document.uri);
			if (s.run === 'onSave') schedule(e.document, 0);
		}),
		documents.onDidClose((e) => {
			const t = timers.get(e.document.uri);
			if (t) clearTimeout(t);
			timers.delete(e.document.uri);
			const st = states.get(e.document.uri);
			if (st) st.gen++;
			states.delete(e.document.uri);
			ctx.scans.delete(e.document.uri);
			ctx.written.closed(e.document.uri);
			ctx.settings.forget(e.document.uri);
			void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
		}),
		// the editor's visible ranges: a scan in progress takes them at its next piece
		connection.onNotification(VisibleRangesNotification, (p) => {
			if (!p || typeof p.uri !== 'string' || !Array.isArray(p.ranges)) return;
			const st = stateOf(p.uri);
			st.visible = p.ranges.filter((r) => r && r.start && r.end).slice(0, 16);
			st.visibleStamp++;
		}),
	];
	return {
		dispose: () => subs.forEach((d) => d.dispose()),
		revalidateAll: () => documents.all().forEach((d) => schedule(d, 0)),
	};
}

/**
 * Scan one document now (or join the scan of this version already running, unless `restart`); resolves when its
 * diagnostics are complete.
 */
export function validate(ctx: ServerContext, uri: string, restart = false, waitedMs = 0): Promise<void> {
	const doc = ctx.documents.get(uri);
	if (!doc) return Promise.resolve();
	const st = stateOf(uri);
	if (!restart && st.running && st.running.version === doc.version) return st.running.done;
	st.debounceMs = waitedMs;
	const gen = ++st.gen;
	const done = scan(ctx, uri, st, gen).finally(() => {
		if (st.running?.done === done) st.running = undefined;
	});
	st.running = { version: doc.version, done };
	return done;
}

/**
 * A copy of a slice that does not share the document's storage: caches that keep a line as a key (the FHIR plan's)
 * would otherwise keep every version of a large document alive.
 */
const detach = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

// two turns of the event loop: one to read a request from the pipe, one for the connection to dispatch it
/**
 * A full garbage collection, when V8 allows one to be asked for. After a large document's scan or publication
 * (tens of MB of short-lived objects) V8 would otherwise grow the heap far beyond what stays alive.
 */
const collectGarbage: () => void = (() => {
	try {
		setFlagsFromString('--expose-gc');
		const gc = runInNewContext('gc') as () => void;
		return typeof gc === 'function' ? gc : () => undefined;
	} catch {
		return () => undefined;
	}
})();
/** Documents from this many characters get a collection after each complete scan. */
const COLLECT_FROM_CHARS = 4 << 20;

const yieldToEvents = () => new Promise<void>((r) => setImmediate(() => setImmediate(r)));

const keyIds = new WeakMap<object, number>();
let nextKeyId = 0;
/** Everything piece findings depend on besides the piece's text: options, format, FHIR configuration and key. */
function optionsKey(ctx: ServerContext, uri: string, settings: DeidSettings, format: DocumentFormat): string {
	let fhir = '';
	if (format === 'ndjson' && settings.fhir.enable) {
		if (!keyIds.has(ctx.key)) keyIds.set(ctx.key, nextKeyId++);
		const path = fhirConfigPath(settings, uri.startsWith('file:') ? dirname(fileURLToPath(uri)) : process.cwd());
		let mtime: number;
		try {
			mtime = path ? statSync(path).mtimeMs : 0;
		} catch {
			mtime = -1;
		}
		fhir = `${keyIds.get(ctx.key)}\u0000${mtime}\u0000${settings.redactionFormat}\u0000${settings.fhir.config}`;
	}
	return `${format}\u0000${JSON.stringify(detectOptionsFrom(settings))}\u0000${fhir}`;
}

/** Findings of one piece, as a scan of the whole document would give them there (offsets relative to the piece). */
function scanPiece(ctx: ServerContext, uri: string, text: string, piece: Piece, format: DocumentFormat, settings: DeidSettings): PieceResult {
	const res = scanDocument(text, format, ctx.dicts(), detectOptionsFrom(settings), { offset: 0, line: piece.line });
	let findings = res.findings;
	if (format === 'ndjson') {
		// FHIR lines: the structured fields the configuration changes (they replace text findings on the same value).
		const fx = fhirFindings(ctx, uri, text, settings);
		if (fx.error && piece.start === 0) res.problems.push({ line: 0, start: 0, end: 0, message: fx.error });
		if (fx.findings.length) {
			// both lists are in document order: one sweep drops the text findings a structured one covers
			const fxs = [...fx.findings].sort((a, b) => a.start - b.start);
			let k = 0;
			const kept = res.findings.filter((f) => {
				while (k < fxs.length && fxs[k].end <= f.start) k++;
				return !(k < fxs.length && fxs[k].start < f.end);
			});
			findings = [...kept, ...fxs].sort((a, b) => a.start - b.start);
		}
	}
	// pieces start at a line start and notPhi looks no further back than its own line
	findings = findings.filter((f) => !notPhi(text, f, format));
	// findings on malformed NDJSON lines (scanned as plain text) need no JSON escaping
	const bad = res.problems.filter((p) => p.end > p.start);
	const json = findings.map((f) => format === 'ndjson' && !bad.some((p) => p.start <= f.start && f.start < p.end));
	return { findings, json, problems: res.problems, line: piece.line };
}

async function scan(ctx: ServerContext, uri: string, st: DocState, gen: number): Promise<void> {
	const doc = ctx.documents.get(uri);
	if (!doc) return;
	const settings = await ctx.settings.get(uri);
	const current = ctx.documents.get(uri);
	if (!current || current.version !== doc.version || st.gen !== gen) return; // a newer version will be validated
	if (!settings.enable) return publishSkipped(ctx, doc, 'disabled');
	if (doc.getText().length > settings.maxFileSizeKb * 1024) return publishSkipped(ctx, doc, 'tooLarge', settings.maxFileSizeKb);
	await new DocumentScan(ctx, doc, settings, st, gen).run();
}

/** A document that is not scanned: disabled, or larger than deid.maxFileSizeKb (with a diagnostic that says why). */
async function publishSkipped(ctx: ServerContext, doc: TextDocument, skipped: 'disabled' | 'tooLarge', maxKb = 0): Promise<void> {
	const uri = doc.uri;
	const diagnostics: Diagnostic[] = [];
	if (skipped === 'disabled') ctx.scans.delete(uri);
	else {
		ctx.scans.set(uri, { version: doc.version, format: formatOf(doc), findings: [], json: [], problems: [], tooLarge: true });
		diagnostics.push(
			Diagnostic.create(
				{ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
				`This file (${Math.ceil(doc.getText().length / 1024).toLocaleString('en-US')} KB) is larger than deid.maxFileSizeKb (${maxKb} KB) and was not scanned in the editor. Use "De-identify Folder…" or the deid CLI for large files, or raise deid.maxFileSizeKb.`,
				DiagnosticSeverity.Information,
				CODE_TOO_LARGE,
				DIAGNOSTIC_SOURCE,
			),
		);
	}
	await ctx.connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
	// nothing was scanned: no time to report
	await ctx.connection.sendNotification(StatusNotification, { uri, version: doc.version, total: 0, counts: {}, skipped, elapsedMs: 0 });
}

/**
 * One scan of one version of an open document: its pieces from the cache or detected (visible ones first), with
 * partial publications while a long scan goes on, yielding between pieces; it stops when a newer scan starts.
 */
class DocumentScan {
	private readonly uri: string;
	private readonly text: string;
	private readonly format: DocumentFormat;
	private readonly started = Date.now();
	private pieces: Piece[] = [];
	private readonly results: (PieceResult | undefined)[] = [];
	/** Indexes of the pieces left to detect. */
	private readonly todo = new Set<number>();
	/** Characters left to detect. */
	private remaining = 0;
	// busy time (all but the yields) and detection time, for the debounce
	private busy = 0;
	private detectMs = 0;
	private detected = 0;
	private mark = performance.now();
	// the editor's visible ranges, as offsets, and the stamp of the ranges they were computed from
	private stamp = -1;
	private visible: { start: number; end: number }[] = [];
	private partialSent = false;
	/** The visible ranges (their stamp) the last partial publication had scanned. */
	private publishedStamp = -1;
	private lastProgress = performance.now();
	private progressEvery = PROGRESS_MS;

	constructor(
		private readonly ctx: ServerContext,
		private readonly doc: TextDocument,
		private readonly settings: DeidSettings,
		private readonly st: DocState,
		private readonly gen: number,
	) {
		this.uri = doc.uri;
		this.text = doc.getText();
		this.format = formatOf(doc);
	}

	private stale(): boolean {
		return this.st.gen !== this.gen || this.ctx.documents.get(this.uri)?.version !== this.doc.version;
	}

	private fail(err: unknown): void {
		// Never crash the server on a document; report the failure without content.
		this.ctx.connection.console.error(`scan failed for a document (${(err as Error).name})`);
	}

	async run(): Promise<void> {
		const { st } = this;
		try {
			st.cache.setOptions(optionsKey(this.ctx, this.uri, this.settings, this.format));
			this.pieces = piecesOf(this.text, this.format);
			for (const p of this.pieces) this.results.push(st.cache.get(p));
		} catch (err) {
			return this.fail(err);
		}
		this.results.forEach((r, i) => {
			if (r) return;
			this.todo.add(i);
			this.remaining += this.pieces[i].end - this.pieces[i].start;
		});
		// only a long scan publishes as it goes: a short one publishes once, complete
		const staged = this.remaining > STAGED_CHARS;
		while (this.todo.size) {
			const next = this.nextPiece();
			if (!this.detect(next)) return;
			if (!this.todo.size) break;
			if (staged && !(await this.publishProgress())) return;
			this.busy += performance.now() - this.mark;
			// hovers, code actions and newer edits are answered between pieces
			await yieldToEvents();
			this.mark = performance.now();
			if (this.stale()) return;
		}
		await this.complete();
	}

	/** The next piece: the first one the editor shows, else the first in document order. */
	private nextPiece(): number {
		if (this.stamp !== this.st.visibleStamp) {
			this.stamp = this.st.visibleStamp;
			this.visible = visibleOffsets(this.doc, this.st.visible);
		}
		let next = -1;
		for (const i of this.todo) {
			if (next < 0) next = i;
			if (this.shows(i)) return i;
		}
		return next;
	}

	private shows(i: number): boolean {
		const p = this.pieces[i];
		return this.visible.some((v) => p.start <= v.end && v.start < p.end);
	}

	/** Detect one piece into the cache and the results; false when it failed. */
	private detect(i: number): boolean {
		const p = this.pieces[i];
		try {
			const d0 = performance.now();
			const r = scanPiece(this.ctx, this.uri, detach(this.text.slice(p.start, p.end)), p, this.format, this.settings);
			this.detectMs += performance.now() - d0;
			this.detected++;
			this.st.cache.put(p, r);
			this.results[i] = r;
		} catch (err) {
			this.fail(err);
			return false;
		}
		this.todo.delete(i);
		this.remaining -= p.end - p.start;
		return true;
	}

	/**
	 * What the editor shows first (at once, and again when the user scrolled to a part now scanned), then progress
	 * now and then: the rest of the document follows in pieces. False when a newer scan took over.
	 */
	private async publishProgress(): Promise<boolean> {
		const visibleLeft = [...this.todo].some((i) => this.shows(i));
		const sinceLast = performance.now() - this.lastProgress;
		const visibleDone =
			!visibleLeft && this.publishedStamp !== this.stamp && (!this.partialSent || sinceLast > Math.max(VISIBLE_MIN_MS, this.progressEvery / 4));
		if (!visibleDone && sinceLast <= this.progressEvery) return true;
		const { ctx, doc, uri, results } = this;
		const t = performance.now();
		const total = this.text.length;
		const scanning = { done: total - this.remaining, total };
		let known = 0;
		for (const r of results) known += r?.findings.length ?? 0;
		if (!this.partialSent || visibleDone || known <= PARTIAL_FINDINGS_MAX) {
			const entry = assemble(ctx, uri, doc, this.text, this.format, this.settings, this.pieces, results);
			ctx.scans.set(uri, { ...entry, partial: true });
			await publish(ctx, doc, entry, this.settings, this.started, scanning);
		} else {
			// many findings: re-sending them all at each step would cost more than the scan; progress only
			const counts: Record<string, number> = {};
			for (const r of results) for (const f of r?.findings ?? []) counts[f.type] = (counts[f.type] ?? 0) + 1;
			await ctx.connection.sendNotification(StatusNotification, {
				uri,
				version: doc.version,
				total: known,
				counts,
				elapsedMs: Date.now() - this.started,
				scanning,
			});
		}
		this.partialSent = true;
		if (!visibleLeft) this.publishedStamp = this.stamp;
		this.lastProgress = performance.now();
		// a publication costs what the findings so far cost: never more than a fifth of the time on them
		this.progressEvery = Math.max(PROGRESS_MS, 4 * (this.lastProgress - t));
		if (this.stale()) return false;
		this.mark = performance.now();
		return true;
	}

	/** Every piece is known: the document's entry, published; the cache keeps only this version's pieces. */
	private async complete(): Promise<void> {
		const { ctx, uri, st } = this;
		let entry: ScanEntry;
		try {
			entry = assemble(ctx, uri, this.doc, this.text, this.format, this.settings, this.pieces, this.results);
		} catch (err) {
			return this.fail(err);
		}
		st.cache.retain(this.pieces);
		ctx.scans.set(uri, entry);
		await publish(ctx, this.doc, entry, this.settings, this.started);
		reviewHook.validated?.(uri);
		if (this.text.length >= COLLECT_FROM_CHARS) collectGarbage();
		this.busy += performance.now() - this.mark;
		// a first scan detects every piece; an edit re-detects about one
		st.lastScanMs = this.detected > 1 ? this.busy - this.detectMs + this.detectMs / this.detected : this.busy;
	}
}

/** Character offsets of the editor's visible ranges in this version of the document. */
function visibleOffsets(doc: TextDocument, ranges: readonly Range[]): { start: number; end: number }[] {
	return ranges.map((r) => ({ start: doc.offsetAt(r.start), end: doc.offsetAt(r.end) }));
}

/** The document's entry from the findings of its pieces (pieces not scanned yet contribute nothing). */
function assemble(
	ctx: ServerContext,
	uri: string,
	doc: TextDocument,
	text: string,
	format: DocumentFormat,
	settings: DeidSettings,
	pieces: readonly Piece[],
	results: readonly (PieceResult | undefined)[],
): ScanEntry {
	const findings: Finding[] = [];
	const notJson = new Set<Finding>();
	const problems: DocumentProblem[] = [];
	pieces.forEach((p, i) => {
		const r = results[i];
		if (!r) return;
		r.findings.forEach((f, k) => {
			const g = p.start ? { ...f, start: f.start + p.start, end: f.end + p.start } : f;
			findings.push(g);
			if (!r.json[k]) notJson.add(g);
		});
		for (const q of r.problems) problems.push(p.start ? { ...q, start: q.start + p.start, end: q.end + p.start } : q);
	});
	const job = outputOf(uri);
	const output = job?.kind;
	const { reported, quiet } = splitQuiet(findings, ctx.written.get(uri), output, text, unchangedOutput(job, text));
	const review = output ? undefined : reviewHook.apply?.(uri, text, reported);
	return {
		version: doc.version,
		format,
		findings: review ? review.findings : reported,
		json: review ? review.origin.map((o) => (o >= 0 ? !notJson.has(reported[o]) : format === 'ndjson')) : reported.map((f) => !notJson.has(f)),
		problems,
		tooLarge: false,
		quiet,
		output,
		nameTypes: nameTypes(uri, ctx, detectOptionsFrom(settings)),
	};
}

async function publish(
	ctx: ServerContext,
	doc: TextDocument,
	entry: ScanEntry,
	settings: DeidSettings,
	started: number,
	scanning?: { done: number; total: number },
): Promise<void> {
	const diagnostics = toDiagnostics(doc, entry, settings);
	await ctx.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
	const counts: Record<string, number> = {};
	for (const f of entry.findings) counts[f.type] = (counts[f.type] ?? 0) + 1;
	await ctx.connection.sendNotification(StatusNotification, {
		uri: doc.uri,
		version: doc.version,
		total: entry.findings.length,
		counts,
		elapsedMs: Date.now() - started,
		deidentified: entry.quiet?.length ?? 0,
		...(entry.output ? { output: entry.output } : {}),
		...(scanning ? { scanning } : {}),
		debounceMs: states.get(doc.uri)?.debounceMs ?? 0,
	});
}

const nameCache = new Map<string, EntityType[] | undefined>();

/** Types of PHI in a file's own name (`Okafor-Margaret 555-0199.txt`), as the folder job detects them. */
function nameTypes(uri: string, ctx: ServerContext, options: DetectOptions): EntityType[] | undefined {
	if (!uri.startsWith('file:')) return undefined;
	let name: string;
	try {
		name = basename(fileURLToPath(uri));
	} catch {
		return undefined;
	}
	// the name does not change as the text does: detected once per name and options
	const key = `${name}\u0000${JSON.stringify(options)}`;
	if (!nameCache.has(key)) {
		if (nameCache.size > 1000) nameCache.clear();
		const types = [...new Set(detectInName(name, ctx.dicts(), options).map((f) => f.type))];
		nameCache.set(key, types.length ? types : undefined);
	}
	return nameCache.get(key);
}

/** JSON keys whose single-word lower-case values are codes (FHIR `telecom.system` "phone", `use`, `status` …). */
const CODE_KEY_BEFORE = /(?<!\\)"(?:system|use|status|resourceType|code)"[ \t]*:[ \t]*"$/;
/** Terminology systems: their URLs name code systems, never a person. */
const TERMINOLOGY_URL = /^(?:https?:\/\/)?(?:[a-z0-9-]+\.)*(?:hl7\.org|snomed\.info|loinc\.org)(?:[/:?#]|$)/i;

/** Findings that are never PHI: code values of JSON keys, terminology URLs. */
export function notPhi(text: string, f: Finding, format: DocumentFormat): boolean {
	const value = text.slice(f.start, f.end);
	if (f.type === 'Url' && TERMINOLOGY_URL.test(value.replace(/\\\//g, '/'))) return true;
	return (
		format === 'ndjson' &&
		/^[a-z]+$/.test(value) &&
		text.charCodeAt(f.end) === 0x22 &&
		CODE_KEY_BEFORE.test(text.slice(Math.max(0, f.start - 40), f.start))
	);
}

/** Calibrated confidence from which a finding in de-identified output is taken for a leak. */
export const LEAK_CONFIDENCE = 0.9;

/** In a job's output or report: is this finding likely PHI the job left, rather than what it wrote? */
function isLeak(f: Finding, output: OutputKind): boolean {
	// a report is the tool's own text throughout (counts, settings, timestamps; never a value)
	if (output === 'report' || f.confidence < LEAK_CONFIDENCE) return false;
	// structured FHIR values the configuration hashes or shifts are its own output; a field it redacts is not
	if (f.detector.startsWith('fhir:') && f.detector !== 'fhir:redact') return false;
	return true;
}

/**
 * Findings to report, and the spans shown as de-identified: text this session's edits wrote (its findings are not
 * reported), and in a job's output every finding but likely leaks.
 */
export function splitQuiet(
	findings: Finding[],
	written: readonly Span[],
	output: OutputKind | undefined,
	text: string,
	unchanged = false,
): { reported: Finding[]; quiet: Span[] } {
	const reported: Finding[] = [];
	const quiet: Span[] = [...written];
	let w = 0;
	for (const f of findings) {
		// findings and spans are both in document order
		while (w < written.length && written[w].end <= f.start) w++;
		if (w < written.length && written[w].start <= f.start && f.end <= written[w].end) continue;
		if (output && (unchanged || !isLeak(f, output))) quiet.push({ start: f.start, end: f.end });
		else reported.push(f);
	}
	if (output) quiet.sort((a, b) => a.start - b.start);
	return { reported, quiet };
}

/** One message string per type and confidence: a large document's tens of thousands of diagnostics share them. */
const messages = new Map<string, string>();
function messageOf(f: Finding, output: boolean): string {
	const key = `${output ? 1 : 0}${f.type}\u0000${f.confidence}`;
	let m = messages.get(key);
	if (m === undefined) {
		if (messages.size > 4096) messages.clear();
		m = `${output ? 'Possible PHI left in de-identified output' : 'Possible PHI'}: ${f.type} (confidence ${formatConfidence(f.confidence)})`;
		messages.set(key, m);
	}
	return m;
}

export function toDiagnostics(doc: TextDocument, entry: ScanEntry, settings: DeidSettings): Diagnostic[] {
	const out: Diagnostic[] = [];
	entry.findings.forEach((f, i) => {
		const sev = settings.severity[f.type];
		if (sev === 'off') return;
		const data: PhiDiagnosticData = { type: f.type, confidence: f.confidence, detector: f.detector, json: entry.json[i], version: entry.version };
		const d = Diagnostic.create(
			{ start: doc.positionAt(f.start), end: doc.positionAt(f.end) },
			messageOf(f, !!entry.output),
			SEVERITY[sev],
			diagnosticCode(f.type),
			DIAGNOSTIC_SOURCE,
		);
		d.data = data;
		out.push(d);
	});
	// quiet: a hint, its text faded, so what is done reads apart from what is not
	const done = entry.output ? 'de-identified output (written by vscode-deid)' : 'de-identified (written by vscode-deid)';
	for (const q of entry.quiet ?? []) {
		const d = Diagnostic.create(
			{ start: doc.positionAt(q.start), end: doc.positionAt(q.end) },
			done,
			DiagnosticSeverity.Hint,
			CODE_DEIDENTIFIED,
			DIAGNOSTIC_SOURCE,
		);
		d.tags = [DiagnosticTag.Unnecessary];
		out.push(d);
	}
	if (entry.nameTypes?.length) {
		out.push(
			Diagnostic.create(
				{ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
				`The file's name holds possible PHI (${entry.nameTypes.join(', ')}). De-identify Folder… gives its output a de-identified name; rename the source if it is shared.`,
				DiagnosticSeverity.Information,
				CODE_FILE_NAME,
				DIAGNOSTIC_SOURCE,
			),
		);
	}
	if (entry.output) {
		const what = entry.output === 'report' ? 'Report of a vscode-deid folder job' : 'De-identified output of a vscode-deid folder job';
		const leaks = entry.findings.length;
		out.push(
			Diagnostic.create(
				{ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
				`${what}: ${entry.quiet?.length ?? 0} de-identified value(s) shown faded; ${leaks} possible leak(s) reported.`,
				DiagnosticSeverity.Hint,
				CODE_OUTPUT,
				DIAGNOSTIC_SOURCE,
			),
		);
	}
	for (const p of entry.problems) {
		out.push(
			Diagnostic.create(
				{ start: doc.positionAt(p.start), end: doc.positionAt(p.end) },
				p.message,
				DiagnosticSeverity.Information,
				CODE_MALFORMED_LINE,
				DIAGNOSTIC_SOURCE,
			),
		);
	}
	return out;
}
