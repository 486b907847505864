import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { debounceFor, piecesDetected, validate } from '../../server/src/features/diagnostics';
import { WrittenRanges } from '../../server/src/services/written';
import { defaultSettings } from '../../server/src/settings';
import type { ServerContext } from '../../server/src/state';
import { mulberry32 } from '../../bench/random.mjs';
import { root } from '../helpers/cli';
import { dicts } from '../helpers/engine';

const corpus = join(root, '..', 'shared', 'corpora', 'physionet-deid-dev', 'docs');
/** Real notes when the shared corpus is there, else the repository's samples. */
function notes(): string[] {
	if (existsSync(corpus)) {
		return readdirSync(corpus)
			.filter((f) => f.endsWith('.txt'))
			.sort()
			.slice(0, 400)
			.map((f) => readFileSync(join(corpus, f), 'utf8').trim());
	}
	const dir = join(root, 'samples');
	return readdirSync(dir)
		.filter((f) => f.endsWith('.txt'))
		.map((f) => readFileSync(join(dir, f), 'utf8').trim());
}

function textOf(all: string[], size: number, from = 0): string {
	const parts: string[] = [];
	let n = 0;
	for (let i = from; n < size; i++) {
		parts.push(all[i % all.length]);
		n += all[i % all.length].length + 2;
	}
	return parts.join('\n\n');
}

/** The diagnostics service in-process, over a fake connection: no timing, every scan awaited. */
function service() {
	const docs = new Map<string, TextDocument>();
	const published = new Map<string, PublishDiagnosticsParams>();
	const ctx = {
		connection: {
			sendDiagnostics: async (p: PublishDiagnosticsParams) => void published.set(p.uri, p),
			sendNotification: async () => undefined,
			console: { error: (m: string) => assert.fail(m) },
		},
		documents: { get: (u: string) => docs.get(u), all: () => [...docs.values()] },
		settings: { get: async () => defaultSettings(), forget: () => undefined },
		dicts: () => dicts,
		scans: new Map(),
		key: Buffer.alloc(32, 7),
		written: new WrittenRanges(),
	} as unknown as ServerContext;
	return {
		async open(uri: string, text: string, version = 1) {
			docs.set(uri, TextDocument.create(uri, 'plaintext', version, text));
			await validate(ctx, uri);
			return published.get(uri)!;
		},
		async edit(uri: string, edits: { start: number; end: number; text: string }[]) {
			const doc = docs.get(uri)!;
			const changes = edits.map((e) => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, text: e.text }));
			docs.set(uri, TextDocument.update(doc, changes, doc.version + 1));
			await validate(ctx, uri);
			return published.get(uri)!;
		},
		text: (uri: string) => docs.get(uri)!.getText(),
		version: (uri: string) => docs.get(uri)!.version,
	};
}

/** A random edit as one types, pastes and deletes: characters, blank lines (pieces are cut there), words moved. */
function randomEdit(rnd: () => number, text: string): { start: number; end: number; text: string } {
	const at = Math.floor(rnd() * (text.length + 1));
	const r = rnd();
	if (r < 0.35) return { start: at, end: at, text: 'abcdefgh ,.1'[Math.floor(rnd() * 12)] };
	if (r < 0.55) return { start: at, end: Math.min(text.length, at + 1 + Math.floor(rnd() * 30)), text: '' };
	if (r < 0.7) return { start: at, end: at, text: rnd() < 0.5 ? '\n\n' : '\n' };
	// a few words from elsewhere in the document (names recur, one sense per document)
	const from = Math.floor(rnd() * Math.max(1, text.length - 40));
	return { start: at, end: at, text: ` ${text.slice(from, from + 5 + Math.floor(rnd() * 30))} ` };
}

describe('incremental diagnostics', () => {
	const all = notes();

	for (const seed of [11, 23, 47]) {
		it(`equal a full scan after random edits (seed ${seed})`, async () => {
			const rnd = mulberry32(seed);
			const s = service();
			const uri = `untitled:incremental-${seed}`;
			await s.open(uri, textOf(all, 70_000, seed * 13));
			for (let step = 0; step < 25; step++) {
				const edits = [randomEdit(rnd, s.text(uri))];
				const got = await s.edit(uri, edits);
				// the same text opened afresh: every piece scanned
				const fresh = await service().open(`untitled:fresh-${seed}-${step}`, s.text(uri), s.version(uri));
				assert.deepEqual(got.diagnostics, fresh.diagnostics, `seed ${seed}, step ${step}: incremental findings differ from a full scan`);
			}
		});
	}

	it('re-detects only the piece an edit touches', async () => {
		const s = service();
		const uri = 'untitled:work';
		const text = textOf(all, 400_000);
		await s.open(uri, text);
		const first = piecesDetected(uri);
		assert.ok(first >= 20, `a 400 KB document is scanned in pieces (${first})`);
		const rnd = mulberry32(5);
		for (let i = 0; i < 10; i++) {
			const before = piecesDetected(uri);
			const at = Math.floor(rnd() * s.text(uri).length);
			await s.edit(uri, [{ start: at, end: at, text: 'x' }]);
			// a piece's cut can move by the edit; the next cut then follows the same text again
			assert.ok(piecesDetected(uri) - before <= 3, `edit ${i}: ${piecesDetected(uri) - before} pieces re-detected`);
		}
	});

	it('waits longer after a keystroke in a document that scans longer', () => {
		assert.equal(debounceFor(40, undefined), 40);
		assert.equal(debounceFor(40, 5), 40);
		assert.equal(debounceFor(40, 200), 400);
		assert.equal(debounceFor(40, 60_000), 1500);
		assert.equal(debounceFor(2000, 10), 2000);
	});
});
