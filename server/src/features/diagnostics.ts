import { Diagnostic, DiagnosticSeverity, DiagnosticTag, type Disposable } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { detectInName, scanDocument, type DetectOptions, type DocumentFormat, type EntityType, type Finding } from '../engine';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fhirFindings } from './fhir';
import { outputOf, unchangedOutput, type OutputKind } from './outputs';
import { formatConfidence } from './hover';
import type { Span } from './written';
import { CODE_DEIDENTIFIED, CODE_FILE_NAME, CODE_MALFORMED_LINE, CODE_OUTPUT, CODE_TOO_LARGE, DIAGNOSTIC_SOURCE, diagnosticCode, StatusNotification, type PhiDiagnosticData } from '../protocol';
import { detectOptionsFrom, type DeidSettings, type SeverityName } from '../settings';
import { formatOf, type ScanEntry, type ServerContext } from '../state';

const SEVERITY: Record<Exclude<SeverityName, 'off'>, DiagnosticSeverity> = {
	error: DiagnosticSeverity.Error,
	warning: DiagnosticSeverity.Warning,
	information: DiagnosticSeverity.Information,
	hint: DiagnosticSeverity.Hint,
};

const DEBOUNCE_MS = 150;

/** Validates open documents (on open, on type or on save, on settings change) and publishes `phi.*` diagnostics. */
export function registerDiagnostics(ctx: ServerContext): Disposable & { revalidateAll(): void } {
	const { connection, documents } = ctx;
	const timers = new Map<string, NodeJS.Timeout>();

	const schedule = (doc: TextDocument, delay: number) => {
		const t = timers.get(doc.uri);
		if (t) clearTimeout(t);
		timers.set(
			doc.uri,
			setTimeout(() => {
				timers.delete(doc.uri);
				void validate(ctx, doc.uri);
			}, delay),
		);
	};

	const subs = [
		documents.onDidOpen((e) => schedule(e.document, 0)),
		documents.onDidChangeContent(async (e) => {
			const s = await ctx.settings.get(e.document.uri);
			if (s.run === 'onType') schedule(e.document, DEBOUNCE_MS);
		}),
		documents.onDidSave(async (e) => {
			const s = await ctx.settings.get(e.document.uri);
			if (s.run === 'onSave') schedule(e.document, 0);
		}),
		documents.onDidClose((e) => {
			const t = timers.get(e.document.uri);
			if (t) clearTimeout(t);
			timers.delete(e.document.uri);
			ctx.scans.delete(e.document.uri);
			ctx.written.closed(e.document.uri);
			ctx.settings.forget(e.document.uri);
			void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
		}),
	];
	return {
		dispose: () => subs.forEach((d) => d.dispose()),
		revalidateAll: () => documents.all().forEach((d) => schedule(d, 0)),
	};
}

