import { MarkupKind, type Disposable } from 'vscode-languageserver';
import { SAFE_HARBOR } from '../engine';
import type { ServerContext } from '../state';

const DETECTORS: Record<string, string> = {
	'name-title': 'a name after a title (Dr., Mr., Mrs.)',
	'name-credential': 'a name before a credential (RN, MD, NP)',
	'name-relation': 'a name after a relation word (wife, son, daughter)',
	'name-context': 'a name after a role or contact verb',
	'name-full': 'a known first name followed by a surname',
	'name-dict': 'a name in the census name lists that is not an ordinary word here',
	'name-chain': 'a name-like word next to another name',
	'deny-list': 'your deny list (marked as PHI)',
	'field-name': 'the JSON field it is the value of',
	gazetteer: 'a place in the gazetteer',
	facility: 'a hospital or facility name',
	'place-context': 'an unknown word after a movement verb (transferred to, arrived from)',
};

/** Hover on a finding: its type, confidence, detector and Safe Harbor identifier. */
export function registerHover(ctx: ServerContext): Disposable {
	return ctx.connection.onHover((params) => {
		const doc = ctx.documents.get(params.textDocument.uri);
		const entry = doc && ctx.scans.get(doc.uri);
		if (!doc || !entry || entry.version !== doc.version) return null;
		const offset = doc.offsetAt(params.position);
		const f = entry.findings.find((x) => x.start <= offset && offset < x.end);
		if (!f) return null;
		const why = DETECTORS[f.detector] ?? f.detector;
		return {
			contents: {
				kind: MarkupKind.Markdown,
				value: [
					`**PHI: ${f.type}** — confidence ${Math.round(f.confidence * 100)}%`,
					'',
					`Detector: \`${f.detector}\` — ${why}.`,
					'',
					`HIPAA Safe Harbor: ${SAFE_HARBOR[f.type]}.`,
				].join('\n'),
			},
			range: { start: doc.positionAt(f.start), end: doc.positionAt(f.end) },
		};
	});
}
