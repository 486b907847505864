// FHIR NDJSON in the editor: the structured fields the active FHIR configuration would redact, hash, shift or
// otherwise change become findings (detector `fhir:<method>`), and a quick fix applies the configuration to a line.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanJson, splitLines, type EntityType, type Finding } from '../engine';
import { FhirAnonymizer, loadConfigOrDefault, parseJson, scrubTextProcessor, stringify, type FhirChange } from '../engine/fhir';
import { nodeFhirDeps } from '../node/fhirDeps';
import type { DeidSettings } from '../settings';
import type { ServerContext } from '../state';

interface Engines {
	plan: FhirAnonymizer;
	apply: FhirAnonymizer;
}
const cache = new Map<string, Engines>();

/** The engines for a document's settings (configuration file or default; keys derived from the user's key). */
function enginesFor(ctx: ServerContext, uri: string, settings: DeidSettings, workspaceFolder?: string): Engines | { error: string } {
	let text: string | undefined;
	if (settings.fhir.config) {
		const base = workspaceFolder ?? (uri.startsWith('file:') ? join(fileURLToPath(uri), '..') : process.cwd());
		const path = isAbsolute(settings.fhir.config) ? settings.fhir.config : join(base, settings.fhir.config);
		try {
			text = readFileSync(path, 'utf8');
		} catch {
			return { error: `deid.fhir.config: ${settings.fhir.config} is not readable` };
		}
	}
	const keyId = createHmac('sha256', ctx.key).update('engine-cache').digest('hex').slice(0, 16);
	const cacheKey = `${keyId}\u0000${text ?? ''}`;
	const hit = cache.get(cacheKey);
	if (hit) return hit;
	const derive = (purpose: string) => createHmac('sha256', ctx.key).update(`deid-fhir\u0000${purpose}`).digest('hex');
	const loaded = loadConfigOrDefault(text, derive);
	if (!loaded.config) return { error: `deid.fhir.config: ${loaded.errors[0]}` };
	const deps = nodeFhirDeps();
	// In the plan, free text is reported by the ordinary NDJSON scan; scrubText does nothing there.
	const engines = {
		plan: new FhirAnonymizer(loaded.config, deps, { scrubtext: () => undefined }),
		apply: new FhirAnonymizer(loaded.config, deps, { scrubtext: scrubTextProcessor({ dicts: ctx.dicts(), operation: 'redact', redactionFormat: settings.redactionFormat }) }),
	};
	if (cache.size > 8) cache.clear();
	cache.set(cacheKey, engines);
	return engines;
}

const PLACE: Record<string, EntityType> = { postalCode: 'Zip', city: 'City', line: 'Street', district: 'LocationOther', state: 'State', country: 'CountryOrRegion' };

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
			return c.resource.type === 'Account' ? 'Account' : c.resource.type === 'Coverage' ? 'HealthPlan' : c.resource.type === 'Device' ? 'Device' : 'IDNum';
		if (p.type === 'Attachment' && n.name === 'url') return 'Url';
	}
	if (n.name === 'address' && c.resource.type === 'Endpoint') return 'Url';
	if (n.name === 'name' && ['Organization', 'Location', 'HealthcareService'].includes(c.resource.type)) return c.resource.type === 'Location' ? 'LocationOther' : 'Organization';
	if (c.resource.type === 'Device') return 'Device';
	return 'IDNum';
}

/** Findings for the FHIR lines of an NDJSON document (offsets into the document). Lines that are not FHIR give none. */
export function fhirFindings(ctx: ServerContext, uri: string, text: string, settings: DeidSettings, workspaceFolder?: string): { findings: Finding[]; error?: string } {
	if (!settings.fhir.enable || !/"resourceType"\s*:/.test(text)) return { findings: [] };
	const engines = enginesFor(ctx, uri, settings, workspaceFolder);
	if ('error' in engines) return { findings: [], error: engines.error };
	const out: Finding[] = [];
	for (const { start, text: line } of splitLines(text)) {
		if (!/"resourceType"\s*:/.test(line)) continue;
		const scanned = scanJson(line);
		if (!scanned.ok) continue;
		let changes: FhirChange[];
		try {
			changes = engines.plan.anonymizeWithChanges(parseJson(line)).changes;
		} catch {
			continue; // not an R4 resource the configuration accepts: the ordinary scan covers its strings
		}
		const byPath = new Map(scanned.strings.map((s) => [s.path.join('\u0000'), s]));
		for (const c of changes) {
			const s = byPath.get(c.path.join('\u0000'));
			if (!s || s.value.length === 0) continue;
			out.push({ start: start + s.offsets[0], end: start + s.offsets[s.value.length], type: typeOfChange(c), confidence: 1, detector: `fhir:${c.method}` });
		}
	}
	return { findings: out };
}

/** The whole line after applying the configuration, or undefined when the line is not a resource it accepts. */
export function applyToLine(ctx: ServerContext, uri: string, line: string, settings: DeidSettings, workspaceFolder?: string): string | undefined {
	const engines = enginesFor(ctx, uri, settings, workspaceFolder);
	if ('error' in engines) return undefined;
	try {
		return stringify(engines.apply.anonymize(parseJson(line)), false);
	} catch {
		return undefined;
	}
}
