// Submit a folder as a remote batch job: pre-flight, upload to Blob Storage, create the job, poll, download the
// outputs into a mirrored folder, report per-document failures, delete the uploaded inputs. The language server
// (for the extension's command) and `deid job submit` run it. Never logs document content: paths, counts and
// error codes only.
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { DeidClient, MAX_DOCUMENT_BYTES, MAX_DOCUMENTS, newJobName, TERMINAL, type DeidentificationJob, type DeidOperation } from './deidClient';

export interface PreflightFile {
	rel: string;
	bytes: number;
}
export interface Preflight {
	files: PreflightFile[];
	bytes: number;
	skipped: { rel: string; reason: string }[];
	/** Set when the folder cannot be submitted as a whole (over 10,000 documents). */
	refusal?: string;
}

const TEXT_EXT = /\.(txt|text|md|note|log|csv|tsv)$/i;

/** What would be uploaded: UTF-8 text files ≤ 2 MB, ≤ 10,000 of them; everything else is listed with a reason. */
export async function preflight(folder: string, accept: (rel: string) => boolean = (r) => TEXT_EXT.test(r)): Promise<Preflight> {
	const out: Preflight = { files: [], bytes: 0, skipped: [] };
	const walk = async (dir: string) => {
		const entries = await readdir(dir, { withFileTypes: true });
		entries.sort((a, b) => a.name.localeCompare(b.name));
		for (const e of entries) {
			const p = join(dir, e.name);
			const rel = relative(folder, p).split(sep).join('/');
			if (e.isSymbolicLink()) out.skipped.push({ rel, reason: 'symbolic link (not followed)' });
			else if (e.isDirectory()) await walk(p);
			else if (!e.isFile()) out.skipped.push({ rel, reason: 'not a regular file' });
			else if (!accept(rel)) out.skipped.push({ rel, reason: 'not a plain-text document' });
			else {
				const size = (await stat(p)).size;
				if (size > MAX_DOCUMENT_BYTES) out.skipped.push({ rel, reason: 'larger than 2 MB (the service limit)' });
				else if (size === 0) out.skipped.push({ rel, reason: 'empty' });
				else {
					try {
						new TextDecoder('utf-8', { fatal: true }).decode(await readFile(p));
						out.files.push({ rel, bytes: size });
						out.bytes += size;
					} catch {
						out.skipped.push({ rel, reason: 'not valid UTF-8 text' });
					}
				}
			}
		}
	};
	await walk(folder);
	if (out.files.length > MAX_DOCUMENTS) out.refusal = `${out.files.length} documents: the service accepts at most ${MAX_DOCUMENTS} per job`;
	return out;
}

export interface StorageAccess {
	containerUrl: string;
	connectionString?: string;
	/** A SAS query string (`sv=…&sig=…`) for the container. */
	sas?: string;
	/** Entra ID credential for https://storage.azure.com/.default. */
	credential?: TokenCredential;
}

export function containerClient(s: StorageAccess): ContainerClient {
	const name = new URL(s.containerUrl).pathname.split('/').filter(Boolean).pop()!;
	if (s.connectionString) return BlobServiceClient.fromConnectionString(s.connectionString).getContainerClient(name);
	if (s.sas) return new ContainerClient(`${s.containerUrl}?${s.sas.replace(/^\?/, '')}`);
	if (s.credential) return new ContainerClient(s.containerUrl, s.credential);
	throw new Error('storage access needs a connection string, a SAS token or an Entra ID credential');
}

export interface SubmitOptions {
	folder: string;
	out: string;
	client: DeidClient;
	storage: StorageAccess;
	operation: DeidOperation;
	redactionFormat?: string;
	surrogateLocale?: string;
	/** Delete the uploaded inputs afterwards (default true: they are PHI). */
	deleteInputs?: boolean;
	concurrency?: number;
	jobName?: string;
	signal?: AbortSignal;
	onJobCreated?: (name: string) => void;
	onProgress?: (p: { phase: 'upload' | 'process' | 'download'; done: number; total: number }) => void;
	/** Poll interval floor (tests). */
	pollMinMs?: number;
	preflight?: Preflight;
}

export interface SubmitReport {
	jobName: string;
	status: DeidentificationJob['status'];
	summary?: DeidentificationJob['summary'];
	downloaded: string[];
	failed: { rel: string; code: string; message: string }[];
	skipped: Preflight['skipped'];
	outDir: string;
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
	let i = 0;
	await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
		while (i < items.length) await fn(items[i++]);
	}));
}

