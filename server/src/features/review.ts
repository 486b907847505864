import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ResponseError, type CancellationToken, type InitializeParams, type Range } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
	applyReview,
	decide,
	toBrat,
	toJsonAnnotations,
	emptyReview,
	folderKey,
	folderKeysOf,
	isEntityType,
	pathKey,
	scanDocument,
	scopedRejects,
	type AppliedReview,
	type DocumentFormat,
	type Finding,
	type ReviewDigest,
	type ReviewDocument,
} from '../engine';
import { decodeText, formatForPath } from '../node/textio';
import {
	ReviewChangedNotification,
	ReviewDecideRequest,
	ReviewExportRequest,
	type ReviewExportResult,
	ReviewFileRequest,
	ReviewMarkFileRequest,
	ReviewScanFolderRequest,
	type FileReview,
	type ReviewFinding,
	type ReviewScanFolderResult,
	type ReviewDecideParams,
	type ReviewExportParams,
	type ReviewFileParams,
	type ReviewMarkFileParams,
	type ReviewScanFolderParams,
} from '../protocol';
import { ReviewStore, type ReviewPlace } from '../review/store';
import { detectOptionsFrom, type DeidSettings } from '../settings';
import { formatOf, type ServerContext } from '../state';
import { notPhi, reviewHook, validate } from './diagnostics';
import { writeAtomic } from '../jobs/folderJob';
import { scanPool, workerScriptPath, type ScanFailure } from '../jobs/taskPool';
import type { ScanOutcome } from '../cli/scanFile';

/** A file's text and findings (before decisions) as the review sees them. */
interface Scanned {
	text: string;
	findings: Finding[];
	/** The open document (offsets ↔ positions). */
	doc: TextDocument;
}

const yieldToEvents = () => new Promise<void>((r) => setImmediate(r));
/** Folders a folder scan does not enter (tool state, version control, dependencies). */
const SKIP_DIRS = new Set(['.deid', '.git', '.hg', '.svn', 'node_modules']);
/** Files a worker scans per message (fewer messages; progress still moves file by file). */
const SCAN_BATCH = 16;

/** The review service: the findings view's requests, decisions in `.deid/review.json`, decisions applied to diagnostics. */
class ReviewService {
	readonly store: ReviewStore;
	/** The findings (before decisions) of open documents' last validation. */
	readonly raw = new Map<string, { version: number; findings: Finding[] }>();
	readonly connection: ServerContext['connection'];

	constructor(readonly ctx: ServerContext) {
		this.connection = ctx.connection;
		this.store = new ReviewStore(() => ctx.key);
		reviewHook.apply = (uri, text, findings) => {
			const doc = this.ctx.documents.get(uri);
			if (doc) this.raw.set(uri, { version: doc.version, findings });
			const r = this.reviewOf(uri);
			if (!r.place || !r.doc) return undefined;
			const digest = this.store.digest();
			const entry = r.doc.files[pathKey(digest, r.place.rel)];
			const rejected = scopedRejects(r.doc, folderKeysOf(digest, r.place.rel));
			if (!entry && !rejected.size) return undefined;
			const a = applyReview(text, findings, entry, rejected, digest);
			return { findings: a.effective, origin: a.origin };
		};
		reviewHook.validated = (uri) => {
			void this.openReview(uri).then((r) => r && this.connection.sendNotification(ReviewChangedNotification, r));
		};
	}

	/** A file's place and review document, or why there is none. */
	reviewOf(uri: string): { place?: ReviewPlace; doc?: ReviewDocument; error?: string } {
		const path = pathOf(uri);
		if (!path) return { error: 'Only files on disk can be reviewed: decisions are stored in .deid/review.json of a workspace folder.' };
		const place = this.store.locate(path);
		if ('error' in place) return { error: place.error };
		const read = this.store.load(place);
		return read.doc ? { place, doc: read.doc } : { place, error: read.error };
	}

	applied(uri: string, text: string, findings: readonly Finding[], digest: ReviewDigest): { review: AppliedReview; error?: string } {
		const r = this.reviewOf(uri);
		const doc = r.doc ?? emptyReview('');
		const entry = r.place ? doc.files[pathKey(digest, r.place.rel)] : undefined;
		const rejected = r.place && r.doc ? scopedRejects(r.doc, folderKeysOf(digest, r.place.rel)) : new Map();
		return { review: applyReview(text, findings, entry, rejected, digest), error: r.error };
	}

