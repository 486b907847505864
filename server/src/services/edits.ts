import type { Range, TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { formatRedaction, jsonEscape, maskSameLength, surrogateFor, type EntityType } from '../engine';
import { dateShiftDays } from '../node/hash';
import type { ServerContext } from '../state';

export type FixKind = 'redact' | 'mask' | 'surrogate';

/** The value a range holds: for JSON string content, the decoded text. */
export function valueAt(doc: TextDocument, range: Range, json: boolean): string {
	const raw = doc.getText(range);
	if (!json) return raw;
	try {
		return JSON.parse(`"${raw}"`) as string;
	} catch {
		return raw;
	}
}

/** The text that replaces one finding (JSON-escaped inside NDJSON string values). */
export function replacementText(
	ctx: ServerContext,
	doc: TextDocument,
	range: Range,
	type: EntityType,
	json: boolean,
	kind: FixKind,
	format: string,
	locale?: string,
): string {
	const value = valueAt(doc, range, json);
	let out: string;
	if (kind === 'redact') out = formatRedaction(format, type, value);
	else if (kind === 'mask') out = maskSameLength(value);
	else out = surrogateFor(type, value, { dicts: ctx.dicts(), hash: ctx.hash, dateShiftDays: dateShiftDays(ctx.hash, doc.uri), locale });
	return json ? jsonEscape(out) : out;
}

/** Edits for every finding of a document (optionally only some types). */
export function editsForDocument(
	ctx: ServerContext,
	doc: TextDocument,
	kind: FixKind,
	format: string,
	types?: ReadonlySet<EntityType>,
	locale?: string,
): TextEdit[] {
	const entry = ctx.scans.get(doc.uri);
	if (!entry || entry.version !== doc.version || entry.partial) return [];
	const edits: TextEdit[] = [];
	entry.findings.forEach((f, i) => {
		if (types && !types.has(f.type)) return;
		const range = { start: doc.positionAt(f.start), end: doc.positionAt(f.end) };
		edits.push({ range, newText: replacementText(ctx, doc, range, f.type, entry.json[i], kind, format, locale) });
	});
	return edits;
}