/** Whether `child` lies inside `parent` (or is it): a blob name never writes outside the chosen folder. */
export function isInside(child: string, parent: string): boolean {
	const rel = relative(parent, child);
	return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Download the outputs of a job's succeeded documents into `out`, mirroring their paths below the job's
 * `<job>/output/` prefix (temporary file, then rename); failed and canceled documents are listed.
 */
export async function downloadJobOutputs(
	client: DeidClient,
	container: ContainerClient,
	job: string,
	out: string,
	opts: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Pick<SubmitReport, 'downloaded' | 'failed'>> {
	const docs = [];
	for await (const d of client.listJobDocuments(job, { maxpagesize: 100 })) docs.push(d);
	const result: Pick<SubmitReport, 'downloaded' | 'failed'> = { downloaded: [], failed: [] };
	// the path below "<job>/<input|output>/"
	const below = (url: string) => {
		const parts = decodeURIComponent(new URL(url).pathname).split('/');
		return parts.slice(parts.indexOf(job) + 2).join('/');
	};
	let got = 0;
	await pool(docs, opts.concurrency ?? 6, async (d) => {
		if (d.status === 'Succeeded' && d.output) {
			const rel = below(d.output.location);
			const dest = resolve(out, ...rel.split('/'));
			if (rel && isInside(dest, resolve(out)) && dest !== resolve(out)) {
				await mkdir(dirname(dest), { recursive: true });
				const buf = await container.getBlobClient(`${job}/output/${rel}`).downloadToBuffer();
				const tmp = `${dest}.deid-tmp-${process.pid}`;
				await writeFile(tmp, buf);
				await rename(tmp, dest);
				result.downloaded.push(rel);
			}
		} else if (d.status === 'Failed' || d.status === 'Canceled')
			result.failed.push({ rel: below(d.input.location), code: d.error?.code ?? d.status, message: d.error?.message ?? d.status });
		opts.onProgress?.(++got, docs.length);
	});
	result.downloaded.sort();
	result.failed.sort((a, b) => a.rel.localeCompare(b.rel));
	return result;
}

export async function submitFolder(o: SubmitOptions): Promise<SubmitReport> {
	const pre = o.preflight ?? (await preflight(o.folder));
	if (pre.refusal) throw new Error(pre.refusal);
	if (pre.files.length === 0) throw new Error('no plain-text documents to submit');
	const container = containerClient(o.storage);
	const job = o.jobName ?? newJobName();
	const inPrefix = `${job}/input/`;
	const outPrefix = `${job}/output/`;
	let done = 0;
	await pool(pre.files, o.concurrency ?? 6, async (f) => {
		o.signal?.throwIfAborted();
		await container
			.getBlockBlobClient(inPrefix + f.rel)
			.uploadFile(join(o.folder, f.rel), { blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8' }, abortSignal: o.signal });
		o.onProgress?.({ phase: 'upload', done: ++done, total: pre.files.length });
	});
	const report: SubmitReport = { jobName: job, status: 'NotStarted', downloaded: [], failed: [], skipped: pre.skipped, outDir: o.out };
	try {
		await o.client.createJob(job, {
			operation: o.operation,
			sourceLocation: { location: o.storage.containerUrl, prefix: inPrefix, extensions: ['*'] },
			targetLocation: { location: o.storage.containerUrl, prefix: outPrefix, overwrite: false },
			customizations: {
				...(o.operation === 'Redact' && o.redactionFormat ? { redactionFormat: o.redactionFormat } : {}),
				...(o.surrogateLocale ? { surrogateLocale: o.surrogateLocale } : {}),
			},
		});
		o.onJobCreated?.(job);
		let final: DeidentificationJob;
		const onUpdate = (j: DeidentificationJob) => {
			const s = j.summary;
			if (s) o.onProgress?.({ phase: 'process', done: s.successful + s.failed + s.canceled, total: s.total });
		};
		try {
			final = await o.client.pollJob(job, { signal: o.signal, onUpdate, minMs: o.pollMinMs });
		} catch (e) {
			if (!o.signal?.aborted) throw e;
			// Cancelling the command cancels the job; outputs written so far are still downloaded.
			await o.client.cancelJob(job);
			final = await o.client.pollJob(job, { onUpdate, minMs: o.pollMinMs });
		}
		report.status = final.status;
		report.summary = final.summary;
		const got = await downloadJobOutputs(o.client, container, job, o.out, {
			concurrency: o.concurrency,
			onProgress: (done, total) => o.onProgress?.({ phase: 'download', done, total }),
		});
		report.downloaded = got.downloaded;
		report.failed = got.failed;
	} finally {
		if (o.deleteInputs !== false) {
			const names: string[] = [];
			for await (const b of container.listBlobsFlat({ prefix: inPrefix })) names.push(b.name);
			await pool(names, 8, async (n) => void (await container.deleteBlob(n).catch(() => undefined)));
		}
	}
	if (!TERMINAL.has(report.status)) report.status = 'Failed';
	return report;
}

