import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hover, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { DocumentEditRequest, StatusNotification, VisibleRangesNotification, type StatusParams } from '../../server/src/protocol';
import { root } from '../helpers/cli';
import { TestClient } from '../helpers/lsp';

const corpus = join(root, '..', 'shared', 'corpora', 'physionet-deid-dev', 'docs');
const samples = join(root, 'samples');

/** About 600 KB of notes: more than a scan publishes at once, so the server publishes the visible part first. */
function bigText(): string {
	const dir = existsSync(corpus) ? corpus : samples;
	const notes = readdirSync(dir)
		.filter((f) => f.endsWith('.txt'))
		.sort()
		.map((f) => readFileSync(join(dir, f), 'utf8').trim());
	const parts: string[] = [];
	let n = 0;
	for (let i = 0; n < 600_000; i++) {
		parts.push(notes[i % notes.length]);
		n += notes[i % notes.length].length + 2;
	}
	return parts.join('\n\n');
}

describe('visible range first (LSP over stdio)', () => {
	let client: TestClient;
	const first = new Map<string, PublishDiagnosticsParams>();
	const last = new Map<string, PublishDiagnosticsParams>();
	const progress = new Map<string, StatusParams[]>();
	const completed = new Map<string, () => void>();
	const text = bigText();
	const lines = text.split('\n').length;

	before(async () => {
		client = new TestClient();
		// these replace the helper's handlers: this test keeps every publication, not only the last
		client.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
			if (!first.has(p.uri)) first.set(p.uri, p);
			last.set(p.uri, p);
		});
		client.conn.onNotification(StatusNotification.method, (p: StatusParams) => {
			progress.set(p.uri, [...(progress.get(p.uri) ?? []), p]);
			if (!p.scanning) completed.get(p.uri)?.();
		});
		await client.initialize();
	});
	after(() => client.close());

	/** Open the text with the editor showing lines [from, from + 40); the first publication's lines. */
	async function openAt(uri: string, from: number): Promise<{ lines: number[]; complete: number }> {
		void client.conn.sendNotification(VisibleRangesNotification.method, { uri, ranges: [{ start: { line: from, character: 0 }, end: { line: from + 40, character: 0 } }] });
		const done = new Promise<void>((resolve) => completed.set(uri, resolve));
		client.open(uri, text);
		await done;
		const complete = last.get(uri)!.diagnostics.length;
		return { lines: first.get(uri)!.diagnostics.map((d) => d.range.start.line), complete };
	}

	it('publishes the lines the editor shows before the rest, then everything', async () => {
		const bottom = await openAt('file:///tmp/deid-visible/bottom.txt', lines - 60);
		const top = await openAt('file:///tmp/deid-visible/top.txt', 0);
		// the first publication holds the visible region's pieces only (each a few hundred lines at most)
		assert.ok(bottom.lines.length > 0 && bottom.lines.length < bottom.complete, `partial first publication (${bottom.lines.length} of ${bottom.complete})`);
		assert.ok(Math.min(...bottom.lines) > lines / 2, 'scrolled to the end: the first diagnostics are near the end');
		assert.ok(top.lines.length > 0 && Math.max(...top.lines) < lines / 2, 'at the top: the first diagnostics are near the top');
		assert.equal(top.complete, bottom.complete, 'the same text gets the same diagnostics in the end');
		// progress: the status says the scan is going on until it is complete
		const states = progress.get('file:///tmp/deid-visible/bottom.txt')!;
		assert.ok(states.some((s) => s.scanning && s.scanning.done < s.scanning.total));
		assert.equal(states[states.length - 1].scanning, undefined);
	});

	it('hovers explain findings already published while the rest is scanned; a whole-file edit waits', async () => {
		const uri = 'file:///tmp/deid-visible/hover.txt';
		let complete = false;
		const done = new Promise<void>((resolve) =>
			completed.set(uri, () => {
				complete = true;
				resolve();
			}),
		);
		void client.conn.sendNotification(VisibleRangesNotification.method, { uri, ranges: [{ start: { line: 0, character: 0 }, end: { line: 40, character: 0 } }] });
		let firstPublished!: (p: PublishDiagnosticsParams) => void;
		const published = new Promise<PublishDiagnosticsParams>((resolve) => (firstPublished = resolve));
		const poll = setInterval(() => first.has(uri) && firstPublished(first.get(uri)!), 1);
		client.open(uri, text);
		const partial = await published;
		clearInterval(poll);
		const d = partial.diagnostics.find((x) => String(x.code).startsWith('phi.'))!;
		// asked at once: dozens of pieces are left, and the server answers between two of them
		const hover = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: d.range.start })) as Hover | null;
		assert.equal(complete, false, 'the scan was still going on when the hover was answered');
		assert.ok(hover && (hover.contents as { value: string }).value.includes('**PHI:'), 'the hover explains the finding');
		assert.deepEqual(hover.range, d.range);
		const edit = (await client.conn.sendRequest(DocumentEditRequest.method, { uri, operation: 'redact' })) as { documentChanges: { edits: unknown[] }[] };
		await done;
		const all = last.get(uri)!.diagnostics.filter((x) => String(x.code).startsWith('phi.')).length;
		assert.equal(edit.documentChanges[0].edits.length, all, 'the whole-file edit covers every finding, not the part scanned so far');
	});

	it('a settings change while a large document is scanned applies to that scan', async () => {
		const uri = 'file:///tmp/deid-visible/settings.txt';
		const done = new Promise<void>((resolve) => completed.set(uri, resolve));
		let partial!: () => void;
		const scanning = new Promise<void>((resolve) => (partial = resolve));
		const seen = () => (progress.get(uri) ?? []).some((p) => p.scanning);
		const poll = setInterval(() => seen() && partial(), 5);
		client.open(uri, text);
		await scanning;
		clearInterval(poll);
		client.settings = { severity: { default: 'off' } };
		void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
		await done;
		client.settings = {};
		const phi = last.get(uri)!.diagnostics.filter((d) => String(d.code).startsWith('phi.'));
		assert.equal(phi.length, 0, 'every type is off: the scan that was running when the setting changed did not publish');
	});
});
