import type { Disposable } from 'vscode-languageserver';
import { REPORT_JSON, JobError, OutputExistsError, parseDateShift, runFolderJob, type JobReport } from '../jobs/folderJob';
import { fhirConfigPath, readFhirConfig } from '../services/fhir';
import { randomKey } from '../node/hash';
import { DeidentifyFolderRequest, type DeidentifyFolderResult } from '../protocol';
import { detectOptionsFrom, type DeidSettings } from '../settings';
import type { ServerContext } from '../state';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { validatePolicy, type Policy, type ReviewDocument } from '../engine';

/** `deid/deidentifyFolder`: the folder job in the server process, with cancellable work-done progress. */
export function registerFolderJob(
	ctx: ServerContext,
	key: () => Uint8Array = randomKey,
	reviewFor?: (input: string) => { review?: { doc: ReviewDocument; root: string }; notice?: string },
): Disposable {
	return ctx.connection.onRequest(DeidentifyFolderRequest, async (params, token): Promise<DeidentifyFolderResult> => {
		const workDone = params.workDoneToken !== undefined ? ctx.connection.window.attachWorkDoneProgress(params.workDoneToken) : undefined;
		const started = Date.now();
		const controller = new AbortController();
		const sub = token.onCancellationRequested(() => controller.abort());
		workDone?.begin('De-identifying', 0, 'Listing files…', true);
		try {
			const policy = params.policyPath ? readPolicy(params.policyPath) : undefined;
			const settings = await ctx.settings.get(params.scopeUri ?? params.input);
			const fhirConfigText = fhirConfigFor(settings, params.input);
			const shift = parseDateShift(settings.dateShift.by, settings.dateShift.rangeDays, settings.dateShift.keepWeekday);
			if (shift.error) throw new JobError(`deid.dateShift: ${shift.error}.`);
			// the workspace's review decisions apply (a review the job cannot use is a notice, not a failure)
			const review = reviewFor?.(params.input);
			const report = await runFolderJob({
				review: review?.review,
				fhirConfigText,
				dateShift: shift.options,
				input: params.input,
				output: params.output,
				operation: params.operation,
				redactionFormat: params.redactionFormat ?? settings.redactionFormat,
				copyOther: params.copyOther,
				force: params.force,
				verify: settings.verifyAfterJob,
				detect: detectOptionsFrom(settings),
				dicts: ctx.dicts,
				key: key(),
				signal: controller.signal,
				policy,
				policyPath: params.policyPath,
				locale: settings.surrogateLocale,
				onProgress: (p) => {
					const secs = Math.max((Date.now() - started) / 1000, 0.001);
					const mbs = p.bytes / 1048576 / secs;
					workDone?.report(p.total ? Math.round((p.done / p.total) * 100) : 0, `${p.done}/${p.total} files, ${mbs.toFixed(1)} MB/s`);
				},
			});
			return folderJobResult(params.output, report, review?.notice);
		} catch (err) {
			const message = err instanceof JobError ? err.message : `The job failed (${(err as Error).name}).`;
			return {
				output: params.output,
				cancelled: false,
				files: 0,
				done: 0,
				skipped: 0,
				failed: 0,
				findings: 0,
				durationMs: Date.now() - started,
				failures: [],
				error: message,
				...(err instanceof OutputExistsError ? { errorCode: 'outputExists' as const } : {}),
			};
		} finally {
			sub.dispose();
			workDone?.done();
		}
	});
}

/** A policy file, validated; a clear message when it is unreadable or invalid. */
function readPolicy(path: string): Policy {
	let raw: unknown;
	try {
		raw = JSON.parse(readFileSync(path, 'utf8'));
	} catch (e) {
		throw new JobError(`The policy ${path} is ${e instanceof SyntaxError ? 'not valid JSON' : 'not readable'}.`);
	}
	const v = validatePolicy(raw);
	if (!v.policy) throw new JobError(`The policy ${path} is invalid: ${v.errors.join('; ')}`);
	return v.policy;
}

/** deid.fhir.config, when set: FHIR NDJSON lines and .json resources go through that configuration. */
function fhirConfigFor(settings: DeidSettings, input: string): string | undefined {
	const fhirPath = fhirConfigPath(settings, input);
	if (!fhirPath) return undefined;
	try {
		return readFhirConfig(fhirPath);
	} catch {
		throw new JobError(`deid.fhir.config (${settings.fhir.config}) is not readable.`);
	}
}

/** The request's answer from the job's report. */
function folderJobResult(output: string, report: JobReport, notice: string | undefined): DeidentifyFolderResult {
	let isDir: boolean;
	try {
		isDir = statSync(output).isDirectory();
	} catch {
		isDir = false;
	}
	return {
		output,
		cancelled: report.cancelled,
		files: report.totals.files,
		done: report.totals.done,
		skipped: report.totals.skipped,
		failed: report.totals.failed,
		findings: report.totals.findings,
		reportPath: isDir ? join(output, REPORT_JSON) : undefined,
		durationMs: report.durationMs,
		failures: report.files.filter((f) => f.status === 'failed').map((f) => ({ path: f.path, reason: f.reason ?? 'failed' })),
		notices: notice ? [...(report.notices ?? []), notice] : report.notices,
	};
}
