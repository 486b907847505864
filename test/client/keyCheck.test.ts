// A new surrogate key next to outputs made with another key: the extension finds those outputs (client/src/keyCheck.ts).
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { outputKeyFingerprints } from '../../client/src/keyCheck';

describe('outputs made with other keys', () => {
	it('finds surrogate outputs by key fingerprint in the workspace (two levels down) and in remembered roots', () => {
		const d = mkdtempSync(join(tmpdir(), 'deid-keycheck-'));
		try {
			const manifest = (dir: string, fp: string, operation = 'surrogate') => {
				mkdirSync(dir, { recursive: true });
				writeFileSync(join(dir, 'deid-manifest.json'), JSON.stringify({ tool: 'vscode-deid', keyFingerprint: fp, operation, files: [] }));
			};
			manifest(join(d, 'ws', 'notes-deid'), 'aaaa');
			manifest(join(d, 'ws', 'batch', 'out'), 'bbbb');
			manifest(join(d, 'ws', 'a', 'b', 'too-deep'), 'cccc');
			manifest(join(d, 'ws', 'redacted'), 'dddd', 'redact');
			manifest(join(d, 'elsewhere'), 'aaaa');
			writeFileSync(join(d, 'ws', 'deid-manifest.json'), '{not json');
			const found = outputKeyFingerprints([join(d, 'ws')], [join(d, 'elsewhere'), join(d, 'missing')]);
			assert.deepEqual([...found.keys()].sort(), ['aaaa', 'bbbb']);
			assert.deepEqual(found.get('aaaa')!.sort(), [join(d, 'elsewhere'), join(d, 'ws', 'notes-deid')].sort());
		} finally {
			rmSync(d, { recursive: true, force: true });
		}
	});
});
