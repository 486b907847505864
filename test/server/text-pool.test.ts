// The worker pool `deid serve` runs text documents in: a document over its time budget fails and its thread is
// replaced; time waiting in the queue does not count against a document. A stand-in worker script (same message
// protocol as dist/jobWorker.js) makes the slow document deterministic: it never finishes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { textPool } from '../../server/src/jobs/pool';
import type { TextTask } from '../../server/src/remote/textTask';

const dir = mkdtempSync(join(tmpdir(), 'deid-text-pool-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const script = join(dir, 'worker.js');
writeFileSync(
	script,
	`const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
	parentPort.postMessage({ id: m.id, kind: 'started' });
	if (m.text.text === 'hang') for (;;);
	parentPort.postMessage({ id: m.id, kind: 'text', outcome: { ok: true, output: m.text.text.toUpperCase(), entities: [] } });
});
`,
);
const task = (text: string): TextTask => ({ text, operation: 'redact', redactionFormat: '[{type}]', key: new Uint8Array(32), datePatient: 'p', entities: false });

describe('text worker pool', () => {
	it('a document over budget fails with a timeout, its worker is replaced, and the documents queued behind it run', async () => {
		const pool = textPool(1, script, { budgetMs: 1500 });
		try {
			const [slow, next, last] = await Promise.all([pool.run(task('hang')), pool.run(task('a')), pool.run(task('b'))]);
			assert.equal(slow.ok, false);
			assert.equal(!slow.ok && slow.code, 'timeout');
			assert.match(!slow.ok ? slow.reason : '', /time limit/);
			assert.deepEqual([next, last].map((o) => o.ok && o.output), ['A', 'B'], 'the one worker was replaced');
			const again = await pool.run(task('hang'));
			assert.equal(!again.ok && again.code, 'timeout');
			assert.equal(((await pool.run(task('c'))) as { output: string }).output, 'C');
		} finally {
			await pool.terminate();
		}
	});

	it('terminate fails what is running or queued as closed, and later runs too', async () => {
		const pool = textPool(1, script, { budgetMs: 60_000 });
		const running = pool.run(task('hang'));
		const queued = pool.run(task('x'));
		await new Promise((r) => setTimeout(r, 200));
		await pool.terminate();
		for (const o of await Promise.all([running, queued, pool.run(task('y'))])) assert.equal(!o.ok && o.code, 'closed');
	});
});
