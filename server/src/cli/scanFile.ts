// One file of `deid scan`: its findings as the lines the CLI prints. Runs in the CLI's thread or in a worker
// (dist/jobWorker.js); the same function in both, so the output does not depend on where it ran.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { detectInName, scanDocument, type DetectOptions, type Dictionaries, type DocumentProblem, type Finding } from '../engine';
import { textPieces } from '../engine/pieces';
import { decodeText, formatForPath } from '../node/textio';

export interface ScanTask {
	path: string;
	/** Where the part of the path below the argument the user gave starts (names checked for PHI). */
	from: number;
	opts: DetectOptions;
	json: boolean;
}

export interface ScanOutcome {
	/** For stdout: each printed line (or JSON record) followed by "\n"; '' when nothing is printed. */
	out: string;
	/** For stderr, in order, each followed by "\n". */
	err: string;
	/** The file could not be read or decoded. */
	unreadable: boolean;
	/** Findings in the file or its path. */
	any: boolean;
}

/** Findings in the folder and file names of a path below `from`, with offsets into the whole path. */
function findingsInPath(path: string, from: number, dicts: Dictionaries, opts: DetectOptions, cache: Map<string, Finding[]>): Finding[] {
	const out: Finding[] = [];
	let at = from;
	for (const name of path.slice(from).split(sep)) {
		let fs = cache.get(name);
		if (!fs) {
			if (cache.size > 10000) cache.clear();
			cache.set(name, (fs = detectInName(name, dicts, opts)));
		}
		for (const f of fs) out.push({ ...f, start: f.start + at, end: f.end + at });
		at += name.length + 1;
	}
	return out;
}

function table(path: string, text: string, findings: Finding[]): string {
	const lines: string[] = [];
	let line = 0;
	let lineStart = 0;
	let cursor = 0;
	for (const f of findings) {
		while (cursor < f.start) {
			if (text.charCodeAt(cursor) === 10) {
				line++;
				lineStart = cursor + 1;
			}
			cursor++;
		}
		lines.push(`${path}:${line + 1}:${f.start - lineStart + 1}\t${f.type}\t${f.confidence.toFixed(2)}\t${f.detector}\t(${f.end - f.start} chars)`);
	}
	return lines.join('\n');
}

/** The file's bytes, or why not: never blocks on a FIFO or device, never follows a loop. */
export function readRegularFile(path: string): Buffer | string {
	let fd: number;
	try {
		fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
	} catch (e) {
		const code = (e as NodeJS.ErrnoException).code;
		return code === 'ELOOP' ? 'symbolic link loops' : code === 'ENOENT' ? 'not found (or a broken symbolic link)' : 'not readable';
	}
	try {
		if (!fstatSync(fd).isFile()) return 'not a regular file';
		return readFileSync(fd);
	} catch {
		return 'not readable';
	} finally {
		closeSync(fd);
	}
}

export function scanFile(task: ScanTask, dicts: Dictionaries, nameCache: Map<string, Finding[]>): ScanOutcome {
	const { path: file, from, opts } = task;
	const pathFindings = findingsInPath(file, from, dicts, opts, nameCache);
	const read = readRegularFile(file);
	if (typeof read === 'string') return { out: '', err: `deid: ${file}: ${read}\n`, unreadable: true, any: false };
	const dec = decodeText(read);
	if (!dec.ok) return { out: '', err: `deid: ${file}: skipped: ${dec.reason}\n`, unreadable: true, any: false };
	// in the pieces the folder job uses, so a 20 MB file never has to be analysed whole
	const format = formatForPath(file) ?? 'text';
	const res = { findings: [] as Finding[], problems: [] as DocumentProblem[] };
	let line = 0;
	for (const piece of textPieces(dec.text, format)) {
		const r = scanDocument(piece.text, format, dicts, opts, { offset: piece.start, line });
		// (one NDJSON line can hold more findings than a call may take arguments)
		for (const f of r.findings) res.findings.push(f);
		for (const pr of r.problems) res.problems.push(pr);
		for (let i = 0; i < piece.text.length; i++) if (piece.text.charCodeAt(i) === 10) line++;
	}
	const err = res.problems.map((pr) => `deid: ${file}:${pr.line + 1}: ${pr.message}\n`).join('');
	const out: string[] = [];
	const brief = (f: Finding) => ({ start: f.start, end: f.end, type: f.type, confidence: Math.round(f.confidence * 1000) / 1000, detector: f.detector });
	if (task.json)
		out.push(
			JSON.stringify({
				path: file,
				findings: res.findings.map(brief),
				...(pathFindings.length ? { pathFindings: pathFindings.map(brief) } : {}),
			}),
		);
	else {
		// line 0: a finding in the file's own path (offsets into the path as printed)
		for (const f of pathFindings)
			out.push(`${file}:0:${f.start + 1}\t${f.type}\t${f.confidence.toFixed(2)}\t${f.detector}\t(${f.end - f.start} chars, in the path)`);
		if (res.findings.length) out.push(table(file, dec.text, res.findings));
	}
	return { out: out.map((l) => l + '\n').join(''), err, unreadable: false, any: res.findings.length > 0 || pathFindings.length > 0 };
}
