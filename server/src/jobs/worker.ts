// Worker thread for folder jobs, `deid scan` and `deid serve`: loads the dictionaries once, then de-identifies
// (or scans) the files and in-memory text documents it is sent.
import { parentPort } from 'node:worker_threads';
import { loadDictionaries } from '../node/dictionaries';
import { processFile, type FileTask } from './processFile';
import { processText, type TextOutcome, type TextTask } from '../remote/textTask';
import { scanFile, type ScanTask } from '../cli/scanFile';
import type { Finding } from '../engine';

const dicts = loadDictionaries();
const nameCache = new Map<string, Finding[]>();
parentPort!.on(
	'message',
	async (msg: { id: number; task: FileTask } | { id: number; kind: 'text'; text: TextTask } | { id: number; kind: 'scan'; scan: ScanTask[] }) => {
		if ('kind' in msg && msg.kind === 'scan') {
			parentPort!.postMessage({ id: msg.id, outcome: msg.scan.map((t) => scanFile(t, dicts, nameCache)) });
			return;
		}
		if ('kind' in msg && msg.kind === 'text') {
			// The pool starts the document's time budget from here, so waiting in the queue does not count.
			parentPort!.postMessage({ id: msg.id, kind: 'started' });
			let outcome: TextOutcome;
			try {
				outcome = processText(msg.text, dicts);
			} catch (e) {
				outcome = { ok: false, code: 'error', reason: `internal error (${(e as Error)?.name ?? 'unknown'})` };
			}
			parentPort!.postMessage({ id: msg.id, kind: 'text', outcome });
			return;
		}
		const outcome = await processFile((msg as { task: FileTask }).task, dicts);
		parentPort!.postMessage({ id: msg.id, outcome });
	},
);
