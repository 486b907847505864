import { MarkupKind, type Disposable } from 'vscode-languageserver';
import { SAFE_HARBOR, describeDetector } from '../engine';
import type { ServerContext } from '../state';
import { formatConfidence } from '../protocol';

/** Hover on a finding: its type, confidence, detector and Safe Harbor identifier. */
export function registerHover(ctx: ServerContext): Disposable {
	return ctx.connection.onHover((params) => {
		const doc = ctx.documents.get(params.textDocument.uri);
		const entry = doc && ctx.scans.get(doc.uri);
		if (!doc || !entry || entry.version !== doc.version) return null;
		const offset = doc.offsetAt(params.position);
		const f = entry.findings.find((x) => x.start <= offset && offset < x.end);
		if (!f) return null;
		return {
			contents: {
				kind: MarkupKind.Markdown,
				value: [
					`**PHI: ${f.type}** — confidence ${formatConfidence(f.confidence)}${f.confidence >= 0.5 ? ' (calibrated: about that share of such findings are PHI)' : ''}`,
					'',
					`Found as ${describeDetector(f.detector)} (detector \`${f.detector}\`).`,
					'',
					`HIPAA Safe Harbor: ${SAFE_HARBOR[f.type]}.`,
				].join('\n'),
			},
			range: { start: doc.positionAt(f.start), end: doc.positionAt(f.end) },
		};
	});
}
