// `deid job`: remote batch jobs on the Azure de-identification service or a `deid serve` server.
import { one, UsageError, type Parsed } from './args';
import { readSecretFile } from './options';
import { checkConnectionString, storageSecret } from './serve';
import { validateRedactionFormat } from '../engine';

async function remoteClient(p: Parsed) {
	const endpoint = one(p, '--endpoint');
	if (!endpoint) throw new UsageError('--endpoint URL is required');
	const { DeidClient, DEID_SCOPE } = await import('../remote/azure/deidClient');
	const tokenFile = one(p, '--token-file');
	let token: () => Promise<string | undefined>;
	if (tokenFile) {
		const t = readSecretFile(tokenFile, '--token-file');
		token = async () => t;
	} else {
		const { DefaultAzureCredential } = await import('@azure/identity');
		const cred = new DefaultAzureCredential();
		token = async () => (await cred.getToken(DEID_SCOPE))?.token;
	}
	return new DeidClient({ endpoint, token });
}

export async function cmdJob(p: Parsed): Promise<number> {
	const [sub, arg] = p.positional;
	const { DeidApiError, describeRemoteError } = await import('../remote/azure/deidClient');
	try {
		const client = await remoteClient(p);
		if (sub === 'list') {
			for await (const j of client.listJobs({ maxpagesize: 50 })) {
				const s = j.summary;
				process.stdout.write(`${j.name}\t${j.status}\t${j.createdAt}${s ? `\t${s.successful}/${s.total} succeeded, ${s.failed} failed` : ''}\n`);
			}
			return 0;
		}
		if (sub === 'status' || sub === 'cancel' || sub === 'delete') {
			if (!arg) throw new UsageError(`job ${sub} needs a job name`);
			if (sub === 'delete') {
				await client.deleteJob(arg);
				process.stdout.write(`deleted job ${arg} (blobs are not deleted)\n`);
				return 0;
			}
			const j = sub === 'cancel' ? await client.cancelJob(arg) : await client.getJob(arg);
			process.stdout.write(JSON.stringify(j, null, 2) + '\n');
			return 0;
		}
		if (sub === 'submit') {
			if (!arg) throw new UsageError('job submit needs <folder>');
			const out = one(p, '--out');
			const containerUrl = one(p, '--container-url');
			if (!out || !containerUrl) throw new UsageError('job submit needs --out DIR and --container-url URL');
			const operation = (one(p, '--operation') ?? 'redact').toLowerCase();
			if (!['redact', 'surrogate'].includes(operation)) throw new UsageError('--operation must be redact or surrogate');
			const redactionFormat = one(p, '--redaction-format');
			if (redactionFormat) {
				const err = validateRedactionFormat(redactionFormat);
				if (err) throw new UsageError(err);
			}
			const storageConnection = storageSecret(p, 'connection-string');
			if (storageConnection) checkConnectionString(storageConnection);
			const storageSas = storageSecret(p, 'sas');
			const { submitFolder, preflight } = await import('../remote/azure/submit');
			const pre = await preflight(arg);
			process.stderr.write(
				`deid: submitting ${pre.files.length} documents (${(pre.bytes / 1048576).toFixed(2)} MB) to ${new URL(one(p, '--endpoint')!).host}; ${pre.skipped.length} skipped. The documents leave this machine.\n`,
			);
			const report = await submitFolder({
				folder: arg,
				out,
				client,
				preflight: pre,
				storage: { containerUrl, connectionString: storageConnection, sas: storageSas },
				operation: operation === 'redact' ? 'Redact' : 'Surrogate',
				redactionFormat,
				deleteInputs: !p.flags.has('--keep-inputs'),
				onJobCreated: (n) => process.stderr.write(`deid: job ${n} created\n`),
			});
			process.stdout.write(
				`Job ${report.jobName}: ${report.status}; ${report.downloaded.length} documents downloaded to ${out}, ${report.failed.length} failed, ${report.skipped.length} skipped\n`,
			);
			for (const f of report.failed) process.stdout.write(`  failed: ${f.rel}: ${f.code}\n`);
			for (const s of report.skipped) process.stdout.write(`  skipped: ${s.rel}: ${s.reason}\n`);
			return report.status === 'Succeeded' && report.failed.length === 0 ? 0 : 1;
		}
		throw new UsageError('job needs submit, list, status, cancel or delete');
	} catch (e) {
		if (e instanceof DeidApiError) {
			process.stderr.write(`deid: the service answered ${e.status} ${e.code}: ${e.message}\n`);
			return 1;
		}
		if (e instanceof UsageError) throw e;
		process.stderr.write(`deid: ${describeRemoteError(e)}\n`);
		return 1;
	}
}
