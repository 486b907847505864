import { createHash } from 'node:crypto';
import { constants, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { fhirFileProcessor } from './fhirJob';
import { patientIdOf } from '../engine/formats/fhir/scrubText';
import {
	applyReview,
	decisionsInPiece,
	detect,
	reviewDigest,
	scanDocument,
	transformNdjson,
	transformText,
	type RejectScope,
	type ReviewDecision,
	type ReviewDecisionKind,
	claimDigest,
	replacedUnits,
	strategyFor,
	deidentifyDocument,
	deidentifyNdjson,
	type DenyEntry,
	type Finding,
	type KeyedHash,
	type SurrogateContext,
	type DetectOptions,
	type Dictionaries,
	type DocumentFormat,
	type EntityType,
	type Operation,
	type Policy,
} from '../engine';
import { dateShiftDays, hmacHash } from '../node/hash';
import { temporaryPath } from '../node/tempfile';
import { CHUNK_CHARS, LineTooLongError, MAX_LINE_CHARS, cutPoint, textPieces } from '../engine/pieces';
import { describeError } from '../node/errors';

export { CHUNK_CHARS, MAX_LINE_CHARS, cutPoint, textPieces };

/** A file we will not process, with a reason safe to report. */
class FileRefused extends Error {}

/**
 * Surrogate memo per key, kept for the worker's lifetime (entries are keyed by type, value, date offset and
 * locale, so files and patients share it safely); bounded by the transformer.
 */
const MEMOS = new Map<string, Map<string, string>>();
function memoFor(key: Uint8Array): Map<string, string> {
	const id = Buffer.from(key).toString('base64');
	let m = MEMOS.get(id);
	if (!m) {
		if (MEMOS.size > 4) MEMOS.clear();
		MEMOS.set(id, (m = new Map()));
	}
	return m;
}

/**
 * Keyed digests of surrogate units and keys, per key, kept for the worker's lifetime. Bounded so that a worker's
 * memory stays small over a large folder, while the values that repeat across files (names, places) still fit.
 */
const DIGESTS = new Map<string, Map<string, string>>();
function digestsFor(key: Uint8Array): Map<string, string> {
	const id = Buffer.from(key).toString('base64');
	let m = DIGESTS.get(id);
	if (!m || m.size > 50_000) {
		if (DIGESTS.size > 4) DIGESTS.clear();
		DIGESTS.set(id, (m = new Map()));
	}
	return m;
}

/** A surrogate claim as the folder job sees it: digest of the unit (a value), digest of its surrogate, salt. */
export type Claim = [unit: string, key: string, salt: number];

/**
 * Run-wide uniqueness for one file: the salts earlier collisions gave, and a record of each value's surrogate.
 * Values and surrogates stay in this thread as text; only their keyed digests leave it.
 */
function claimRecorder(task: FileTask, hash: KeyedHash) {
	const digests = digestsFor(task.key);
	const digest = (text: string) => {
		let d = digests.get(text);
		if (d === undefined) digests.set(text, (d = claimDigest(hash, text)));
		return d;
	};
	const salts = new Map(task.salts ?? []);
	const used = new Map<string, [key: string, salt: number]>();
	return {
		saltOf: salts.size ? (unit: string) => salts.get(digest(unit)) ?? 0 : () => 0,
		claim: (unit: string, key: string, salt: number) => {
			// a value recurs far more often than its claim changes: no new entry for a repeat
			const prev = used.get(unit);
			if (prev === undefined || prev[0] !== key || prev[1] !== salt) used.set(unit, [key, salt]);
		},
		// (a value replaced by a label or a mask has no surrogate: its key is left empty)
		collect: (): Claim[] => [...used].map(([unit, [key, salt]]) => [digest(unit), key ? digest(key) : '', salt]),
	};
}

/** One file to de-identify (plain data: it crosses to worker threads). */
export interface FileTask {
	src: string;
	dst: string;
	format: DocumentFormat;
	operation: Operation;
	redactionFormat?: string;
	detect: DetectOptions;
	key: Uint8Array;
	/** Patient identifier for the date shift. */
	patient: string;
	policy?: Policy;
	/** Surrogate locale. */
	locale?: string;
	/** Date shift range in days and weekday preservation. */
	shiftRange?: number;
	keepWeekday?: boolean;
	/** NDJSON: each line's dates shift by the offset of its own subject/patient reference (FHIR and similar records). */
	shiftByReference?: boolean;
	/** FHIR anonymizer configuration text ('' = the default); FHIR lines go through it. */
	fhirConfigText?: string;
	/** A FHIR .json resource (read whole, written pretty). */
	fhirJson?: boolean;
	/** The job's input folder (dateShiftScope folder). */
	root?: string;
	/** Known PHI per patient id from the job's Patient resources (free text inside FHIR). */
	knownPhi?: [string, DenyEntry[]][];
	/** Record surrogate claims (run-wide uniqueness), with the salts of units earlier collisions moved. */
	claims?: boolean;
	/** Record the keyed digests of the values replaced by labels or masks (no surrogates), for verify. */
	originals?: boolean;
	salts?: [string, number][];
	/** Review decisions of this file (plain text files): offsets into the whole file; value digests of scoped rejects. */
	review?: FileReviewTask;
}

export interface FileReviewTask {
	decisions: ReviewDecision[];
	reviewed?: boolean;
	rejected: [string, RejectScope][];
}

/** What the review decisions did in one file (counts only). */
export interface FileReviewOutcome {
	located: Partial<Record<ReviewDecisionKind, number>>;
	unlocated: number;
	/** Findings rejected by a folder- or workspace-scope decision. */
	scopedRejects: number;
	pending: number;
	reviewed: boolean;
	/** NDJSON: decided spans outside every string value, which stay as they are. */
	outsideValues: number;
}

export interface FileOutcome {
	status: 'done' | 'failed';
	reason?: string;
	inputHash?: string;
	outputHash?: string;
	counts?: Partial<Record<EntityType, number>>;
	problems?: number;
	firstProblemLine?: number;
	bytes: number;
	/** Distinct surrogate claims of the file (when the task asked for them). */
	claims?: Claim[];
	review?: FileReviewOutcome;
}

/**
 * Bytes per read, as large as a piece: a decoded read and the text it is appended to stay young, short-lived
 * strings (large reads became large objects that only a full collection frees).
 */
const READ_BYTES = 1 << 14;
/**
 * De-identify one file by streaming: read in pieces, decode UTF-8 strictly, process complete pieces (NDJSON
 * line by line), write to a temporary file beside the output and rename it into place at the end. The source
 * is only read. A failure leaves no output and no temporary file behind.
 */
export async function processFile(task: FileTask, dicts: Dictionaries): Promise<FileOutcome> {
	try {
		return await processFileUnguarded(task, dicts);
	} catch (err) {
		// failures are reported per file; nothing may end a worker thread or the run
		return { status: 'failed', reason: describeError(err), bytes: 0 };
	}
}

async function processFileUnguarded(task: FileTask, dicts: Dictionaries): Promise<FileOutcome> {
	const run = new FileRun(task, dicts);
	if (run.fhir && task.fhirJson) return processFhirJson(task, run.tmp, run.fhir, (piece, format) => run.deid(piece, format), run.counts);
	return run.stream();
}

type Deidentified = { output: string; problems: { line: number }[] };

/** One file through the streaming path: its hashes, counts and claims, the pieces it reads and what it writes. */
class FileRun {
	readonly tmp: string;
	readonly counts: Partial<Record<EntityType, number>> = {};
	readonly fhir: ReturnType<typeof fhirFileProcessor> | undefined;
	private readonly inHash = createHash('sha256');
	private readonly outHash = createHash('sha256');
	private readonly hash: KeyedHash;
	private readonly surrogate: SurrogateContext;
	private readonly claims: ReturnType<typeof claimRecorder> | undefined;
	/** Per patient reference (NDJSON shifted by reference): the surrogate context with that patient's offset. */
	private readonly perPatient = new Map<string, SurrogateContext>();
	private bytes = 0;
	private problems = 0;
	private firstProblemLine: number | undefined;
	/** Lines before the current piece (NDJSON problems name their line). */
	private lineBase = 0;
	// review decisions: the piece's findings with the decisions whose old offsets fall in it (offsets made relative)
	private pieceBase = 0;
	private readonly review: FileReviewTask | undefined;
	private readonly reviewOut: FileReviewOutcome | undefined;
	private locatedTotal = 0;
	private readonly rejected: Map<string, RejectScope>;
	private out: WriteStream | undefined;
	private outError: Promise<never> | undefined;
	private encoding: TextEncoding = 'utf-8';

	constructor(
		private readonly task: FileTask,
		private readonly dicts: Dictionaries,
	) {
		this.tmp = temporaryPath(task.dst);
		const hash = (this.hash = hmacHash(task.key));
		this.surrogate = {
			dicts,
			hash,
			dateShiftDays: dateShiftDays(hash, task.patient, task.shiftRange, task.keepWeekday),
			memo: memoFor(task.key),
			locale: task.locale,
		};
		this.claims = task.claims || task.originals ? claimRecorder(task, hash) : undefined;
		if (this.claims && task.claims) Object.assign(this.surrogate, { saltOf: this.claims.saltOf, claim: this.claims.claim });
		this.fhir =
			task.fhirConfigText !== undefined
				? fhirFileProcessor(task.fhirConfigText, dicts, task.key, {
						detect: task.detect,
						operation: task.operation,
						redactionFormat: task.redactionFormat,
						fileName: basename(task.src),
						folderName: basename(task.root ?? dirname(task.src)),
						knownPhi: task.knownPhi,
					})
				: undefined;
		// (NDJSON through a FHIR configuration or shifted by patient reference is not reviewed: those paths rewrite lines)
		this.review = task.review && (task.format === 'text' || (!this.fhir && !task.shiftByReference)) ? task.review : undefined;
		this.reviewOut = this.review ? { located: {}, unlocated: 0, scopedRejects: 0, pending: 0, reviewed: false, outsideValues: 0 } : undefined;
		this.rejected = new Map(this.review?.rejected ?? []);
	}

	/** A label or a mask leaves no surrogate to claim: each replaced value is claimed under its units alone. */
	private claimReplaced = (piece: string, findings: readonly Finding[]): void => {
		if (!this.claims || !this.task.originals) return;
		for (const f of findings) {
			const strategy = strategyFor(f.type, this.task.operation, this.task.policy).strategy;
			if (strategy === 'keep' || strategy === 'surrogate') continue;
			for (const unit of replacedUnits(f.type, piece.slice(f.start, f.end))) this.claims.claim(unit, '', 0);
		}
	};

	private surrogateOf(patient: string | undefined): SurrogateContext {
		if (patient === undefined) return this.surrogate;
		let surrogateContext = this.perPatient.get(patient);
		if (!surrogateContext) {
			if (this.perPatient.size > 10000) this.perPatient.clear();
			this.perPatient.set(
				patient,
				(surrogateContext = {
					...this.surrogate,
					dateShiftDays: dateShiftDays(this.hash, `reference\u0000${patient}`, this.task.shiftRange, this.task.keepWeekday),
				}),
			);
		}
		return surrogateContext;
	}

	private addCounts(more: Partial<Record<EntityType, number>>): void {
		for (const [t, c] of Object.entries(more)) this.counts[t as EntityType] = (this.counts[t as EntityType] ?? 0) + (c ?? 0);
	}

	private transformOptions(surrogateContext: SurrogateContext) {
		return { operation: this.task.operation, redactionFormat: this.task.redactionFormat, surrogate: surrogateContext, policy: this.task.policy };
	}

	/** A piece de-identified as the task says (NDJSON line by line). */
	deid(piece: string, format: DocumentFormat, surrogateContext = this.surrogate): Deidentified {
		if (format !== 'ndjson') {
			const res = deidentifyDocument(piece, format, this.dicts, this.task.detect, this.transformOptions(surrogateContext));
			this.claimReplaced(piece, res.findings);
			this.addCounts(res.counts);
			return res;
		}
		const res = deidentifyNdjson(
			piece,
			this.dicts,
			this.task.detect,
			this.transformOptions(surrogateContext),
			this.claims && this.task.originals ? this.claimReplaced : undefined,
		);
		this.addCounts(res.counts);
		return res;
	}

	/** A piece with the review's decisions applied to its findings. */
	private deidReviewed(piece: string): Deidentified {
		const { task, dicts } = this;
		const review = this.review!;
		const reviewOut = this.reviewOut!;
		const scanned = task.format === 'ndjson' ? scanDocument(piece, 'ndjson', dicts, task.detect) : undefined;
		const findings = scanned ? scanned.findings : detect(piece, dicts, task.detect);
		const a = applyReview(
			piece,
			findings,
			{ decisions: decisionsInPiece(review.decisions, this.pieceBase, piece.length, false) },
			this.rejected,
			reviewDigest(this.hash),
		);
		for (const l of a.located) reviewOut.located[l.decision.kind] = (reviewOut.located[l.decision.kind] ?? 0) + 1;
		this.locatedTotal += a.located.length;
		reviewOut.pending += a.pending;
		reviewOut.scopedRejects += a.items.filter((it) => it.decision === 'reject' && it.scope && it.scope !== 'file').length;
		for (const f of a.effective) this.counts[f.type] = (this.counts[f.type] ?? 0) + 1;
		this.claimReplaced(piece, a.effective);
		const t = this.transformOptions(this.surrogate);
		if (!scanned) return { output: transformText(piece, a.effective, t), problems: [] };
		const n = transformNdjson(piece, a.effective, t);
		// an added span outside every string value (a key, a number) cannot be replaced inside the JSON
		reviewOut.outsideValues += n.outside;
		return { output: n.output, problems: scanned.problems };
	}

	/** De-identify whole NDJSON lines that start at line `startLine` of the current piece; problems are counted. */
	private deidLines(text: string, startLine: number, surrogateContext = this.surrogate): string {
		const res = this.deid(text, 'ndjson', surrogateContext);
		if (res.problems.length) {
			this.problems += res.problems.length;
			this.firstProblemLine ??= this.lineBase + startLine + res.problems[0].line + 1;
		}
		return res.output;
	}

	private async write(s: string): Promise<void> {
		const out = this.out;
		if (!s || !out) return;
		const data = encode(s, this.encoding);
		this.outHash.update(data);
		if (!out.write(data)) await Promise.race([new Promise<void>((r) => out.once('drain', () => r())), this.outError]);
	}

	/** One complete piece (whole lines for NDJSON) de-identified and written. */
	private async flush(piece: string): Promise<void> {
		const { task } = this;
		if (this.fhir && task.format === 'ndjson') return this.write(this.fhirLines(this.fhir, piece));
		if (task.shiftByReference && task.format === 'ndjson') return this.write(this.linesByPatient(piece));
		const res = this.review ? this.deidReviewed(piece) : this.deid(piece, task.format);
		this.pieceBase += piece.length;
		if (res.problems.length) {
			this.problems += res.problems.length;
			this.firstProblemLine ??= this.lineBase + res.problems[0].line + 1;
		}
		if (task.format === 'ndjson') for (let i = 0; i < piece.length; i++) if (piece.charCodeAt(i) === 10) this.lineBase++;
		await this.write(res.output);
	}

	/**
	 * FHIR lines through the configuration; any other line (not FHIR, or rejected by strict R4 parsing) through the
	 * NDJSON de-identification, so nothing passes unexamined.
	 */
	private fhirLines(fhir: NonNullable<FileRun['fhir']>, piece: string): string {
		let text = '';
		let rest = '';
		let restStart = 0;
		const lines = piece.split('\n');
		const flushRest = () => {
			if (rest) text += this.deidLines(rest, restStart);
			rest = '';
		};
		for (let k = 0; k < lines.length; k++) {
			const line = lines[k];
			const nl = k < lines.length - 1 ? '\n' : '';
			const r = line.trim() ? fhir.line(line.replace(/\r$/, '')) : undefined;
			if (r === undefined) {
				if (!rest) restStart = k;
				rest += line + nl;
				continue;
			}
			flushRest();
			text += r + (line.endsWith('\r') ? '\r' : '') + nl;
		}
		flushRest();
		this.lineBase += lines.length - 1;
		this.addCounts(fhir.counts);
		for (const t of Object.keys(fhir.counts)) delete fhir.counts[t as EntityType];
		return text;
	}

	/** Runs of lines of the same patient go through together, each with that patient's date offset. */
	private linesByPatient(piece: string): string {
		const lines = piece.split('\n');
		let text = '';
		let run = '';
		let runStart = 0;
		let runPatient: string | undefined;
		const flushRun = () => {
			if (run) text += this.deidLines(run, runStart, this.surrogateOf(runPatient));
			run = '';
		};
		for (let k = 0; k < lines.length; k++) {
			const nl = k < lines.length - 1 ? '\n' : '';
			const patient = referenceOf(lines[k]);
			if (run && patient !== runPatient) flushRun();
			if (!run) {
				runStart = k;
				runPatient = patient;
			}
			run += lines[k] + nl;
		}
		flushRun();
		this.lineBase += lines.length - 1;
		return text;
	}

	/** Read, decode, de-identify and write the file piece by piece into a temporary file, renamed at the end. */
	async stream(): Promise<FileOutcome> {
		try {
			const source = await openRegularFile(this.task.src);
			await mkdir(dirname(this.task.dst), { recursive: true });
			const handle = await open(this.tmp, 'wx', 0o644);
			const out = (this.out = handle.createWriteStream());
			// (a write error must not go unhandled while no write is waiting on it)
			this.outError = new Promise<never>((_, reject) => out.on('error', reject));
			this.outError.catch(() => undefined);
			await this.readPieces(source);
			await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
			await rename(this.tmp, this.task.dst);
			return this.outcome();
		} catch (err) {
			this.out?.destroy();
			await rm(this.tmp, { force: true });
			return {
				status: 'failed',
				reason: err instanceof FileRefused || err instanceof LineTooLongError ? err.message : describeError(err),
				bytes: this.bytes,
			};
		}
	}

	/** The source read in small reads, decoded strictly, cut into complete pieces, each flushed as it is complete. */
	private async readPieces(source: FileHandle): Promise<void> {
		const { task } = this;
		let first = true;
		let buf = '';
		let decoder: TextDecoder | undefined;
		let inLongLine = false;
		let longLine: string[] = [];
		let longLineChars = 0;
		for await (const chunk of source.createReadStream({ highWaterMark: READ_BYTES }) as AsyncIterable<Buffer>) {
			this.bytes += chunk.length;
			this.inHash.update(chunk);
			if (first) {
				this.encoding = encodingOf(chunk);
				if (this.encoding === 'utf-8' && chunk.subarray(0, 8192).includes(0)) throw new FileRefused('binary file (contains NUL bytes)');
				decoder = new TextDecoder(this.encoding, { fatal: true, ignoreBOM: true });
			}
			let text: string;
			try {
				text = decoder!.decode(chunk, { stream: true });
			} catch {
				throw new FileRefused(`invalid ${this.encoding.toUpperCase()} near byte ${this.bytes - chunk.length}`);
			}
			if (first) {
				first = false;
				if (text.charCodeAt(0) === 0xfeff) {
					await this.write('\ufeff');
					text = text.slice(1);
				}
			}
			// Inside an NDJSON line longer than a piece, reads without a line end are only collected: searching and
			// flattening the growing line at every read made a 16 MB line cost minutes.
			if (inLongLine && !text.includes('\n')) {
				longLine.push(text);
				longLineChars += text.length;
				if (buf.length + longLineChars > MAX_LINE_CHARS) throw new LineTooLongError();
				continue;
			}
			if (longLine.length) {
				buf += longLine.join('');
				longLine = [];
				longLineChars = 0;
			}
			buf += text;
			let cut: number;
			while ((cut = cutPoint(buf, task.format)) > 0) {
				const piece = buf.slice(0, cut);
				buf = buf.slice(cut);
				await this.flush(piece);
			}
			inLongLine = task.format === 'ndjson' && buf.length >= CHUNK_CHARS;
		}
		try {
			buf += longLine.join('') + (decoder ? decoder.decode() : '');
		} catch {
			throw new FileRefused(`invalid ${this.encoding.toUpperCase()} at the end of the file`);
		}
		if (buf) await this.flush(buf);
	}

	private outcome(): FileOutcome {
		const { problems, firstProblemLine, review, reviewOut } = this;
		// values a FHIR configuration could not handle are redacted; the report says how many (never which)
		const invalidFhir = this.fhir?.counted.invalidValues ?? 0;
		return {
			status: 'done',
			inputHash: this.inHash.digest('hex'),
			outputHash: this.outHash.digest('hex'),
			counts: this.counts,
			bytes: this.bytes,
			problems: problems + invalidFhir || undefined,
			firstProblemLine,
			reason:
				[
					problems ? `${problems} malformed NDJSON line(s) de-identified as plain text (first: line ${firstProblemLine})` : '',
					invalidFhir ? `${invalidFhir} FHIR value(s) invalid for their element, redacted` : '',
				]
					.filter(Boolean)
					.join('; ') || undefined,
			claims: this.claims?.collect(),
			...(reviewOut && review
				? {
						review: {
							...reviewOut,
							unlocated: review.decisions.length - this.locatedTotal,
							reviewed: reviewOut.pending === 0 && (this.locatedTotal > 0 || reviewOut.scopedRejects > 0 || !!review.reviewed),
						},
					}
				: {}),
		};
	}
}

type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** UTF-16 is recognised by its byte-order mark; everything else is read as UTF-8. */
function encodingOf(first: Uint8Array): TextEncoding {
	if (first.length >= 2 && first[0] === 0xff && first[1] === 0xfe) return 'utf-16le';
	if (first.length >= 2 && first[0] === 0xfe && first[1] === 0xff) return 'utf-16be';
	return 'utf-8';
}

/** Output in the input's encoding, so a UTF-16 file stays UTF-16. */
function encode(s: string, encoding: TextEncoding): Buffer {
	if (encoding === 'utf-8') return Buffer.from(s, 'utf8');
	const b = Buffer.from(s, 'utf16le');
	return encoding === 'utf-16be' ? b.swap16() : b;
}

/**
 * Open a source for reading without blocking (a FIFO or device named like a note would hang a read for ever)
 * and refuse anything but a regular file.
 */
export async function openRegularFile(path: string): Promise<FileHandle> {
	const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
	try {
		if (!(await handle.stat()).isFile()) throw new FileRefused('not a regular file');
		return handle;
	} catch (e) {
		await handle.close();
		throw e;
	}
}

/** The patient of an NDJSON record: its subject/patient reference (or its own id for a Patient); undefined if none. */
function referenceOf(line: string): string | undefined {
	if (!line.includes('Patient')) return undefined;
	try {
		const j = JSON.parse(line) as Record<string, unknown>;
		return j && typeof j === 'object' && !Array.isArray(j) ? patientIdOf(j) : undefined;
	} catch {
		return undefined;
	}
}

/** A FHIR .json resource: whole, pretty. Not FHIR (or rejected): every string value is de-identified instead. */
async function processFhirJson(
	task: FileTask,
	tmp: string,
	fhir: ReturnType<typeof fhirFileProcessor>,
	deid: (piece: string, format: DocumentFormat) => { output: string },
	counts: Partial<Record<EntityType, number>>,
): Promise<FileOutcome> {
	try {
		const source = await openRegularFile(task.src);
		let raw: Buffer;
		try {
			raw = await source.readFile();
		} finally {
			await source.close();
		}
		await mkdir(dirname(task.dst), { recursive: true });
		let text: string;
		try {
			text = new TextDecoder('utf-8', { fatal: true }).decode(raw).replace(/^\uFEFF/, '');
		} catch {
			return { status: 'failed', reason: 'invalid UTF-8', bytes: raw.length };
		}
		let out: string;
		let problem: string | undefined;
		try {
			out = fhir.whole(text);
		} catch {
			let compact: string | undefined;
			try {
				compact = JSON.stringify(JSON.parse(text));
			} catch {
				compact = undefined;
			}
			out = compact === undefined ? deid(text, 'text').output : JSON.stringify(JSON.parse(deid(compact, 'ndjson').output), null, 2) + '\n';
			problem = 'not an R4 resource the FHIR configuration accepts: its text was de-identified instead';
		}
		for (const [t, c] of Object.entries(fhir.counts)) counts[t as EntityType] = (counts[t as EntityType] ?? 0) + (c ?? 0);
		await writeFile(tmp, out, { flag: 'wx', mode: 0o644 });
		await rename(tmp, task.dst);
		return {
			status: 'done',
			inputHash: createHash('sha256').update(raw).digest('hex'),
			outputHash: createHash('sha256').update(out).digest('hex'),
			counts,
			bytes: raw.length,
			problems: (problem ? 1 : 0) + fhir.counted.invalidValues || undefined,
			reason:
				[problem ?? '', fhir.counted.invalidValues ? `${fhir.counted.invalidValues} FHIR value(s) invalid for their element, redacted` : '']
					.filter(Boolean)
					.join('; ') || undefined,
		};
	} catch (err) {
		await rm(tmp, { force: true });
		return { status: 'failed', reason: err instanceof FileRefused ? err.message : describeError(err), bytes: 0 };
	}
}

export { describeError };
