// Worker thread for folder jobs: loads the dictionaries once, then de-identifies the files it is sent.
import { parentPort } from 'node:worker_threads';
import { loadDictionaries } from '../node/dictionaries';
import { processFile, type FileTask } from './processFile';

const dicts = loadDictionaries();
parentPort!.on('message', async (msg: { id: number; task: FileTask }) => {
	const outcome = await processFile(msg.task, dicts);
	parentPort!.postMessage({ id: msg.id, outcome });
});
