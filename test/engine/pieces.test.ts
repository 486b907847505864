import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHUNK_CHARS, cutPoint, processFile, textPieces } from '../../server/src/jobs/processFile';
import { loadDictionaries } from '../../server/src/node/dictionaries';

function rng(seed: number) {
	return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}
const words = (r: () => number, n: number) => Array.from({ length: n }, () => 'abcdefgh'.slice(0, 1 + Math.floor(r() * 8))).join(' ');

describe('pieces a large text is processed in', () => {
	it('are at most CHUNK_CHARS long when breaks exist, end at a break, and join back to the text', () => {
		const r = rng(1);
		let text = '';
		while (text.length < CHUNK_CHARS * 6) text += words(r, 5 + Math.floor(r() * 400)) + (r() < 0.5 ? '\n\n' : '\n');
		const pieces = [...textPieces(text, 'text')];
		assert.ok(pieces.length >= 6, `${pieces.length} pieces`);
		assert.equal(pieces.map((p) => p.text).join(''), text);
		for (const [i, p] of pieces.entries()) {
			assert.equal(text.slice(p.start, p.start + p.text.length), p.text);
			if (i < pieces.length - 1) {
				assert.ok(p.text.length <= CHUNK_CHARS && p.text.length >= CHUNK_CHARS / 2, `piece ${i}: ${p.text.length}`);
				assert.match(p.text.slice(-1), /\s/, 'a piece ends at a break');
			}
		}
	});
	it('cut a long unbroken run at the first break after it, and a run longer than four pieces at a fixed length without splitting a surrogate pair', () => {
		const run = 'x'.repeat(CHUNK_CHARS * 2);
		const a = [...textPieces(run + ' tail ' + 'y'.repeat(CHUNK_CHARS), 'text')].map((p) => p.text);
		assert.equal(a[0], run + ' ');
		const astral = '😀'.repeat(CHUNK_CHARS * 3); // 6 pieces of code units, no break anywhere
		const b = [...textPieces(astral, 'text')].map((p) => p.text);
		assert.equal(b.join(''), astral);
		for (const p of b) assert.ok(!/[\ud800-\udbff]$/.test(p) && !/^[\udc00-\udfff]/.test(p), 'no surrogate pair split');
	});
	it('NDJSON: every piece ends at a line end, and a line longer than a piece goes whole', () => {
		const lines: string[] = [];
		for (let i = 0; i < 300; i++) lines.push(JSON.stringify({ id: i, note: 'n'.repeat(i === 150 ? CHUNK_CHARS * 2 : 900) }));
		const text = lines.join('\n') + '\n';
		const pieces = [...textPieces(text, 'ndjson')].map((p) => p.text);
		assert.equal(pieces.join(''), text);
		for (const p of pieces) assert.ok(p.endsWith('\n'));
		assert.ok(pieces.some((p) => p.includes(lines[150])), 'the long line is in one piece');
		assert.ok(pieces.filter((p) => !p.includes(lines[150])).every((p) => p.length <= CHUNK_CHARS));
	});
	it('text streamed in reads of any size is cut where textPieces cuts the whole (the cut depends only on the text from the piece start)', () => {
		for (const format of ['text', 'ndjson'] as const) {
			const r = rng(format === 'text' ? 3 : 4);
			let text = '';
			while (text.length < CHUNK_CHARS * 8) text += format === 'text' ? words(r, 5 + Math.floor(r() * 900)) + (r() < 0.3 ? '\n\n' : r() < 0.5 ? '\n' : ' ') : JSON.stringify({ t: words(r, 1 + Math.floor(r() * 3000)) }) + '\n';
			const whole = [...textPieces(text, format)].map((p) => p.start);
			const streamed: number[] = [];
			let buf = '';
			let consumed = 0;
			for (let at = 0; at < text.length; ) {
				const read = 1024 + Math.floor(r() * CHUNK_CHARS * 3);
				buf += text.slice(at, at + read);
				at += read;
				let cut: number;
				while ((cut = cutPoint(buf, format)) > 0) {
					streamed.push(consumed);
					consumed += cut;
					buf = buf.slice(cut);
				}
			}
			streamed.push(consumed);
			assert.deepEqual(streamed, whole, format);
		}
	});
	it('a streamed file is cut where textPieces cuts it: its output is the concatenation of the pieces processed alone', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'deid-pieces-'));
		try {
			const r = rng(2);
			let text = '';
			while (text.length < CHUNK_CHARS * 5) text += `Seen by Dr. Smith on 3/4/2019. ${words(r, 50 + Math.floor(r() * 300))}\n\n`;
			writeFileSync(join(dir, 'in.txt'), text);
			const dicts = loadDictionaries();
			const task = { src: join(dir, 'in.txt'), dst: join(dir, 'out.txt'), format: 'text' as const, operation: 'redact' as const, detect: {}, key: new Uint8Array(32), patient: 'p' };
			const o = await processFile(task, dicts);
			assert.equal(o.status, 'done');
			const out = readFileSync(join(dir, 'out.txt'), 'utf8');
			const expected: string[] = [];
			for (const p of textPieces(text, 'text')) {
				writeFileSync(join(dir, 'piece.txt'), p.text);
				await processFile({ ...task, src: join(dir, 'piece.txt'), dst: join(dir, 'piece-out.txt') }, dicts);
				expected.push(readFileSync(join(dir, 'piece-out.txt'), 'utf8'));
			}
			assert.equal(out, expected.join(''));
			assert.ok(out.includes('[DOCTOR]') && out.includes('[DATE]'));
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
