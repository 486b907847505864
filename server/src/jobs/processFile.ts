import { createHash } from 'node:crypto';
import { constants, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { fhirFileProcessor } from './fhirJob';
import { patientIdOf } from '../engine/fhir/scrubText';
import {
	applyReview, decisionsInPiece, detect, reviewDigest, scanDocument, transformNdjson, transformText, type RejectScope, type ReviewDecision, type ReviewDecisionKind,
	claimDigest, replacedUnits, strategyFor, deidentifyDocument, deidentifyNdjson, type DenyEntry, type Finding, type KeyedHash, type SurrogateContext, type DetectOptions, type Dictionaries, type DocumentFormat, type EntityType, type Operation, type Policy,
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
 * Keyed digests of surrogate units and keys, per key, kept for the worker's lifetime. Bounded at 50,000 (about
 * 9 MB measured): at 300,000 each worker's cache grew to some 30 MB over a 1 GB folder, while the values that repeat
 * across files (names, places) still fit.
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
	const tmp = temporaryPath(task.dst);
	const inHash = createHash('sha256');
	const outHash = createHash('sha256');
	const counts: Partial<Record<EntityType, number>> = {};
	const hash = hmacHash(task.key);
	const surrogate: SurrogateContext = { dicts, hash, dateShiftDays: dateShiftDays(hash, task.patient, task.shiftRange, task.keepWeekday), memo: memoFor(task.key), locale: task.locale };
	const claims = task.claims || task.originals ? claimRecorder(task, hash) : undefined;
	if (claims && task.claims) Object.assign(surrogate, { saltOf: claims.saltOf, claim: claims.claim });
	// a label or a mask leaves no surrogate to claim: each replaced value is claimed under its units alone
	const claimReplaced = claims && task.originals
		? (piece: string, findings: readonly Finding[]) => {
				for (const f of findings) {
					const strategy = strategyFor(f.type, task.operation, task.policy).strategy;
					if (strategy === 'keep' || strategy === 'surrogate') continue;
					for (const unit of replacedUnits(f.type, piece.slice(f.start, f.end))) claims.claim(unit, '', 0);
				}
			}
		: undefined;
	let bytes = 0;
	let problems = 0;
	let firstProblemLine: number | undefined;
	let lineBase = 0;
	let first = true;
	let buf = '';
	const fhir = task.fhirConfigText !== undefined
		? fhirFileProcessor(task.fhirConfigText, dicts, task.key, { detect: task.detect, operation: task.operation, redactionFormat: task.redactionFormat, fileName: basename(task.src), folderName: basename(task.root ?? dirname(task.src)), knownPhi: task.knownPhi })
		: undefined;
	const perPatient = new Map<string, typeof surrogate>();
	const surrogateOf = (patient: string | undefined) => {
		if (patient === undefined) return surrogate;
		let sc = perPatient.get(patient);
		if (!sc) {
			if (perPatient.size > 10000) perPatient.clear();
			perPatient.set(patient, (sc = { ...surrogate, dateShiftDays: dateShiftDays(hash, `reference\u0000${patient}`, task.shiftRange, task.keepWeekday) }));
		}
		return sc;
	};
	const addCounts = (more: Partial<Record<EntityType, number>>) => {
		for (const [t, c] of Object.entries(more)) counts[t as EntityType] = (counts[t as EntityType] ?? 0) + (c ?? 0);
	};
	const deid = (piece: string, format: DocumentFormat, sc = surrogate) => {
		const t = { operation: task.operation, redactionFormat: task.redactionFormat, surrogate: sc, policy: task.policy };
		if (format !== 'ndjson') {
			const res = deidentifyDocument(piece, format, dicts, task.detect, t);
			claimReplaced?.(piece, res.findings);
			addCounts(res.counts);
			return res;
		}
		const res = deidentifyNdjson(piece, dicts, task.detect, t, claimReplaced);
		addCounts(res.counts);
		return res;
	};
	// review decisions: the piece's findings with the decisions whose old offsets fall in it (offsets made relative)
	let pieceBase = 0;
	// (NDJSON through a FHIR configuration or shifted by patient reference is not reviewed: those paths rewrite lines)
	const review = task.review && (task.format === 'text' || (!fhir && !task.shiftByReference)) ? task.review : undefined;
	const reviewOut: FileReviewOutcome | undefined = review ? { located: {}, unlocated: 0, scopedRejects: 0, pending: 0, reviewed: false, outsideValues: 0 } : undefined;
	let locatedTotal = 0;
	const rejected = new Map(review?.rejected ?? []);
	const deidReviewed = (piece: string) => {
		const ndjson = task.format === 'ndjson';
		const scanned = ndjson ? scanDocument(piece, 'ndjson', dicts, task.detect) : undefined;
		const findings = scanned ? scanned.findings : detect(piece, dicts, task.detect);
		const a = applyReview(piece, findings, { decisions: decisionsInPiece(review!.decisions, pieceBase, piece.length, false) }, rejected, reviewDigest(hash));
		for (const l of a.located) reviewOut!.located[l.decision.kind] = (reviewOut!.located[l.decision.kind] ?? 0) + 1;
		locatedTotal += a.located.length;
		reviewOut!.pending += a.pending;
		reviewOut!.scopedRejects += a.items.filter((it) => it.decision === 'reject' && it.scope && it.scope !== 'file').length;
		for (const f of a.effective) counts[f.type] = (counts[f.type] ?? 0) + 1;
		claimReplaced?.(piece, a.effective);
		const t = { operation: task.operation, redactionFormat: task.redactionFormat, surrogate, policy: task.policy };
		if (!scanned) return { output: transformText(piece, a.effective, t), problems: [] as { line: number }[] };
		const n = transformNdjson(piece, a.effective, t);
		// an added span outside every string value (a key, a number) cannot be replaced inside the JSON
		reviewOut!.outsideValues += n.outside;
		return { output: n.output, problems: scanned.problems };
	};
	// values a FHIR configuration could not handle are redacted; the report says how many (never which)
	const invalidFhir = () => fhir?.counted.invalidValues ?? 0;
	const invalidFhirNote = () => (invalidFhir() ? `${invalidFhir()} FHIR value(s) invalid for their element, redacted` : '');
	if (fhir && task.fhirJson) return processFhirJson(task, tmp, fhir, deid, counts);
	let out: WriteStream | undefined;
	let outError: Promise<never> | undefined;
	let encoding: TextEncoding = 'utf-8';
	const write = async (s: string) => {
		if (!s || !out) return;
		const data = encode(s, encoding);
		outHash.update(data);
		if (!out.write(data)) await Promise.race([new Promise<void>((r) => out!.once('drain', () => r())), outError]);
	};
	/** De-identify whole NDJSON lines that start at line `startLine` of the current piece; problems are counted. */
	const deidLines = (text: string, startLine: number, sc = surrogate): string => {
		const res = deid(text, 'ndjson', sc);
		if (res.problems.length) {
			problems += res.problems.length;
			firstProblemLine ??= lineBase + startLine + res.problems[0].line + 1;
		}
		return res.output;
	};
	const flush = async (piece: string) => {
		if (fhir && task.format === 'ndjson') {
			// FHIR lines through the configuration; any other line (not FHIR, or rejected by strict R4 parsing)
			// through the NDJSON de-identification, so nothing passes unexamined.
			let text = '';
			let rest = '';
			let restStart = 0;
			const lines = piece.split('\n');
			const flushRest = () => {
				if (rest) text += deidLines(rest, restStart);
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
			lineBase += lines.length - 1;
			for (const [t, c] of Object.entries(fhir.counts)) counts[t as EntityType] = (counts[t as EntityType] ?? 0) + (c ?? 0);
			for (const t of Object.keys(fhir.counts)) delete fhir.counts[t as EntityType];
			await write(text);
			return;
		}
		if (task.shiftByReference && task.format === 'ndjson') {
			// Runs of lines of the same patient go through together, each with that patient's offset.
			const lines = piece.split('\n');
			let text = '';
			let run = '';
			let runStart = 0;
			let runPatient: string | undefined;
			const flushRun = () => {
				if (run) text += deidLines(run, runStart, surrogateOf(runPatient));
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
			lineBase += lines.length - 1;
			await write(text);
			return;
		}
		const res = review ? deidReviewed(piece) : deid(piece, task.format);
		pieceBase += piece.length;
		if (res.problems.length) {
			problems += res.problems.length;
			firstProblemLine ??= lineBase + res.problems[0].line + 1;
		}
		if (task.format === 'ndjson') for (let i = 0; i < piece.length; i++) if (piece.charCodeAt(i) === 10) lineBase++;
		await write(res.output);
	};
	let decoder: TextDecoder | undefined;
	let inLongLine = false;
	let longLine: string[] = [];
	let longLineChars = 0;
	try {
		const source = await openRegularFile(task.src);
		await mkdir(dirname(task.dst), { recursive: true });
		const handle = await open(tmp, 'wx', 0o644);
		out = handle.createWriteStream();
		// (a write error must not go unhandled while no write is waiting on it)
		outError = new Promise<never>((_, reject) => out!.on('error', reject));
		outError.catch(() => undefined);
		for await (const chunk of source.createReadStream({ highWaterMark: READ_BYTES }) as AsyncIterable<Buffer>) {
			bytes += chunk.length;
			inHash.update(chunk);
			if (first) {
				encoding = encodingOf(chunk);
				if (encoding === 'utf-8' && chunk.subarray(0, 8192).includes(0)) throw new FileRefused('binary file (contains NUL bytes)');
				decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
			}
			let text: string;
			try {
				text = decoder!.decode(chunk, { stream: true });
			} catch {
				throw new FileRefused(`invalid ${encoding.toUpperCase()} near byte ${bytes - chunk.length}`);
			}
			if (first) {
				first = false;
				if (text.charCodeAt(0) === 0xfeff) {
					await write('\ufeff');
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
			inLongLine = false;
			while ((cut = cutPoint(buf, task.format)) > 0) {
				const piece = buf.slice(0, cut);
				buf = buf.slice(cut);
				await flush(piece);
			}
			inLongLine = task.format === 'ndjson' && buf.length >= CHUNK_CHARS;
		}
		try {
			buf += longLine.join('') + (decoder ? decoder.decode() : '');
		} catch {
			throw new FileRefused(`invalid ${encoding.toUpperCase()} at the end of the file`);
		}
		if (buf) await flush(buf);
		const stream = out;
		await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
		await rename(tmp, task.dst);
		return {
			status: 'done',
			inputHash: inHash.digest('hex'),
			outputHash: outHash.digest('hex'),
			counts,
			bytes,
			problems: problems + invalidFhir() || undefined,
			firstProblemLine,
			reason: [problems ? `${problems} malformed NDJSON line(s) de-identified as plain text (first: line ${firstProblemLine})` : '', invalidFhirNote()].filter(Boolean).join('; ') || undefined,
			claims: claims?.collect(),
			...(reviewOut && review
				? { review: { ...reviewOut, unlocated: review.decisions.length - locatedTotal, reviewed: reviewOut.pending === 0 && (locatedTotal > 0 || reviewOut.scopedRejects > 0 || !!review.reviewed) } }
				: {}),
		};
	} catch (err) {
		out?.destroy();
		await rm(tmp, { force: true });
		return { status: 'failed', reason: err instanceof FileRefused || err instanceof LineTooLongError ? err.message : describeError(err), bytes };
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
		return { status: 'done', inputHash: createHash('sha256').update(raw).digest('hex'), outputHash: createHash('sha256').update(out).digest('hex'), counts, bytes: raw.length, problems: (problem ? 1 : 0) + fhir.counted.invalidValues || undefined, reason: [problem ?? '', fhir.counted.invalidValues ? `${fhir.counted.invalidValues} FHIR value(s) invalid for their element, redacted` : ''].filter(Boolean).join('; ') || undefined };
	} catch (err) {
		await rm(tmp, { force: true });
		return { status: 'failed', reason: err instanceof FileRefused ? err.message : describeError(err), bytes: 0 };
	}
}

export { describeError };