	/** The findings view's record of one file. */
	toFileReview(uri: string, text: string, doc: TextDocument, a: AppliedReview, digest: ReviewDigest, error?: string): FileReview {
		const seen = new Map<string, number>();
		const findings: ReviewFinding[] = a.items.map((it) => {
			const f = it.finding;
			// an anchor key: the value with its neighbourhood (digested), numbered when it repeats
			let id = digest(
				`id\u0000${text.slice(Math.max(0, f.start - 24), f.start)}\u0000${text.slice(f.start, f.end)}\u0000${text.slice(f.end, f.end + 24)}`,
			).slice(0, 20);
			const n = seen.get(id) ?? 0;
			seen.set(id, n + 1);
			if (n) id += `-${n}`;
			return {
				id,
				range: { start: doc.positionAt(f.start), end: doc.positionAt(f.end) },
				type: f.type,
				...(it.decision === 'add' ? {} : { detectedType: it.detectedType ?? f.type }),
				confidence: f.confidence,
				detector: f.detector,
				...(it.decision ? { decision: it.decision } : {}),
				...(it.scope ? { scope: it.scope } : {}),
				preview: text.slice(f.start, Math.min(f.end, f.start + 80)),
			};
		});
		return { uri, findings, reviewed: a.reviewed, pending: a.pending, ...(error ? { error } : {}) };
	}

	/** An open document's current text and findings (validated first when its findings are stale). */
	async openScanned(uri: string): Promise<Scanned | undefined> {
		let doc = this.ctx.documents.get(uri);
		if (!doc) return undefined;
		if (this.raw.get(uri)?.version !== doc.version) await validate(this.ctx, uri);
		doc = this.ctx.documents.get(uri);
		const r = this.raw.get(uri);
		if (!doc || !r || r.version !== doc.version) return undefined;
		return { text: doc.getText(), findings: r.findings, doc };
	}

	/** The review of a scanned text: its findings with the decisions applied. */
	reviewOfScanned(uri: string, s: Scanned): FileReview {
		const digest = this.store.digest();
		const a = this.applied(uri, s.text, s.findings, digest);
		return this.toFileReview(uri, s.text, s.doc, a.review, digest, a.error);
	}

	async openReview(uri: string): Promise<FileReview | undefined> {
		const s = await this.openScanned(uri);
		return s && this.reviewOfScanned(uri, s);
	}

