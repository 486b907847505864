// `deid serve`: the self-hosted server with the Azure de-identification REST API.
import { loadDictionaries } from '../node/dictionaries';
import { one, UsageError, type Parsed } from './args';
import { readSecretFile } from './options';

export function storageSecret(p: Parsed, which: 'connection-string' | 'sas'): string | undefined {
	const file = one(p, `--storage-${which}-file`);
	if (file) return readSecretFile(file, `--storage-${which}-file`);
	const env = process.env[which === 'sas' ? 'DEID_STORAGE_SAS' : 'DEID_STORAGE_CONNECTION_STRING'];
	if (env) return env;
	const flag = one(p, `--storage-${which}`);
	if (flag)
		process.stderr.write(
			`deid: warning: --storage-${which} puts a secret on the command line, where other users can read it; use ${which === 'sas' ? 'DEID_STORAGE_SAS' : 'DEID_STORAGE_CONNECTION_STRING'} or --storage-${which}-file\n`,
		);
	return flag;
}

/** A connection string we can use, or a usage error that names what is missing (never the secret). */
export function checkConnectionString(cs: string): void {
	const parts = new Map<string, string>();
	for (const part of cs.split(';')) {
		const at = part.indexOf('=');
		if (at > 0) parts.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
	}
	if (cs.trim() === 'UseDevelopmentStorage=true') return;
	const missing = ['AccountName', 'AccountKey'].filter((k) => !parts.get(k));
	if (missing.length)
		throw new UsageError(`the storage connection string is not usable: it needs ${missing.join(' and ')} (Name=value pairs separated by ';')`);
	const endpoint = parts.get('BlobEndpoint');
	if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/i.test(endpoint))
		throw new UsageError('the storage connection string is not usable: BlobEndpoint is not an http(s) URL');
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(parts.get('AccountKey')!)) throw new UsageError('the storage connection string is not usable: AccountKey is not base64');
}

/** A regular file's bytes, or why it was not read (a FIFO is never opened for a blocking read). */
export async function cmdServe(p: Parsed): Promise<number> {
	const port = Number(one(p, '--port'));
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('serve needs --port N');
	const cs = storageSecret(p, 'connection-string');
	if (!cs) throw new UsageError('serve needs a storage connection string: DEID_STORAGE_CONNECTION_STRING or --storage-connection-string-file F');
	checkConnectionString(cs);
	const tokenFile = one(p, '--token-file');
	if (!tokenFile) throw new UsageError('serve needs --token-file (clients must send this bearer token)');
	const token = readSecretFile(tokenFile, '--token-file');
	const limit = one(p, '--document-time-limit');
	const budget = limit === undefined ? undefined : Number(limit);
	if (budget !== undefined && !(budget > 0 && budget <= 3600)) throw new UsageError('--document-time-limit must be a number of seconds from 1 to 3600');
	const { startServer } = await import('../remote/serve');
	let server;
	try {
		server = await startServer({
			port,
			host: one(p, '--host') ?? '127.0.0.1',
			connectionString: cs,
			token,
			stateDir: one(p, '--state-dir'),
			dicts: loadDictionaries,
			allowedContainers: p.flags.get('--allow-container'),
			documentBudgetMs: budget === undefined ? undefined : budget * 1000,
			log: (l) => process.stderr.write(`deid serve: ${l}\n`),
		});
	} catch (e) {
		const code = (e as NodeJS.ErrnoException).code;
		process.stderr.write(
			`deid serve: cannot start: ${code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'not allowed to listen on that port' : code ? code : (e as Error).message}\n`,
		);
		return 2;
	}
	process.stdout.write(`deid serve: listening on ${server.url} (api-version 2024-11-15)\n`);
	await new Promise<void>((resolve) => {
		const stop = () => {
			process.stderr.write('deid serve: shutting down (the current document finishes; running jobs resume on restart)\n');
			void server.close().then(resolve);
		};
		process.once('SIGTERM', stop);
		process.once('SIGINT', stop);
	});
	return 0;
}
