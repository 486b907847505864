import { CodeAction, CodeActionKind, type Diagnostic, type Disposable, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isEntityType } from '../engine';
import { Commands, DIAGNOSTIC_SOURCE, type AllowListScope, type PhiDiagnosticData } from '../protocol';
import type { ServerContext } from '../state';
import { editsForDocument, replacementText, valueAt } from '../services/edits';
import { applyToLine } from '../services/fhir';

/** The edit of a quick fix; the server remembers it, so the text it writes is shown as de-identified once applied. */
function versioned(ctx: ServerContext, doc: TextDocument, edits: TextEdit[]): WorkspaceEdit {
	ctx.written.offer(doc, edits);
	return { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits }] };
}

function isPhi(d: Diagnostic): d is Diagnostic & { data: PhiDiagnosticData } {
	const data = d.data as PhiDiagnosticData | undefined;
	return d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'string' && d.code.startsWith('phi.') && !!data && isEntityType(data.type);
}

const SCOPE_TITLE: Record<AllowListScope, string> = { folder: 'this folder', workspace: 'this workspace', user: 'user settings' };

/** Quick fixes for `phi.*` diagnostics, and "Mark selection as PHI…" on a selection. */
export function registerCodeActions(ctx: ServerContext): Disposable {
	return ctx.connection.onCodeAction(async (params) => {
		const doc = ctx.documents.get(params.textDocument.uri);
		if (!doc) return [];
		try {
			const settings = await ctx.settings.get(doc.uri);
			const actions: CodeAction[] = [];
			const seenTypes = new Set<string>();
			const fhirLines = new Set<number>();
			for (const d of params.context.diagnostics) {
				if (!isPhi(d) || d.data.version !== doc.version) continue;
				const { type, json } = d.data;
				const tag = replacementText(ctx, doc, d.range, type, json, 'redact', settings.redactionFormat);
				const redact = CodeAction.create(`Redact as ${tag}`, versioned(ctx, doc, [{ range: d.range, newText: tag }]), CodeActionKind.QuickFix);
				redact.diagnostics = [d];
				redact.isPreferred = true;
				actions.push(redact);
				const mask = CodeAction.create(
					'Mask with same-length ***',
					versioned(ctx, doc, [
						{ range: d.range, newText: replacementText(ctx, doc, d.range, type, json, 'mask', settings.redactionFormat) },
					]),
					CodeActionKind.QuickFix,
				);
				mask.diagnostics = [d];
				actions.push(mask);
				const sur = CodeAction.create(
					`Replace with a surrogate ${type.toLowerCase()}`,
					versioned(ctx, doc, [
						{
							range: d.range,
							newText: replacementText(ctx, doc, d.range, type, json, 'surrogate', settings.redactionFormat, settings.surrogateLocale),
						},
					]),
					CodeActionKind.QuickFix,
				);
				sur.diagnostics = [d];
				actions.push(sur);
				if (!seenTypes.has(type)) {
					seenTypes.add(type);
					const all = editsForDocument(ctx, doc, 'redact', settings.redactionFormat, new Set([type]));
					if (all.length > 1) {
						actions.push(
							CodeAction.create(
								`Redact all ${all.length} ${type} findings in this file`,
								versioned(ctx, doc, all),
								CodeActionKind.QuickFix,
							),
						);
					}
				}
				if (d.data.detector.startsWith('fhir:') && !fhirLines.has(d.range.start.line)) {
					fhirLines.add(d.range.start.line);
					const full = doc.getText();
					const from = doc.offsetAt({ line: d.range.start.line, character: 0 });
					const nl = full.indexOf('\n', from);
					const to = nl < 0 ? full.length : full[nl - 1] === '\r' ? nl - 1 : nl;
					const applied = applyToLine(ctx, doc.uri, full.slice(from, to), settings);
					if (applied !== undefined) {
						const range = { start: doc.positionAt(from), end: doc.positionAt(to) };
						const a = CodeAction.create(
							'Apply FHIR configuration to this line',
							versioned(ctx, doc, [{ range, newText: applied }]),
							CodeActionKind.QuickFix,
						);
						a.diagnostics = [d];
						actions.push(a);
					}
				}
				const value = valueAt(doc, d.range, json);
				for (const scope of ['folder', 'workspace', 'user'] as AllowListScope[]) {
					actions.push(
						CodeAction.create(
							`Mark as not PHI (${SCOPE_TITLE[scope]})`,
							{ title: 'Mark as not PHI', command: Commands.addToAllowList, arguments: [value, scope, doc.uri] },
							CodeActionKind.QuickFix,
						),
					);
				}
			}
			const r = params.range;
			const hasSelection = r.start.line !== r.end.line || r.start.character !== r.end.character;
			if (hasSelection) {
				actions.push(
					CodeAction.create(
						'Mark selection as PHI…',
						{ title: 'Mark selection as PHI…', command: Commands.markSelectionAsPhi, arguments: [doc.uri, r] },
						CodeActionKind.QuickFix,
					),
				);
			}
			return actions;
		} catch (err) {
			ctx.connection.console.error(`code actions failed (${(err as Error).name})`);
			return [];
		}
	});
}
