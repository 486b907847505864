import { deidentifyDocument, type DeidentifyResult, type TransformOptions } from '../deidentify';
import type { Dictionaries } from '../dictionaries';
import { jsonEscape, scanJson } from './ndjson';
import { CHUNK_CHARS, textPieces } from '../pieces';
import type { DetectOptions, EntityType, Finding } from '../types';

/** Sees each text that went through detection with its findings (offsets into that text), for callers that record what was replaced. */
export type FindingsSink = (text: string, findings: readonly Finding[]) => void;

/** An NDJSON line longer than this is de-identified value by value, large values in pieces. */
export const LARGE_RECORD_CHARS = CHUNK_CHARS * 4;

/**
 * De-identify NDJSON whose lines may be very large (a note of many MB inside one record): ordinary lines go through
 * deidentifyDocument as usual; a large line keeps its small values together (field names and context across
 * them still count) and sends each value longer than a piece through the text pipeline piece by piece, so memory
 * follows the piece, not the record. Same result shape as deidentifyDocument (findings are not kept: a large
 * record holds hundreds of thousands).
 */
export function deidentifyNdjson(
	text: string,
	dicts: Dictionaries,
	detectOptions: DetectOptions,
	t: TransformOptions,
	sink?: FindingsSink,
): Omit<DeidentifyResult, 'findings'> {
	if (!hasLongLine(text)) {
		const r = deidentifyDocument(text, 'ndjson', dicts, detectOptions, t);
		sink?.(text, r.findings);
		return r;
	}
	const counts: Partial<Record<EntityType, number>> = {};
	const add = (c: Partial<Record<EntityType, number>>) => {
		for (const [k, v] of Object.entries(c)) counts[k as EntityType] = (counts[k as EntityType] ?? 0) + (v ?? 0);
	};
	const out: string[] = [];
	const problems: DeidentifyResult['problems'] = [];
	let run = '';
	let runLine = 0;
	let lineNo = 0;
	const flushRun = () => {
		if (!run) return;
		const r = deidentifyDocument(run, 'ndjson', dicts, detectOptions, t);
		sink?.(run, r.findings);
		add(r.counts);
		for (const p of r.problems) problems.push({ ...p, line: p.line + runLine });
		out.push(r.output);
		run = '';
	};
	let at = 0;
	while (at < text.length) {
		const nl = text.indexOf('\n', at);
		const end = nl < 0 ? text.length : nl + 1;
		const line = text.slice(at, end);
		if (line.length <= LARGE_RECORD_CHARS) {
			if (!run) runLine = lineNo;
			run += line;
		} else {
			flushRun();
			const body = line.slice(0, line.length - (line.endsWith('\r\n') ? 2 : line.endsWith('\n') ? 1 : 0));
			const r = largeRecord(body, dicts, detectOptions, t, sink);
			if (r === undefined) {
				// not JSON: the whole line as one malformed line (deidentifyDocument treats it as text, in pieces below)
				problems.push({
					line: lineNo,
					start: at,
					end: at + body.length,
					message: `Line ${lineNo + 1} is not valid JSON; it was de-identified as plain text.`,
				});
				for (const piece of textPieces(body, 'text')) {
					const p = deidentifyDocument(piece.text, 'text', dicts, detectOptions, t);
					sink?.(piece.text, p.findings);
					add(p.counts);
					out.push(p.output);
				}
			} else {
				add(r.counts);
				out.push(r.output);
			}
			out.push(line.slice(body.length));
		}
		at = end;
		lineNo++;
	}
	flushRun();
	return { output: out.join(''), problems, counts };
}

function hasLongLine(text: string): boolean {
	if (text.length <= LARGE_RECORD_CHARS) return false;
	let at = 0;
	while (at < text.length) {
		const nl = text.indexOf('\n', at);
		const end = nl < 0 ? text.length : nl;
		if (end - at > LARGE_RECORD_CHARS) return true;
		at = end + 1;
	}
	return false;
}

/** Placeholder for a large value inside the small-value record: private-use characters no detector reads as PHI. */
const placeholder = (i: number) => `\ue000${String.fromCharCode(0xe100 + (i & 0xff), 0xe200 + ((i >> 8) & 0xff), 0xe300 + ((i >> 16) & 0xff))}\ue000`;

const PLACEHOLDER = /\ue000([\ue100-\ue1ff])([\ue200-\ue2ff])([\ue300-\ue3ff])\ue000/g;

/** One large JSON record; undefined when the line is not valid JSON. */
function largeRecord(
	line: string,
	dicts: Dictionaries,
	detectOptions: DetectOptions,
	t: TransformOptions,
	sink?: FindingsSink,
): { output: string; counts: Partial<Record<EntityType, number>> } | undefined {
	const res = scanJson(line);
	if (!res.ok) return undefined;
	const counts: Partial<Record<EntityType, number>> = {};
	const add = (c: Partial<Record<EntityType, number>>) => {
		for (const [k, v] of Object.entries(c)) counts[k as EntityType] = (counts[k as EntityType] ?? 0) + (v ?? 0);
	};
	// the small values stay in their record (with placeholders for the large ones) and go through as one line
	const parts: string[] = [];
	const large: string[] = [];
	let at = 0;
	for (const s of res.strings) {
		if (s.value.length <= CHUNK_CHARS) continue;
		const open = line.lastIndexOf('"', s.offsets[0] - 1);
		const close = s.offsets[s.value.length];
		parts.push(line.slice(at, open), JSON.stringify(placeholder(large.length)));
		at = close + 1;
		// escaped piece by piece: the value is never held twice more
		let escaped = '';
		for (const piece of textPieces(s.value, 'text')) {
			const p = deidentifyDocument(piece.text, 'text', dicts, detectOptions, t);
			sink?.(piece.text, p.findings);
			add(p.counts);
			escaped += jsonEscape(t.operation === 'tag' ? piece.text : p.output);
		}
		large.push(escaped);
	}
	parts.push(line.slice(at));
	const smallText = parts.join('');
	const small = deidentifyDocument(smallText, 'ndjson', dicts, detectOptions, t);
	sink?.(smallText, small.findings);
	add(small.counts);
	let restored = 0;
	const output = small.output.replace(PLACEHOLDER, (_, a: string, b: string, c: string) => {
		restored++;
		return large[(a.charCodeAt(0) - 0xe100) | ((b.charCodeAt(0) - 0xe200) << 8) | ((c.charCodeAt(0) - 0xe300) << 16)] ?? '';
	});
	// a placeholder the small values' pass changed would lose a value: fail the file rather than write that
	if (restored !== large.length) throw new Error('a large value could not be put back into its record');
	return { output, counts };
}