	/** A closed file read from disk, as a document of its format; a reason (never content) when it cannot be. */
	async diskRead(uri: string): Promise<{ doc: TextDocument; format: DocumentFormat; settings: DeidSettings } | { error: string }> {
		const path = pathOf(uri);
		if (!path) return { error: 'not a file on disk' };
		const settings = await this.ctx.settings.get(uri);
		let bytes: Buffer;
		try {
			const st = await stat(path);
			if (!st.isFile()) return { error: 'not a regular file' };
			if (st.size > settings.maxFileSizeKb * 1024) return { error: `larger than deid.maxFileSizeKb (${settings.maxFileSizeKb} KB)` };
			bytes = await readFile(path);
		} catch (e) {
			return { error: `not readable (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
		}
		const dec = decodeText(bytes);
		if (!dec.ok) return { error: dec.reason };
		const format: DocumentFormat = formatForPath(path) ?? 'text';
		return { doc: TextDocument.create(uri, format === 'ndjson' ? 'ndjson' : 'plaintext', 0, dec.text), format, settings };
	}

	/** A file's own findings, without those that are not PHI in their place. */
	phiOnly(doc: TextDocument, findings: readonly Finding[]) {
		return findings.filter((f) => !notPhi(doc.getText(), f, formatOf(doc)));
	}

	/** A closed file read from disk and scanned now; a reason (never content) when it cannot be. */
	async diskScanned(uri: string): Promise<Scanned | { error: string }> {
		const r = await this.diskRead(uri);
		if ('error' in r) return r;
		const text = r.doc.getText();
		return { text, findings: this.phiOnly(r.doc, scanDocument(text, r.format, this.ctx.dicts(), detectOptionsFrom(r.settings)).findings), doc: r.doc };
	}

	async scanned(uri: string): Promise<Scanned | { error: string }> {
		return (await this.openScanned(uri)) ?? this.diskScanned(uri);
	}

	async fileReview(uri: string): Promise<FileReview> {
		return (await this.fileReviewOr(uri)).review;
	}

	/** A file's review, and whether it could not be scanned at all. */
	async fileReviewOr(uri: string): Promise<{ review: FileReview; failed?: boolean }> {
		const s = await this.scanned(uri);
		if ('error' in s) return { review: { uri, findings: [], reviewed: false, pending: 0, error: s.error }, failed: true };
		return { review: this.reviewOfScanned(uri, s) };
	}

	/** After a change of decisions: open documents are validated again (their diagnostics follow), closed ones notified. */
	async changed(uri: string, everyOpen: boolean): Promise<FileReview> {
		if (everyOpen) for (const d of this.ctx.documents.all()) if (d.uri !== uri) void validate(this.ctx, d.uri, true);
		if (this.ctx.documents.get(uri)) {
			await validate(this.ctx, uri, true);
			const r = await this.openReview(uri);
			if (r) return r;
		}
		const r = await this.fileReview(uri);
		void this.connection.sendNotification(ReviewChangedNotification, r);
		return r;
	}

	/**
	 * A closed file's review from a worker's scan (`deid scan --json`'s record): the text is read here for positions
	 * and labels. Undefined when the worker could not scan it or the file cannot be read (this thread then says why).
	 */
	async reviewFromWorker(uri: string, outcome: ScanOutcome): Promise<{ review: FileReview; failed?: boolean } | undefined> {
		if (outcome.unreadable || !outcome.out) return undefined;
		const r = await this.diskRead(uri);
		if ('error' in r) return undefined;
		const record = JSON.parse(outcome.out) as { findings: Finding[] };
		return { review: this.reviewOfScanned(uri, { text: r.doc.getText(), findings: this.phiOnly(r.doc, record.findings), doc: r.doc }) };
	}

	async reviewFile(p: ReviewFileParams) {
		if (!p || typeof p.uri !== 'string') throw new ResponseError(-32602, 'uri expected');
		return this.fileReview(p.uri);
	}

	async decide(p: ReviewDecideParams) {
		if (!p || typeof p.uri !== 'string' || !validRange(p.range)) throw new ResponseError(-32602, 'uri and range expected');
		if (!['accept', 'reject', 'changeType', 'add', 'clear'].includes(p.decision)) throw new ResponseError(-32602, `unknown decision ${String(p.decision)}`);
		if ((p.decision === 'changeType' || p.decision === 'add') && !isEntityType(p.type)) throw new ResponseError(-32602, `${p.decision} needs a type`);
		if (p.scope !== undefined && !['file', 'folder', 'workspace'].includes(p.scope)) throw new ResponseError(-32602, 'unknown scope');
		const r = this.reviewOf(p.uri);
		if (!r.place || !r.doc) throw new ResponseError(-32603, r.error ?? 'The decision cannot be stored.');
		const s = await this.scanned(p.uri);
		if ('error' in s) throw new ResponseError(-32603, `The file cannot be reviewed: ${s.error}.`);
		const start = s.doc.offsetAt(p.range.start);
		const end = s.doc.offsetAt(p.range.end);
		if (end <= start) throw new ResponseError(-32602, 'an empty range');
		const digest = this.store.digest();
		const key = pathKey(digest, r.place.rel);
		const entry = r.doc.files[key];
		const a = applyReview(s.text, s.findings, entry, new Map(), digest);
		const atSpan = a.items.find((it) => it.finding.start === start && it.finding.end === end);
		let decision = p.decision;
		if (decision !== 'add' && decision !== 'clear' && !atSpan)
			throw new ResponseError(-32602, 'No finding has this range; use "add" for a span the detector missed.');
		// on an added span: a new type is a new addition, a rejection removes it
		if (atSpan?.decision === 'add' && decision === 'changeType') decision = 'add';
		if (atSpan?.decision === 'add' && decision === 'reject') decision = 'clear';
		const folderRel = r.place.rel.split('/').slice(0, -1).join('/');
		const next = decide(s.text, s.findings, entry, { start, end }, decision, digest, {
			type: p.type,
			scope: p.scope,
			folder: folderKey(digest, folderRel),
		});
		const docNext: ReviewDocument = { ...r.doc, files: { ...r.doc.files, [key]: next } };
		try {
			this.store.save(r.place, docNext);
		} catch (e) {
			throw new ResponseError(-32603, `The review file ${r.place.path} could not be written (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
		}
		return this.changed(
			p.uri,
			(decision === 'reject' && (p.scope === 'folder' || p.scope === 'workspace')) ||
				(entry?.decisions.some((d) => d.scope && d.scope !== 'file') ?? false),
		);
	}

	async markFile(p: ReviewMarkFileParams) {
		if (!p || typeof p.uri !== 'string') throw new ResponseError(-32602, 'uri expected');
		const r = this.reviewOf(p.uri);
		if (!r.place || !r.doc) throw new ResponseError(-32603, r.error ?? 'The mark cannot be stored.');
		const key = pathKey(this.store.digest(), r.place.rel);
		const entry = r.doc.files[key] ?? { decisions: [] };
		const next = { ...entry, reviewed: !!p.reviewed || undefined };
		if (!next.reviewed) delete next.reviewed;
		try {
			this.store.save(r.place, { ...r.doc, files: { ...r.doc.files, [key]: next } });
		} catch (e) {
			throw new ResponseError(-32603, `The review file ${r.place.path} could not be written (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
		}
		return this.changed(p.uri, false);
	}

	async scanFolder(p: ReviewScanFolderParams, token: CancellationToken): Promise<ReviewScanFolderResult> {
		if (!p || typeof p.folder !== 'string') throw new ResponseError(-32602, 'folder expected');
		const workDone = p.workDoneToken !== undefined ? this.connection.window.attachWorkDoneProgress(p.workDoneToken) : undefined;
		workDone?.begin('Scanning for PHI', 0, 'Listing files…', true);
		const result: ReviewScanFolderResult = { files: 0, findings: 0, cancelled: false, failures: [] };
		let onWorkers = 0;
		// Closed files are scanned on worker threads, in batches, read back in order; open documents (their
		// current text) and anything a worker could not do go through this thread.
		let pool: ReturnType<typeof scanPool> | undefined;
		try {
			const files: string[] = [];
			await listFiles(p.folder, files, result.failures, p.folder);
			// (a worker loads its dictionaries first: worth it from a second batch on)
			const script = workerScriptPath();
			if (script && files.length > SCAN_BATCH)
				pool = scanPool(Math.max(1, Math.min(4, availableParallelism(), Math.ceil(files.length / SCAN_BATCH))), script);
			const opts = detectOptionsFrom(await this.ctx.settings.get(p.scopeUri ?? pathToFileURL(p.folder).href));
			const openPath = new Map(this.ctx.documents.all().map((d) => [pathOf(d.uri), d.uri]));
			const batches: { paths: string[]; outcome?: Promise<ScanOutcome[] | ScanFailure> }[] = [];
			for (let i = 0; i < files.length; i += SCAN_BATCH) {
				const paths = files.slice(i, i + SCAN_BATCH);
				const closed = paths.filter((f) => !openPath.has(f));
				batches.push({
					paths,
					outcome: pool && closed.length ? pool.run(closed.map((path) => ({ path, from: path.length, opts, json: true }))) : undefined,
				});
			}
			let k = 0;
			for (const batch of batches) {
				const outcomes = await batch.outcome;
				const byPath = new Map<string, ScanOutcome>();
				if (outcomes && !('failed' in outcomes)) {
					const closed = batch.paths.filter((f) => !openPath.has(f));
					closed.forEach((f, i) => byPath.set(f, outcomes[i]));
				}
				for (const path of batch.paths) {
					if (token.isCancellationRequested) {
						result.cancelled = true;
						break;
					}
					const uri = openPath.get(path) ?? pathToFileURL(path).href;
					const scannedByWorker = byPath.get(path);
					const fromWorker = scannedByWorker && (await this.reviewFromWorker(uri, scannedByWorker));
					if (fromWorker) onWorkers++;
					const { review, failed } = fromWorker || (await this.fileReviewOr(uri));
					k++;
					workDone?.report(Math.round((k / files.length) * 100), `${k}/${files.length} files`);
					if (failed) {
						result.failures.push({ path: relative(p.folder, path).split(sep).join('/'), reason: review.error ?? 'not scanned' });
						continue;
					}
					result.files++;
					result.findings += review.findings.filter((f) => f.decision !== 'reject').length;
					void this.connection.sendNotification(ReviewChangedNotification, review);
					// requests and edits are answered between files
					await yieldToEvents();
				}
				if (result.cancelled) break;
			}
		} finally {
			workDone?.done();
			await pool?.terminate();
		}
		return { ...result, onWorkers };
	}

	async exportReview(p: ReviewExportParams, token: CancellationToken): Promise<ReviewExportResult> {
		if (!p || typeof p.folder !== 'string' || typeof p.out !== 'string' || (p.format !== 'brat' && p.format !== 'json'))
			throw new ResponseError(-32602, 'folder, out and format (brat or json) expected');
		const result: ReviewExportResult = { files: 0, spans: 0, skipped: [] };
		const folder = resolve(p.folder);
		const out = resolve(p.out);
		const inside = relative(folder, out);
		if (!inside || (!inside.startsWith('..') && !isAbsolute(inside)))
			return { ...result, error: 'The export folder must lie outside the reviewed folder (the set holds the notes themselves).' };
		const place = this.store.locate(join(folder, '.deid'));
		if ('error' in place) return { ...result, error: place.error };
		const workDone = p.workDoneToken !== undefined ? this.connection.window.attachWorkDoneProgress(p.workDoneToken) : undefined;
		workDone?.begin('Exporting the review', 0, 'Listing files…', true);
		try {
			const files: string[] = [];
			const failures: { path: string; reason: string }[] = [];
			await listFiles(folder, files, failures, folder);
			result.skipped.push(...failures);
			await mkdir(out, { recursive: true });
			const digest = this.store.digest();
			for (let k = 0; k < files.length && !token.isCancellationRequested; k++) {
				const path = files[k];
				const rel = relative(folder, path).split(sep).join('/');
				workDone?.report(Math.round(((k + 1) / files.length) * 100), `${k + 1}/${files.length} files`);
				if (formatForPath(path) !== 'text') {
					result.skipped.push({ path: rel, reason: 'NDJSON: annotations are written for plain-text files only' });
					continue;
				}
				const uri = this.ctx.documents.all().find((d) => pathOf(d.uri) === path)?.uri ?? pathToFileURL(path).href;
				const s = await this.scanned(uri);
				if ('error' in s) {
					result.skipped.push({ path: rel, reason: s.error });
					continue;
				}
				const a = this.applied(uri, s.text, s.findings, digest);
				if (!a.review.reviewed) {
					result.skipped.push({ path: rel, reason: 'not reviewed' });
					continue;
				}
				const spans = a.review.effective.map((f) => ({ type: f.type, start: f.start, end: f.end }));
				// named by the path's keyed digest, as in review.json: no file name we write holds a name
				const fileplace = this.store.locate(path);
				const name = join(out, pathKey(digest, 'rel' in fileplace ? fileplace.rel : rel).slice(0, 24));
				await writeAtomic(`${name}.txt`, s.text, 0o600);
				await writeAtomic(
					p.format === 'brat' ? `${name}.ann` : `${name}.deid.json`,
					p.format === 'brat' ? toBrat(spans, s.text) : toJsonAnnotations(spans),
					0o600,
				);
				result.files++;
				result.spans += spans.length;
				await yieldToEvents();
			}
		} finally {
			workDone?.done();
		}
		return result;
	}
}

/** Registers the review requests and hooks on the server's connection. */
export function registerReview(ctx: ServerContext): { initialize(params: InitializeParams): void; initialized(): void; store: ReviewStore } {
	const service = new ReviewService(ctx);
	const { connection } = ctx;
	connection.onRequest(ReviewFileRequest, (p) => service.reviewFile(p));
	connection.onRequest(ReviewDecideRequest, (p) => service.decide(p));
	connection.onRequest(ReviewMarkFileRequest, (p) => service.markFile(p));
	connection.onRequest(ReviewScanFolderRequest, (p, token) => service.scanFolder(p, token));
	connection.onRequest(ReviewExportRequest, (p, token) => service.exportReview(p, token));
	return {
		store: service.store,
		initialize(params) {
			const folders = (params.workspaceFolders ?? []).map((f) => pathOf(f.uri)).filter((x): x is string => !!x);
			if (!folders.length && params.rootUri) {
				const root = pathOf(params.rootUri);
				if (root) folders.push(root);
			}
			service.store.setFolders(folders);
		},
		initialized() {
			try {
				connection.workspace.onDidChangeWorkspaceFolders((e) => {
					service.store.addFolders(
						e.added.map((f) => pathOf(f.uri)).filter((x): x is string => !!x),
						e.removed.map((f) => pathOf(f.uri)).filter((x): x is string => !!x),
					);
				});
			} catch {
				// the client does not announce workspace folder changes
			}
		},
	};
}

function pathOf(uri: string): string | undefined {
	if (!uri.startsWith('file:')) return undefined;
	try {
		return fileURLToPath(uri);
	} catch {
		return undefined;
	}
}

function validRange(r: Range | undefined): r is Range {
	const ok = (p: unknown) => !!p && Number.isInteger((p as { line: number }).line) && Number.isInteger((p as { character: number }).character);
	return !!r && ok(r.start) && ok(r.end);
}

/** Text and NDJSON files under a folder (not following links), in path order. */
async function listFiles(dir: string, out: string[], failures: { path: string; reason: string }[], root: string): Promise<void> {
	let entries;
	try {
		entries = await readdir(dir, { withFileTypes: true });
	} catch (e) {
		failures.push({ path: relative(root, dir).split(sep).join('/') || '.', reason: `not readable (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
		return;
	}
	entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	for (const e of entries) {
		const p = join(dir, e.name);
		if (e.isDirectory()) {
			if (!SKIP_DIRS.has(e.name)) await listFiles(p, out, failures, root);
		} else if (e.isFile() && formatForPath(e.name)) out.push(p);
	}
}
