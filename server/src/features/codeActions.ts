import { CodeAction, CodeActionKind, type Diagnostic, type Disposable, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isEntityType } from '../engine';
import { Commands, DIAGNOSTIC_SOURCE, type AllowListScope, type PhiDiagnosticData } from '../protocol';
import type { ServerContext } from '../state';
import { editsForDocument, replacementText, valueAt, type FixKind } from '../services/edits';
import type { DeidSettings } from '../settings';
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
				const { type } = d.data;
				actions.push(...replaceActions(ctx, doc, d, settings));
				if (!seenTypes.has(type)) {
					seenTypes.add(type);
					const all = editsForDocument(ctx, doc, 'redact', settings.redactionFormat, new Set([type]));
					if (all.length > 1) {
						const title = `Redact all ${all.length} ${type} findings in this file`;
						actions.push(CodeAction.create(title, versioned(ctx, doc, all), CodeActionKind.QuickFix));
					}
				}
				if (d.data.detector.startsWith('fhir:') && !fhirLines.has(d.range.start.line)) {
					fhirLines.add(d.range.start.line);
					const fhir = fhirLineAction(ctx, doc, d, settings);
					if (fhir) actions.push(fhir);
				}
				actions.push(...allowActions(valueAt(doc, d.range, d.data.json), doc.uri));
			}
			const r = params.range;
			const hasSelection = r.start.line !== r.end.line || r.start.character !== r.end.character;
			if (hasSelection) {
				const title = 'Mark selection as PHI…';
				actions.push(CodeAction.create(title, { title, command: Commands.markSelectionAsPhi, arguments: [doc.uri, r] }, CodeActionKind.QuickFix));
			}
			return actions;
		} catch (err) {
			ctx.connection.console.error(`code actions failed (${(err as Error).name})`);
			return [];
		}
	});
}

type PhiDiagnostic = Diagnostic & { data: PhiDiagnosticData };

/** Redact (preferred), mask and surrogate fixes for one finding. */
function replaceActions(ctx: ServerContext, doc: TextDocument, d: PhiDiagnostic, settings: DeidSettings): CodeAction[] {
	const { type, json } = d.data;
	const fix = (title: (newText: string) => string, kind: FixKind, locale?: string): CodeAction => {
		const newText = replacementText(ctx, doc, d.range, type, json, kind, settings.redactionFormat, locale);
		const action = CodeAction.create(title(newText), versioned(ctx, doc, [{ range: d.range, newText }]), CodeActionKind.QuickFix);
		action.diagnostics = [d];
		return action;
	};
	const redact = fix((tag) => `Redact as ${tag}`, 'redact');
	redact.isPreferred = true;
	const mask = fix(() => 'Mask with same-length ***', 'mask');
	return [redact, mask, fix(() => `Replace with a surrogate ${type.toLowerCase()}`, 'surrogate', settings.surrogateLocale)];
}

/** "Apply FHIR configuration to this line", for a finding of the FHIR configuration on an NDJSON line. */
function fhirLineAction(ctx: ServerContext, doc: TextDocument, d: PhiDiagnostic, settings: DeidSettings): CodeAction | undefined {
	const full = doc.getText();
	const from = doc.offsetAt({ line: d.range.start.line, character: 0 });
	const nl = full.indexOf('\n', from);
	const to = nl < 0 ? full.length : full[nl - 1] === '\r' ? nl - 1 : nl;
	const applied = applyToLine(ctx, doc.uri, full.slice(from, to), settings);
	if (applied === undefined) return undefined;
	const range = { start: doc.positionAt(from), end: doc.positionAt(to) };
	const action = CodeAction.create('Apply FHIR configuration to this line', versioned(ctx, doc, [{ range, newText: applied }]), CodeActionKind.QuickFix);
	action.diagnostics = [d];
	return action;
}

/** "Mark as not PHI" in each allow-list scope. */
function allowActions(value: string, uri: string): CodeAction[] {
	return (['folder', 'workspace', 'user'] as AllowListScope[]).map((scope) =>
		CodeAction.create(
			`Mark as not PHI (${SCOPE_TITLE[scope]})`,
			{ title: 'Mark as not PHI', command: Commands.addToAllowList, arguments: [value, scope, uri] },
			CodeActionKind.QuickFix,
		),
	);
}
