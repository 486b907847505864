// Batch jobs of `deid serve`, one at a time: list the source blobs, de-identify each document in the worker pool,
// write its output, and keep the job's state so that a restart resumes where it stopped.
import { randomUUID } from 'node:crypto';
import { ContainerClient, RestError, type StorageSharedKeyCredential } from '@azure/storage-blob';
import type { Operation } from '../../engine';
import type { TextRunner } from '../../jobs/pool';
import { MAX_DOCUMENT_BYTES, MAX_DOCUMENTS, TERMINAL, type DeidOperation, type DocumentDetails } from '../azure/deidClient';
import { blobNameProblem, containerUrl, prefixProblem } from '../guards';
import type { TextOutcome } from '../textTask';
import { HttpError } from './http';
import type { JobStore, StoredJob } from './store';

export const OPERATIONS: Record<DeidOperation, Operation> = { Redact: 'redact', Surrogate: 'surrogate', Tag: 'tag' };

/** A document's failure from the worker pool, as the API reports it. */
export function outcomeError(o: Exclude<TextOutcome, { ok: true }>): HttpError {
	if (o.code === 'timeout') return new HttpError(422, 'DocumentProcessingTimeout', `${o.reason[0].toUpperCase()}${o.reason.slice(1)}.`);
	if (o.code === 'memory') return new HttpError(422, 'DocumentTooComplex', 'The document needs more memory than the server allows per document.');
	if (o.code === 'closed') return new HttpError(503, 'ServiceUnavailable', 'The server is shutting down.');
	return new HttpError(500, 'InternalServerError', 'The document could not be processed.');
}

/** The API's error for a document that failed (a storage status or our own HttpError; never content). */
function documentError(e: unknown, phase: 'read' | 'write'): NonNullable<DocumentDetails['error']> {
	if (e instanceof HttpError) return { code: e.code, message: e.message };
	if (e instanceof RestError && e.statusCode === 409) return { code: 'BlobAlreadyExists', message: 'The output already exists and overwrite is false.' };
	if (e instanceof RestError && e.statusCode === 404 && phase === 'write')
		return { code: 'ContainerNotFound', message: 'The target container was not found.' };
	if (e instanceof RestError && e.statusCode === 404) return { code: 'FileNotFound', message: 'The input document was not found.' };
	if (e instanceof RestError && e.statusCode === 403)
		return { code: 'AuthorizationFailed', message: `The ${phase === 'write' ? 'target' : 'source'} location refused access (403).` };
	return { code: 'InternalServerError', message: 'The document could not be processed.' };
}

const matches = (name: string, extensions: string[]) =>
	extensions.some((e) => e === '*' || name.toLowerCase().endsWith('.' + e.replace(/^\./, '').toLowerCase()));

export interface RunnerContext {
	store: JobStore;
	pool: TextRunner;
	credential: StorageSharedKeyCredential;
	/** The storage account's blob endpoint: jobs may name only it. */
	endpoint: URL;
	allowedContainers?: string[];
	log: (line: string) => void;
	closing: () => boolean;
}

export class JobRunner {
	private readonly queue: string[] = [];
	private working = false;

	constructor(private readonly ctx: RunnerContext) {}

	get busy(): boolean {
		return this.working;
	}

	enqueue(name: string): void {
		this.queue.push(name);
		void this.pump();
	}

	private async pump(): Promise<void> {
		if (this.working) return;
		this.working = true;
		try {
			while (this.queue.length && !this.ctx.closing()) {
				const s = this.ctx.store.jobs.get(this.queue.shift()!);
				if (s && !TERMINAL.has(s.job.status))
					await this.run(s).catch((e) => this.ctx.store.fail(s, 'InternalServerError', `processing failed (${(e as Error).name})`));
			}
		} finally {
			this.working = false;
		}
	}

	/** A client for a job location, only on the configured account (a job from an older state is checked too). */
	private container(location: string, what: string): ContainerClient {
		const c = containerUrl(location, this.ctx.endpoint, this.ctx.allowedContainers);
		if ('problem' in c) throw new HttpError(400, 'InvalidRequestBody', `${what} ${c.problem}.`, what);
		return new ContainerClient(c.url, this.ctx.credential);
	}

	private locations(s: StoredJob): { src: ContainerClient; dst: ContainerClient } {
		const job = s.job;
		const src = this.container(job.sourceLocation.location, 'sourceLocation.location');
		const dst = this.container(job.targetLocation.location, 'targetLocation.location');
		for (const [what, prefix] of [['sourceLocation.prefix', job.sourceLocation.prefix], ['targetLocation.prefix', job.targetLocation.prefix]]) {
			const problem = prefixProblem(prefix);
			if (problem) throw new HttpError(400, 'InvalidRequestBody', `${what} ${problem}.`);
		}
		return { src, dst };
	}

	/** The job's documents from the source listing, once; a failure message when the job cannot run. */
	private async listDocuments(s: StoredJob, src: ContainerClient): Promise<string | undefined> {
		const job = s.job;
		const extensions = job.sourceLocation.extensions?.length ? job.sourceLocation.extensions : ['*'];
		try {
			for await (const b of src.listBlobsFlat({ prefix: job.sourceLocation.prefix })) {
				if (!matches(b.name, extensions)) continue;
				if (s.documents.length >= MAX_DOCUMENTS) return `The job exceeds ${MAX_DOCUMENTS} documents.`;
				// A listed name with .. segments would reach outside the container: the document fails, unread.
				const location = blobNameProblem(b.name) ? `${src.url}/${encodeURIComponent(b.name)}` : src.getBlobClient(b.name).url;
				s.documents.push({ id: randomUUID(), input: { location, etag: b.properties.etag ?? '' }, status: 'NotStarted' });
				s.blobNames.push(b.name);
			}
		} catch (e) {
			return `The source location cannot be read (${e instanceof RestError ? e.statusCode : 'error'}).`;
		}
		return s.documents.length ? undefined : 'No files found in source container with given parameters.';
	}

