// `deid/verifyOutput`: verify a folder job's output (jobs/verify.ts) in the server, with cancellable work-done
// progress. The result holds suspects by file URI, type and range, never text, so a findings view can show them.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Disposable } from 'vscode-languageserver';
import { NotAnOutputError, verifyOutputFolder } from '../jobs/verify';
import { VerifyOutputRequest, type VerifyOutputResult } from '../protocol';
import { detectOptionsFrom } from '../settings';
import type { ServerContext } from '../state';

export function registerVerifyOutput(ctx: ServerContext): Disposable {
	return ctx.connection.onRequest(VerifyOutputRequest, async (params, token): Promise<VerifyOutputResult> => {
		const workDone = params.workDoneToken !== undefined ? ctx.connection.window.attachWorkDoneProgress(params.workDoneToken) : undefined;
		const controller = new AbortController();
		const sub = token.onCancellationRequested(() => controller.abort());
		workDone?.begin('Verifying output', 0, 'Reading the manifest…', true);
		try {
			const settings = await ctx.settings.get(params.scopeUri ?? pathToFileURL(params.output).toString());
			const r = await verifyOutputFolder({
				output: params.output,
				detect: detectOptionsFrom(settings),
				dicts: ctx.dicts(),
				key: ctx.key,
				signal: controller.signal,
				onProgress: (done, total) => workDone?.report(total ? Math.round((done / total) * 100) : 0, `${done}/${total} files`),
			});
			return {
				files: r.files,
				suspects: r.suspects,
				cancelled: r.cancelled,
				byFile: r.byFile.map((f) => ({
					uri: pathToFileURL(join(params.output, f.path)).toString(),
					suspects: f.suspects.map((s) => ({
						range: { start: { line: s.line, character: s.character }, end: { line: s.endLine, character: s.endCharacter } },
						type: s.type,
						confidence: s.confidence,
						reason: s.reason,
					})),
				})),
			};
		} catch (err) {
			const error = err instanceof NotAnOutputError ? err.message : `The verify pass failed (${(err as Error).name}).`;
			return { files: 0, suspects: 0, byFile: [], cancelled: false, error };
		} finally {
			sub.dispose();
			workDone?.done();
		}
	});
}
