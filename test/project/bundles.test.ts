import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanDocument, type Finding } from '../../server/src/engine';
import { textPieces } from '../../server/src/jobs/processFile';
import { loadDictionaries, readTextFile } from '../../server/src/node/dictionaries';
import { root, runCli } from '../helpers/cli';

let dir: string;
before(() => {
	dir = mkdtempSync(join(tmpdir(), 'deid-bundles-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

// Every folder-job thread holds the source of the bundle it runs and parses the dictionaries; one character
// above U+00FF would make V8 keep either as a two-byte string (twice the memory, in every thread).
describe('shipped bundles and dictionaries', () => {
	for (const name of ['server.js', 'cli.js', 'cliMain.js', 'cliScan.js', 'jobWorker.js']) {
		it(`dist/${name} has no character above U+00FF`, () => {
			const text = readFileSync(join(root, 'dist', name), 'utf8');
			const at = text.search(/[^\u0000-\u00ff]/);
			assert.equal(at, -1, `U+${text.charCodeAt(at).toString(16)} at ${at}: ${JSON.stringify(text.slice(at - 40, at + 10))}`);
		});
	}

	it('every file the build writes to dist/ (but source maps) is let into the .vsix by .vscodeignore', () => {
		const allowed = new Set(readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!dist/')).map((l) => l.slice(6).trim()));
		const built = readdirSync(join(root, 'dist')).filter((f) => !f.endsWith('.map'));
		assert.ok(built.includes('cliScan.js') && built.includes('dictionaries.pack'), built.join(', '));
		assert.deepEqual(built.filter((f) => !allowed.has(f)), []);
	});

	it('dist/dictionaries.json is ASCII and still holds the accented names', () => {
		const bytes = readFileSync(join(root, 'dist', 'dictionaries.json'));
		assert.equal(bytes.findIndex((b) => b > 0x7e), -1);
		const d = loadDictionaries();
		const all = [...d.raw.firstFemale, ...d.raw.firstMale, ...d.raw.last, ...(d.raw.spanishNames ?? []), ...d.raw.cities];
		assert.ok(all.some((n) => /[^\u0000-\u007f]/.test(n)), 'no accented entry survived');
	});

	it('the escaped CLI bundle finds exactly what the engine finds in text full of typographic characters', () => {
		const parts = [
			'Seen by Dr. O’Brien on 3–5 May ’98 at St. Mary’s; d’Arcy’s daughter called.',
			'Mrs. Nguyễn (MRN 4821390) — transferred from Hôpital Saint‑Luc ‘yesterday’.',
			'Paciente: María José Núñez, 67 años, nº historia 0045123, médico: Dra. Ibáñez.',
			'Domicilio: C/ Ávila 12, 28006 Madrid. Tel. 912 345 678 — “stable”.',
			'Knows it’s 2019. PMH: MI ’09, CABG 1998–1999; Foley draining clear urine.',
		];
		let text = '';
		for (let i = 0; text.length < 150_000; i++) text += parts[i % parts.length] + (i % 7 === 6 ? '\n\n' : i % 3 === 2 ? '\n' : ' ');
		const file = join(dir, 'typographic.txt');
		writeFileSync(file, text);
		const r = runCli(['scan', '--json', file]);
		assert.equal(r.code, 0, r.stderr);
		const fromCli = JSON.parse(r.stdout.trim()).findings;
		const dicts = loadDictionaries();
		const fromEngine: Finding[] = [];
		let line = 0;
		for (const piece of textPieces(text, 'text')) {
			fromEngine.push(...scanDocument(piece.text, 'text', dicts, {}, { offset: piece.start, line }).findings);
			for (let i = 0; i < piece.text.length; i++) if (piece.text.charCodeAt(i) === 10) line++;
		}
		assert.ok(fromEngine.length > 1000);
		assert.deepEqual(fromCli, fromEngine.map((f) => ({ start: f.start, end: f.end, type: f.type, confidence: Math.round(f.confidence * 1000) / 1000, detector: f.detector })));
	});
});

describe('readTextFile', () => {
	it('decodes UTF-8 split across its 64 KB reads as a whole read would', () => {
		// two-, three- and four-byte characters land on every offset around each 64 KB boundary
		let text = '';
		for (let i = 0; text.length < 300_000; i++) text += ['a', 'é', '’', '😀', 'ñ\n'][i % 5].repeat(1 + (i % 3));
		const file = join(dir, 'mixed.txt');
		writeFileSync(file, text);
		assert.equal(readTextFile(file), text);
		assert.equal(readTextFile(file), readFileSync(file, 'utf8'));
	});

	it('reads an empty file and replaces invalid bytes as a whole read does', () => {
		const empty = join(dir, 'empty.txt');
		writeFileSync(empty, '');
		assert.equal(readTextFile(empty), '');
		const bad = join(dir, 'bad.txt');
		writeFileSync(bad, Buffer.concat([Buffer.alloc(65535, 0x61), Buffer.from([0xe2, 0x80]), Buffer.from('x'), Buffer.from([0xff])]));
		assert.equal(readTextFile(bad), readFileSync(bad, 'utf8'));
	});
});
