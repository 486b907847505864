// One in-memory text document for `deid serve` (a POST /deid body or a downloaded blob): plain data, so it crosses to
// the worker threads that run the engine off the server's event loop.
import { deidentifyDocument, type Dictionaries, type Operation } from '../engine';
import { dateShiftDays, hmacHash } from '../node/hash';
import type { PhiEntity } from './azure/deidClient';

export interface TextTask {
	text: string;
	operation: Operation;
	redactionFormat: string;
	/** Surrogate key (per job, or random per synchronous request). */
	key: Uint8Array;
	/** Identifier the date shift is keyed by. */
	datePatient: string;
	locale?: string;
	/** Whether the caller needs the entity list (Tag output, or the synchronous response). */
	entities: boolean;
}

export type TextOutcome =
	| { ok: true; output: string; entities: PhiEntity[] }
	| { ok: false; code: 'timeout' | 'memory' | 'error' | 'closed'; reason: string };

export function processText(task: TextTask, dicts: Dictionaries): TextOutcome {
	const hash = hmacHash(task.key);
	const res = deidentifyDocument(task.text, 'text', dicts, {}, {
		operation: task.operation,
		redactionFormat: task.redactionFormat,
		surrogate: { dicts, hash, dateShiftDays: dateShiftDays(hash, task.datePatient), locale: task.locale },
	});
	return { ok: true, output: res.output, entities: task.entities ? entitiesOf(task.text, res.findings) : [] };
}

/** Findings with UTF-8, UTF-16 and code point offsets, in one pass over the text (findings in any order). */
export function entitiesOf(text: string, findings: readonly { start: number; end: number; type: string; confidence: number }[]): PhiEntity[] {
	const points = new Set<number>();
	for (const f of findings) points.add(f.start).add(f.end);
	const sorted = [...points].sort((a, b) => a - b);
	const at = new Map<number, { utf8: number; codePoint: number }>();
	let i = 0;
	let utf8 = 0;
	let cp = 0;
	for (const p of sorted) {
		while (i < p && i < text.length) {
			const c = text.charCodeAt(i);
			const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
			utf8 += pair ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
			cp++;
			i += pair ? 2 : 1;
		}
		at.set(p, { utf8, codePoint: cp });
	}
	return findings.map((f) => {
		const o = at.get(f.start)!;
		const e = at.get(f.end)!;
		return {
			category: f.type,
			offset: { utf8: o.utf8, utf16: f.start, codePoint: o.codePoint },
			length: { utf8: e.utf8 - o.utf8, utf16: f.end - f.start, codePoint: e.codePoint - o.codePoint },
			text: text.slice(f.start, f.end),
			confidenceScore: f.confidence,
		};
	});
}