	private summarize(s: StoredJob): void {
		const count = (status: string) => s.documents.filter((d) => d.status === status).length;
		s.job.summary = {
			successful: count('Succeeded'),
			failed: count('Failed'),
			canceled: count('Canceled'),
			total: s.documents.length,
			bytesProcessed: s.job.summary?.bytesProcessed ?? 0,
		};
	}

	private async run(s: StoredJob): Promise<void> {
		const { store } = this.ctx;
		const job = s.job;
		let containers: { src: ContainerClient; dst: ContainerClient };
		try {
			containers = this.locations(s);
		} catch (e) {
			return store.fail(s, 'JobValidationError', (e as Error).message);
		}
		if (s.documents.length === 0) {
			const problem = await this.listDocuments(s, containers.src);
			if (problem) return store.fail(s, 'JobValidationError', problem);
		}
		job.status = 'Running';
		job.startedAt ??= new Date().toISOString();
		this.summarize(s);
		store.touch(s);
		const key = store.keyOf(s);
		for (let k = 0; k < s.documents.length; k++) {
			const d = s.documents[k];
			if (d.status !== 'NotStarted' && d.status !== 'Running') continue;
			if (s.cancelRequested || this.ctx.closing()) break;
			await this.processDocument(s, k, containers, key);
			this.summarize(s);
			store.touch(s);
		}
		if (this.ctx.closing() && !s.cancelRequested) return; // resumes after restart
		if (s.cancelRequested) for (const d of s.documents) if (d.status === 'NotStarted' || d.status === 'Running') d.status = 'Canceled';
		this.summarize(s);
		job.status = s.cancelRequested ? 'Canceled' : job.summary!.successful === 0 && job.summary!.failed > 0 ? 'Failed' : 'Succeeded';
		if (job.status === 'Failed') job.error = { code: 'JobFailed', message: 'Every document failed.' };
		store.touch(s);
		this.ctx.log(`job ${job.name}: ${job.status} (${job.summary!.successful} succeeded, ${job.summary!.failed} failed, ${job.summary!.canceled} canceled)`);
	}

	/** Reads, de-identifies and writes document k; its status and error say how it went. */
	private async processDocument(s: StoredJob, k: number, { src, dst }: { src: ContainerClient; dst: ContainerClient }, key: Uint8Array): Promise<void> {
		const job = s.job;
		const d = s.documents[k];
		const blobName = s.blobNames[k];
		const outName = job.targetLocation.prefix + blobName.slice(job.sourceLocation.prefix.length);
		const operation = OPERATIONS[job.operation ?? 'Surrogate'];
		let phase: 'read' | 'write' = 'read';
		try {
			if (blobNameProblem(blobName) || blobNameProblem(outName))
				throw new HttpError(
					400,
					'InvalidBlobName',
					"The document's name, or the output name made from it, has an empty, . or .. segment, a backslash or a control character.",
				);
			const buf = await readDocument(src, blobName);
			const res = await this.ctx.pool.run({
				text: decodeUtf8(buf),
				operation,
				redactionFormat: job.customizations?.redactionFormat ?? '[{type}]',
				key,
				datePatient: job.name,
				locale: job.customizations?.surrogateLocale,
				entities: operation === 'tag',
			});
			if (!res.ok) throw outcomeError(res);
			const out = operation === 'tag' ? JSON.stringify({ entities: res.entities }) : res.output;
			phase = 'write';
			d.output = { location: dst.getBlockBlobClient(outName).url, etag: await writeOutput(s, dst, outName, out, operation === 'tag') };
			d.status = 'Succeeded';
			job.summary!.bytesProcessed += buf.length;
		} catch (e) {
			d.status = 'Failed';
			d.error = documentError(e, phase);
		}
	}
}

async function readDocument(src: ContainerClient, blobName: string): Promise<Buffer> {
	const blob = src.getBlobClient(blobName);
	const props = await blob.getProperties();
	if ((props.contentLength ?? 0) > MAX_DOCUMENT_BYTES) throw new HttpError(400, 'DocumentTooLarge', `The document exceeds ${MAX_DOCUMENT_BYTES} bytes.`);
	return blob.downloadToBuffer();
}

function decodeUtf8(buf: Buffer): string {
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(buf);
	} catch {
		throw new HttpError(400, 'InvalidDocumentEncoding', 'The document is not valid UTF-8 text.');
	}
}

/** Uploads an output and returns its etag; an output this job wrote before a crash is its own, not a conflict. */
async function writeOutput(s: StoredJob, dst: ContainerClient, outName: string, out: string, json: boolean): Promise<string> {
	const target = dst.getBlockBlobClient(outName);
	try {
		const up = await target.upload(out, Buffer.byteLength(out), {
			blobHTTPHeaders: { blobContentType: json ? 'application/json' : 'text/plain; charset=utf-8' },
			metadata: { deidjob: s.id },
			conditions: s.job.targetLocation.overwrite ? undefined : { ifNoneMatch: '*' },
		});
		return up.etag ?? '';
	} catch (e) {
		if (!(e instanceof RestError && e.statusCode === 409)) throw e;
		const existing = await target.getProperties();
		if (existing.metadata?.deidjob !== s.id) throw e;
		return existing.etag ?? '';
	}
}
