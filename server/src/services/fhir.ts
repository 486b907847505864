// FHIR NDJSON in the editor: the structured fields the active FHIR configuration would redact, hash, shift or
// otherwise change become findings (detector `fhir:<method>`), and a quick fix applies the configuration to a line.
import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanJson, splitLines, type EntityType, type Finding } from '../engine';
import { FhirAnonymizer, loadConfigOrDefault, parseJson, scrubTextProcessor, stringify, type FhirChange } from '../engine/formats/fhir';
import { fhirKeyDeriver, nodeFhirDeps } from '../node/fhirDeps';
import type { DeidSettings } from '../settings';
import type { ServerContext } from '../state';

/**
 * `deid.fhir.config` as a path: absolute as the client sends it (it resolves workspace-relative paths); a relative
 * one (a client that does not) is taken from `base`.
 */
export function fhirConfigPath(settings: DeidSettings, base: string): string | undefined {
	const c = settings.fhir.config;
	return !c ? undefined : isAbsolute(c) ? c : join(base, c);
}

const configTexts = new Map<string, { mtimeMs: number; text: string }>();
/** The configuration file's text, re-read only when it changes (diagnostics run on every keystroke). */
export function readFhirConfig(path: string): string {
	const mtimeMs = statSync(path).mtimeMs;
	const hit = configTexts.get(path);
	if (hit && hit.mtimeMs === mtimeMs) return hit.text;
	const text = readFileSync(path, 'utf8');
	if (configTexts.size > 8) configTexts.clear();
	configTexts.set(path, { mtimeMs, text });
	return text;
}

interface Engines {
	plan: FhirAnonymizer;
	apply: FhirAnonymizer;
	/** Plan findings per line text, relative to the line: an edit re-plans only the lines it touched. */
	lines: Map<string, Finding[]>;
}
const cache = new Map<string, Engines>();

/** The engines for a document's settings (configuration file or default; keys derived from the user's key). */
function enginesFor(ctx: ServerContext, uri: string, settings: DeidSettings): Engines | { error: string } {
	let text: string | undefined;
	const path = fhirConfigPath(settings, uri.startsWith('file:') ? dirname(fileURLToPath(uri)) : process.cwd());
	if (path) {
		try {
			text = readFhirConfig(path);
		} catch {
			return { error: `deid.fhir.config: ${settings.fhir.config} is not readable` };
		}
	}
	const keyId = createHmac('sha256', ctx.key).update('engine-cache').digest('hex').slice(0, 16);
	const cacheKey = `${keyId}\u0000${settings.redactionFormat}\u0000${text ?? ''}`;
	const hit = cache.get(cacheKey);
	if (hit) return hit;
	const loaded = loadConfigOrDefault(text, fhirKeyDeriver(ctx.key));
	if (!loaded.config) return { error: `deid.fhir.config: ${loaded.errors[0]}` };
	const deps = nodeFhirDeps();
	// In the plan, free text is reported by the ordinary NDJSON scan; scrubText does nothing there.
	const engines: Engines = {
		plan: new FhirAnonymizer(loaded.config, deps, { scrubtext: () => undefined }),
		apply: new FhirAnonymizer(loaded.config, deps, {
			scrubtext: scrubTextProcessor({ dicts: ctx.dicts(), operation: 'redact', redactionFormat: settings.redactionFormat }),
		}),
		lines: new Map(),
	};
	if (cache.size > 8) cache.clear();
	cache.set(cacheKey, engines);
	return engines;
}

const PLACE: Record<string, EntityType> = {
	postalCode: 'Zip',
	city: 'City',
	line: 'Street',
	district: 'LocationOther',
	state: 'State',
	country: 'CountryOrRegion',
};

/** The entity type a changed FHIR value stands for. */
export function typeOfChange(c: FhirChange): EntityType {
	const n = c.node;
	if (n.type === 'date' || n.type === 'dateTime' || n.type === 'instant') return 'Date';
	for (let p = n.parent; p && !p.isResource; p = p.parent) {
		if (p.type === 'Address' && PLACE[n.name]) return PLACE[n.name];
		if (p.type === 'HumanName') return ['Practitioner', 'PractitionerRole'].includes(c.resource.type) ? 'Doctor' : 'Patient';
		if (p.type === 'ContactPoint') {
			const system = String(p.children.find((x) => x.name === 'system')?.value ?? '');
			return system === 'email' ? 'Email' : system === 'fax' ? 'Fax' : system === 'url' ? 'Url' : 'Phone';
		}
		if (p.type === 'Identifier')
			return c.resource.type === 'Account'
				? 'Account'
				: c.resource.type === 'Coverage'
					? 'HealthPlan'
					: c.resource.type === 'Device'
						? 'Device'
						: 'IDNum';
		if (p.type === 'Attachment' && n.name === 'url') return 'Url';
	}
	if (n.name === 'address' && c.resource.type === 'Endpoint') return 'Url';
	if (n.name === 'name' && ['Organization', 'Location', 'HealthcareService'].includes(c.resource.type))
		return c.resource.type === 'Location' ? 'LocationOther' : 'Organization';
	if (c.resource.type === 'Device') return 'Device';
	return 'IDNum';
}

/** Findings for the FHIR lines of an NDJSON document (offsets into the document). Lines that are not FHIR give none. */
/** Findings of one FHIR line, relative to the line; none when it is not a resource the configuration accepts. */
function planLine(plan: FhirAnonymizer, line: string): Finding[] {
	const scanned = scanJson(line);
	if (!scanned.ok) return [];
	let changes: FhirChange[];
	try {
		changes = plan.anonymizeWithChanges(parseJson(line)).changes;
	} catch {
		return []; // the ordinary scan covers its strings
	}
	const byPath = new Map(scanned.strings.map((s) => [s.path.join('\u0000'), s]));
	const out: Finding[] = [];
	for (const c of changes) {
		const s = byPath.get(c.path.join('\u0000'));
		if (!s || s.value.length === 0) continue;
		out.push({ start: s.offsets[0], end: s.offsets[s.value.length], type: typeOfChange(c), confidence: 1, detector: `fhir:${c.method}` });
	}
	return out;
}

export function fhirFindings(ctx: ServerContext, uri: string, text: string, settings: DeidSettings): { findings: Finding[]; error?: string } {
	if (!settings.fhir.enable || !/"resourceType"\s*:/.test(text)) return { findings: [] };
	const engines = enginesFor(ctx, uri, settings);
	if ('error' in engines) return { findings: [], error: engines.error };
	const out: Finding[] = [];
	for (const { start, text: line } of splitLines(text)) {
		if (!/"resourceType"\s*:/.test(line)) continue;
		let rel = engines.lines.get(line);
		if (!rel) {
			rel = planLine(engines.plan, line);
			if (engines.lines.size > 20000) engines.lines.clear();
			engines.lines.set(line, rel);
		}
		for (const f of rel) out.push({ ...f, start: start + f.start, end: start + f.end });
	}
	return { findings: out };
}

/** The whole line after applying the configuration, or undefined when the line is not a resource it accepts. */
export function applyToLine(ctx: ServerContext, uri: string, line: string, settings: DeidSettings): string | undefined {
	const engines = enginesFor(ctx, uri, settings);
	if ('error' in engines) return undefined;
	try {
		return stringify(engines.apply.anonymize(parseJson(line)), false);
	} catch {
		return undefined;
	}
}
