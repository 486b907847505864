// Text the extension itself wrote into an open document (quick fixes, document-wide edits, the FHIR line fix):
// shown as de-identified instead of flagged again. The server offers edits; when the next change of the document
// turns its text into exactly what one offered edit would give, that edit's new text is recorded as written.
import type { TextDocumentContentChangeEvent, TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

export interface Span {
	start: number;
	end: number;
}

interface Offer {
	/** Non-overlapping, in document order, offsets into the version the edit was offered for. */
	edits: { start: number; end: number; newText: string }[];
	/** Length of the text after the edit: a cheap test before the text itself is compared. */
	length: number;
}

/** Offers kept per document version: code actions are asked for on every cursor move. */
const MAX_OFFERS = 64;

export class WrittenRanges {
	private readonly spans = new Map<string, Span[]>();
	private readonly offers = new Map<string, { version: number; list: Offer[]; keys: Set<string> }>();

	/** Written spans of a document (offsets into its current text), in order. */
	get(uri: string): readonly Span[] {
		return this.spans.get(uri) ?? [];
	}

	/** [start, end) lies inside text the extension wrote. */
	covers(uri: string, start: number, end: number): boolean {
		const spans = this.spans.get(uri);
		if (!spans) return false;
		// spans are sorted and disjoint: the last one starting at or before `start` is the only candidate
		let lo = 0;
		let hi = spans.length - 1;
		let at = -1;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			if (spans[mid].start <= start) {
				at = mid;
				lo = mid + 1;
			} else hi = mid - 1;
		}
		return at >= 0 && end <= spans[at].end;
	}

	/** An edit the server offers for a document's current version (one of them may be applied next). */
	offer(doc: TextDocument, edits: readonly TextEdit[]): void {
		if (edits.length === 0) return;
		const list = edits
			.map((e) => ({ start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), newText: e.newText }))
			.sort((a, b) => a.start - b.start);
		for (let i = 1; i < list.length; i++) if (list[i].start < list[i - 1].end) return; // overlapping: never applied as is
		const key = JSON.stringify(list.map((e) => [e.start, e.end, e.newText]));
		let o = this.offers.get(doc.uri);
		if (!o || o.version !== doc.version) this.offers.set(doc.uri, (o = { version: doc.version, list: [], keys: new Set() }));
		if (o.keys.has(key)) return;
		if (o.list.length >= MAX_OFFERS) o.list.shift();
		o.keys.add(key);
		const length = list.reduce((n, e) => n + e.newText.length - (e.end - e.start), doc.getText().length);
		o.list.push({ edits: list, length });
	}

	/** A document was opened: nothing in it was written in this session. */
	opened(uri: string): void {
		this.spans.delete(uri);
		this.offers.delete(uri);
	}

	closed(uri: string): void {
		this.opened(uri);
	}

	/**
	 * The `update` of the server's TextDocuments: applies the changes and keeps the written spans right (after an
	 * edit they move; an edit inside one drops it, its text is checked again).
	 */
	update(doc: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
		const oldVersion = doc.version;
		const oldText = doc.getText();
		let spans = this.spans.get(doc.uri) ?? [];
		for (const c of changes) {
			let start: number;
			let end: number;
			let inserted: number;
			if ('range' in c && c.range) {
				start = doc.offsetAt(c.range.start);
				end = doc.offsetAt(c.range.end);
				inserted = c.text.length;
			} else {
				// a whole-text change: the part between the common prefix and suffix is what changed
				const before = doc.getText();
				const after = c.text;
				const max = Math.min(before.length, after.length);
				let p = 0;
				while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
				let s = 0;
				while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
				start = p;
				end = before.length - s;
				inserted = after.length - s - p;
			}
			if (spans.length) spans = shift(spans, start, end, inserted);
			doc = TextDocument.update(doc, [c], version);
		}
		const offers = this.offers.get(doc.uri);
		this.offers.delete(doc.uri);
		if (offers && offers.version === oldVersion) {
			const newText = doc.getText();
			const hit = offers.list.find((o) => o.length === newText.length && applied(oldText, o) === newText);
			if (hit) spans = merge(spans, writtenSpans(hit));
		}
		if (spans.length) this.spans.set(doc.uri, spans);
		else this.spans.delete(doc.uri);
		return doc;
	}
}

/** Spans after replacing [start, end) with `inserted` characters: later ones move, touched ones are dropped. */
export function shift(spans: readonly Span[], start: number, end: number, inserted: number): Span[] {
	const delta = inserted - (end - start);
	const out: Span[] = [];
	for (const s of spans) {
		if (s.end <= start) out.push(s);
		else if (s.start >= end) out.push({ start: s.start + delta, end: s.end + delta });
		// else: the change is inside (or over) the span: what it holds now is the user's text
	}
	return out;
}

function applied(text: string, o: Offer): string {
	const parts: string[] = [];
	let at = 0;
	for (const e of o.edits) {
		parts.push(text.slice(at, e.start), e.newText);
		at = e.end;
	}
	parts.push(text.slice(at));
	return parts.join('');
}

/** Where an applied offer's new texts lie in the text after it. */
function writtenSpans(o: Offer): Span[] {
	const out: Span[] = [];
	let delta = 0;
	for (const e of o.edits) {
		const start = e.start + delta;
		if (e.newText.length) out.push({ start, end: start + e.newText.length });
		delta += e.newText.length - (e.end - e.start);
	}
	return out;
}

/** Sorted union of two sorted span lists (touching spans join). */
function merge(a: readonly Span[], b: readonly Span[]): Span[] {
	const all = [...a, ...b].sort((x, y) => x.start - y.start);
	const out: Span[] = [];
	for (const s of all) {
		const last = out[out.length - 1];
		if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
		else out.push({ ...s });
	}
	return out;
}
