import type { Disposable } from 'vscode-languageserver';
import { isEntityType, type EntityType } from '../engine';
import { DocumentEditRequest } from '../protocol';
import type { ServerContext } from '../state';
import { validate } from './diagnostics';
import { editsForDocument } from '../services/edits';

/** `deid/documentEdit`: one versioned edit that redacts (or surrogates) every finding of a document. */
export function registerDocumentEdit(ctx: ServerContext): Disposable {
	return ctx.connection.onRequest(DocumentEditRequest, async (params) => {
		const doc = ctx.documents.get(params.uri);
		if (!doc) return null;
		// the complete findings of this version: a scan that a newer one replaced ends early, so join the newer one
		for (let i = 0; i < 3; i++) {
			const entry = ctx.scans.get(doc.uri);
			if (entry && entry.version === doc.version && !entry.partial) break;
			await validate(ctx, doc.uri);
		}
		const settings = await ctx.settings.get(doc.uri);
		const types = params.types ? new Set<EntityType>(params.types.filter(isEntityType)) : undefined;
		const kind = params.operation === 'surrogate' ? 'surrogate' : 'redact';
		const edits = editsForDocument(ctx, doc, kind, settings.redactionFormat, types, settings.surrogateLocale);
		ctx.written.offer(doc, edits);
		return { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits }] };
	});
}