/** Scan one document now and publish its diagnostics and status. */
export async function validate(ctx: ServerContext, uri: string): Promise<void> {
	const doc = ctx.documents.get(uri);
	if (!doc) return;
	const settings = await ctx.settings.get(uri);
	const current = ctx.documents.get(uri);
	if (!current || current.version !== doc.version) return; // a newer version will be validated
	const started = Date.now();
	const format = formatOf(doc);
	if (!settings.enable) {
		ctx.scans.delete(uri);
		await ctx.connection.sendDiagnostics({ uri, version: doc.version, diagnostics: [] });
		await ctx.connection.sendNotification(StatusNotification, { uri, version: doc.version, total: 0, counts: {}, skipped: 'disabled', elapsedMs: 0 });
		return;
	}
	const text = doc.getText();
	if (text.length > settings.maxFileSizeKb * 1024) {
		ctx.scans.set(uri, { version: doc.version, format, findings: [], json: [], problems: [], tooLarge: true });
		const d = Diagnostic.create(
			{ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
			`This file is larger than deid.maxFileSizeKb (${settings.maxFileSizeKb} KB) and was not scanned in the editor. Use "De-identify Folder…" or the deid CLI for large files.`,
			DiagnosticSeverity.Information,
			CODE_TOO_LARGE,
			DIAGNOSTIC_SOURCE,
		);
		await ctx.connection.sendDiagnostics({ uri, version: doc.version, diagnostics: [d] });
		await ctx.connection.sendNotification(StatusNotification, { uri, version: doc.version, total: 0, counts: {}, skipped: 'tooLarge', elapsedMs: Date.now() - started });
		return;
	}
	let entry: ScanEntry;
	try {
		const res = scanDocument(text, format, ctx.dicts(), detectOptionsFrom(settings));
		const malformed = new Set(res.problems.map((p) => p.line));
		let findings = res.findings;
		if (format === 'ndjson') {
			// FHIR lines: the structured fields the configuration changes (they replace text findings on the same value).
			const fx = fhirFindings(ctx, uri, text, settings);
			if (fx.error) res.problems.push({ line: 0, start: 0, end: 0, message: fx.error });
			if (fx.findings.length) {
				// both lists are in document order: one sweep drops the text findings a structured one covers
				const fxs = [...fx.findings].sort((a, b) => a.start - b.start);
				let k = 0;
				const kept = res.findings.filter((f) => {
					while (k < fxs.length && fxs[k].end <= f.start) k++;
					return !(k < fxs.length && fxs[k].start < f.end);
				});
				findings = [...kept, ...fxs].sort((a, b) => a.start - b.start);
			}
		}
		findings = findings.filter((f) => !notPhi(text, f, format));
		const job = outputOf(uri);
		const output = job?.kind;
		const { reported, quiet } = splitQuiet(findings, ctx.written.get(uri), output, text, unchangedOutput(job, text));
		entry = {
			version: doc.version,
			format,
			findings: reported,
			// findings on malformed NDJSON lines (scanned as plain text) need no JSON escaping
			json: reported.map((f) => format === 'ndjson' && !malformed.has(doc.positionAt(f.start).line)),
			problems: res.problems,
			tooLarge: false,
			quiet,
			output,
			nameTypes: nameTypes(uri, ctx, detectOptionsFrom(settings)),
		};
	} catch (err) {
		// Never crash the server on a document; report the failure without content.
		ctx.connection.console.error(`scan failed for a document (${(err as Error).name})`);
		return;
	}
	ctx.scans.set(uri, entry);
	const diagnostics = toDiagnostics(doc, entry, settings);
	await ctx.connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
	const counts: Record<string, number> = {};
	for (const f of entry.findings) counts[f.type] = (counts[f.type] ?? 0) + 1;
	await ctx.connection.sendNotification(StatusNotification, {
		uri,
		version: doc.version,
		total: entry.findings.length,
		counts,
		elapsedMs: Date.now() - started,
		deidentified: entry.quiet?.length ?? 0,
		...(entry.output ? { output: entry.output } : {}),
	});
}

const nameCache = new Map<string, EntityType[] | undefined>();

/** Types of PHI in a file's own name (`Okafor-Margaret 555-0199.txt`), as the folder job detects them. */
function nameTypes(uri: string, ctx: ServerContext, options: DetectOptions): EntityType[] | undefined {
	if (!uri.startsWith('file:')) return undefined;
	let name: string;
	try {
		name = basename(fileURLToPath(uri));
	} catch {
		return undefined;
	}
	// the name does not change as the text does: detected once per name and options
	const key = `${name}\u0000${JSON.stringify(options)}`;
	if (!nameCache.has(key)) {
		if (nameCache.size > 1000) nameCache.clear();
		const types = [...new Set(detectInName(name, ctx.dicts(), options).map((f) => f.type))];
		nameCache.set(key, types.length ? types : undefined);
	}
	return nameCache.get(key);
}

/** JSON keys whose single-word lower-case values are codes (FHIR `telecom.system` "phone", `use`, `status` …). */
const CODE_KEY_BEFORE = /(?<!\\)"(?:system|use|status|resourceType|code)"[ \t]*:[ \t]*"$/;
/** Terminology systems: their URLs name code systems, never a person. */
const TERMINOLOGY_URL = /^(?:https?:\/\/)?(?:[a-z0-9-]+\.)*(?:hl7\.org|snomed\.info|loinc\.org)(?:[/:?#]|$)/i;

/** Findings that are never PHI: code values of JSON keys, terminology URLs. */
export function notPhi(text: string, f: Finding, format: DocumentFormat): boolean {
	const value = text.slice(f.start, f.end);
	if (f.type === 'Url' && TERMINOLOGY_URL.test(value.replace(/\\\//g, '/'))) return true;
	return format === 'ndjson' && /^[a-z]+$/.test(value) && text.charCodeAt(f.end) === 0x22 && CODE_KEY_BEFORE.test(text.slice(Math.max(0, f.start - 40), f.start));
}

/** Calibrated confidence from which a finding in de-identified output is taken for a leak. */
export const LEAK_CONFIDENCE = 0.9;

/** In a job's output or report: is this finding likely PHI the job left, rather than what it wrote? */
function isLeak(f: Finding, output: OutputKind): boolean {
	// a report is the tool's own text throughout (counts, settings, timestamps; never a value)
	if (output === 'report' || f.confidence < LEAK_CONFIDENCE) return false;
	// structured FHIR values the configuration hashes or shifts are its own output; a field it redacts is not
	if (f.detector.startsWith('fhir:') && f.detector !== 'fhir:redact') return false;
	return true;
}

/**
 * Findings to report, and the spans shown as de-identified: text this session's edits wrote (its findings are not
 * reported), and in a job's output every finding but likely leaks.
 */
export function splitQuiet(findings: Finding[], written: readonly Span[], output: OutputKind | undefined, text: string, unchanged = false): { reported: Finding[]; quiet: Span[] } {
	const reported: Finding[] = [];
	const quiet: Span[] = [...written];
	let w = 0;
	for (const f of findings) {
		// findings and spans are both in document order
		while (w < written.length && written[w].end <= f.start) w++;
		if (w < written.length && written[w].start <= f.start && f.end <= written[w].end) continue;
		if (output && (unchanged || !isLeak(f, output))) quiet.push({ start: f.start, end: f.end });
		else reported.push(f);
	}
	if (output) quiet.sort((a, b) => a.start - b.start);
	return { reported, quiet };
}

export function toDiagnostics(doc: TextDocument, entry: ScanEntry, settings: DeidSettings): Diagnostic[] {
	const out: Diagnostic[] = [];
	entry.findings.forEach((f, i) => {
		const sev = settings.severity[f.type];
		if (sev === 'off') return;
		const data: PhiDiagnosticData = { type: f.type, confidence: f.confidence, detector: f.detector, json: entry.json[i], version: entry.version };
		const d = Diagnostic.create(
			{ start: doc.positionAt(f.start), end: doc.positionAt(f.end) },
			`${entry.output ? 'Possible PHI left in de-identified output' : 'Possible PHI'}: ${f.type} (confidence ${formatConfidence(f.confidence)})`,
			SEVERITY[sev],
			diagnosticCode(f.type),
			DIAGNOSTIC_SOURCE,
		);
		d.data = data;
		out.push(d);
	});
	// quiet: a hint, its text faded, so what is done reads apart from what is not
	const done = entry.output ? 'de-identified output (written by vscode-deid)' : 'de-identified (written by vscode-deid)';
	for (const q of entry.quiet ?? []) {
		const d = Diagnostic.create({ start: doc.positionAt(q.start), end: doc.positionAt(q.end) }, done, DiagnosticSeverity.Hint, CODE_DEIDENTIFIED, DIAGNOSTIC_SOURCE);
		d.tags = [DiagnosticTag.Unnecessary];
		out.push(d);
	}
	if (entry.nameTypes?.length) {
		out.push(
			Diagnostic.create(
				{ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
				`The file's name holds possible PHI (${entry.nameTypes.join(', ')}). De-identify Folder… gives its output a de-identified name; rename the source if it is shared.`,
				DiagnosticSeverity.Information,
				CODE_FILE_NAME,
				DIAGNOSTIC_SOURCE,
			),
		);
	}
	if (entry.output) {
		const what = entry.output === 'report' ? 'Report of a vscode-deid folder job' : 'De-identified output of a vscode-deid folder job';
		const leaks = entry.findings.length;
		out.push(
			Diagnostic.create(
				{ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
				`${what}: ${entry.quiet?.length ?? 0} de-identified value(s) shown faded; ${leaks} possible leak(s) reported.`,
				DiagnosticSeverity.Hint,
				CODE_OUTPUT,
				DIAGNOSTIC_SOURCE,
			),
		);
	}
	for (const p of entry.problems) {
		out.push(
			Diagnostic.create({ start: doc.positionAt(p.start), end: doc.positionAt(p.end) }, p.message, DiagnosticSeverity.Information, CODE_MALFORMED_LINE, DIAGNOSTIC_SOURCE),
		);
	}
	return out;
}
