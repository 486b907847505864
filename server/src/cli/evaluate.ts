// `deid evaluate <dir>`: scans each annotated note as `deid scan` does and scores the findings against the
// annotations (brat <name>.ann or our <name>.deid.json beside <name>.txt).
import { existsSync, readFileSync } from 'node:fs';
import {
	AnnotationError, emptyCounts, parseBrat, parseJsonAnnotations, parseLabelMapping, resolveLabels, scoreDocument, summarize,
	type AnnotatedSpan, type EvaluationResult, type Finding, type LabelMapping,
} from '../engine';
import { loadDictionaries } from '../node/dictionaries';
import { decodeText } from '../node/textio';
import { detectOptions, one, UsageError, type Parsed } from './args';
import { collectFiles } from './scan';
import { readRegularFile, scanFile } from './scanFile';

type Format = 'auto' | 'brat' | 'json';

function readLabels(file: string | undefined): LabelMapping {
	if (file === undefined) return {};
	let raw: unknown;
	try {
		raw = JSON.parse(readFileSync(file, 'utf8'));
	} catch (e) {
		throw new UsageError(`--labels ${file}: ${e instanceof SyntaxError ? 'not valid JSON' : 'not readable'}`);
	}
	const { mapping, errors } = parseLabelMapping(raw);
	if (!mapping) throw new UsageError(`--labels ${file} is invalid:\n  ${errors.join('\n  ')}`);
	return mapping;
}

/** The annotation file of a note, or why there is none. */
function annotationFor(txt: string, format: Format): { path: string; kind: 'brat' | 'json' } | { error: string } {
	const base = txt.slice(0, -'.txt'.length);
	const brat = existsSync(base + '.ann') ? base + '.ann' : undefined;
	const json = existsSync(base + '.deid.json') ? base + '.deid.json' : undefined;
	if (format === 'brat') return brat ? { path: brat, kind: 'brat' } : { error: 'no .ann beside it' };
	if (format === 'json') return json ? { path: json, kind: 'json' } : { error: 'no .deid.json beside it' };
	if (brat && json) return { error: 'both a .ann and a .deid.json beside it; choose one with --format' };
	if (brat) return { path: brat, kind: 'brat' };
	if (json) return { path: json, kind: 'json' };
	return { error: 'no .ann or .deid.json beside it' };
}

const p3 = (x: number) => x.toFixed(3);

function table(r: EvaluationResult): string {
	const head = `${'type'.padEnd(18)}${'gold'.padStart(7)}${'pred'.padStart(7)}  strict P     R     F1   chars P     R     F1`;
	const row = (name: string, s: EvaluationResult['strict'], c: EvaluationResult['chars']) =>
		`${name.padEnd(18)}${String(s.gold).padStart(7)}${String(s.predicted).padStart(7)}  ${p3(s.precision)} ${p3(s.recall)} ${p3(s.f1)}  ${p3(c.precision)} ${p3(c.recall)} ${p3(c.f1)}`;
	const lines = [`documents ${r.documents}`, head];
	for (const [t, v] of Object.entries(r.perType)) lines.push(row(t, v.strict, v.chars));
	lines.push(row('all (typed)', r.strictTyped, r.charsTyped));
	lines.push(row('all (any type)', r.strict, r.chars));
	lines.push('typed: type, start and end must agree; any type: as bench/score-brat.mjs (start and end only).');
	lines.push('chars: non-whitespace characters; P = predicted characters inside gold, R = gold characters covered.');
	return lines.join('\n');
}

export async function cmdEvaluate(p: Parsed): Promise<number> {
	if (p.positional.length !== 1) throw new UsageError('evaluate needs one folder');
	const format = (one(p, '--format') ?? 'auto') as Format;
	if (!['auto', 'brat', 'json'].includes(format)) throw new UsageError('--format must be auto, brat or json');
	const labels = readLabels(one(p, '--labels'));
	const opts = detectOptions(p);
	const json = p.flags.has('--json');
	let unreadable = false;
	let failed = false;
	const files = collectFiles(p.positional, (path, reason) => {
		unreadable = true;
		process.stderr.write(`deid: ${path}: ${reason}\n`);
	}).filter((f) => f.path.toLowerCase().endsWith('.txt'));
	const dicts = loadDictionaries();
	const nameCache = new Map<string, Finding[]>();
	const counts = emptyCounts();
	const unmapped = new Set<string>();
	for (const f of files) {
		const note = readAnnotatedNote(f.path, format);
		if ('skipped' in note) {
			if (note.skipped === 'unreadable') unreadable = true;
			else failed = true;
			process.stderr.write(note.message);
			continue;
		}
		const { text, shift, spans } = note;
		// the findings exactly as `deid scan --json` prints them for this file
		const outcome = scanFile({ path: f.path, from: f.from, opts, json: true }, dicts, nameCache);
		if (outcome.err) process.stderr.write(outcome.err);
		if (outcome.unreadable) {
			unreadable = true;
			continue;
		}
		const predicted = (JSON.parse(outcome.out) as { findings: Finding[] }).findings.map((x) => ({ ...x, start: x.start + shift, end: x.end + shift }));
		const gold = resolveLabels(spans, labels);
		for (const l of gold.unmapped) unmapped.add(l);
		scoreDocument({ text, gold: gold.gold, ignored: gold.ignored, predicted }, counts);
	}
	for (const l of [...unmapped].sort())
		process.stderr.write(`deid: label ${l} maps to no entity type (add it to --labels); counted as PHI of type 'unmapped'\n`);
	const result = summarize(counts);
	if (counts.documents === 0) {
		process.stderr.write('deid: no annotated .txt file to evaluate\n');
		return 2;
	}
	process.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : table(result) + '\n');
	if (unreadable) {
		process.stderr.write('deid: some notes could not be read or scanned (see above); they are not in the figures\n');
		return 2;
	}
	if (failed) {
		process.stderr.write('deid: some notes were skipped (see above); they are not in the figures\n');
		return 1;
	}
	return 0;
}

type AnnotatedNote = { text: string; shift: number; spans: AnnotatedSpan[] } | { skipped: 'unreadable' | 'failed'; message: string };

/** A note and its annotations, or why it is skipped (a message naming the file, never its content). */
function readAnnotatedNote(path: string, format: Format): AnnotatedNote {
	const ann = annotationFor(path, format);
	if ('error' in ann) return { skipped: 'failed', message: `deid: ${path}: ${ann.error}; skipped\n` };
	const bytes = readRegularFile(path);
	const dec = typeof bytes === 'string' ? { ok: false as const, reason: bytes } : decodeText(bytes);
	if (!dec.ok) return { skipped: 'unreadable', message: `deid: ${path}: ${dec.reason}; skipped\n` };
	const annBytes = readRegularFile(ann.path);
	if (typeof annBytes === 'string') return { skipped: 'failed', message: `deid: ${ann.path}: ${annBytes}; skipped\n` };
	// brat counts a byte-order mark as the text's first character (MEDDOCAN's offsets do); the scan and our JSON
	// format count from after it
	const shift = ann.kind === 'brat' && dec.bom ? 1 : 0;
	const text = shift ? '\ufeff' + dec.text : dec.text;
	try {
		const annText = annBytes.toString('utf8');
		const spans = ann.kind === 'brat' ? parseBrat(annText, ann.path, text.length) : parseJsonAnnotations(annText, ann.path, text.length);
		return { text, shift, spans };
	} catch (e) {
		if (!(e instanceof AnnotationError)) throw e;
		return { skipped: 'failed', message: `deid: ${e.message}; skipped\n` };
	}
}
