import type { Connection } from 'vscode-languageserver';
import {
	DEFAULT_REDACTION_FORMAT,
	ENTITY_TYPES,
	SURROGATE_LOCALES,
	isEntityType,
	validateRedactionFormat,
	type DenyEntry,
	type DetectOptions,
	type EntityType,
} from './engine';

export type SeverityName = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** The `deid.*` settings after validation, with defaults filled in. */
export interface DeidSettings {
	enable: boolean;
	run: 'onType' | 'onSave';
	severity: Record<EntityType, SeverityName>;
	redactionFormat: string;
	allowList: string[];
	denyList: DenyEntry[];
	maxFileSizeKb: number;
	/** Shortest wait after a keystroke before a scan; longer for documents whose scans take longer. */
	debounceMs: number;
	language: 'auto' | 'en' | 'es';
	ages: 'auto' | 'over89' | 'all';
	minConfidence: number;
	minConfidenceByType: Partial<Record<EntityType, number>>;
	surrogateLocale: string;
	/** FHIR NDJSON: diagnostics on structured fields the configuration changes, and its quick fix. */
	fhir: { enable: boolean; config: string };
	/** Folder jobs: one date offset per patient (folder, file, run or regex:<pattern>), range and weekday. */
	dateShift: { by: string; rangeDays: number; keepWeekday: boolean };
	/** Folder jobs: verify the output at the end (a verify section in the report). */
	verifyAfterJob: boolean;
}

/** Large enough for a FHIR bulk-export NDJSON of tens of MB: documents are scanned in pieces. */
export const DEFAULT_MAX_FILE_SIZE_KB = 51200;
export const DEFAULT_DEBOUNCE_MS = 40;

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);

export function defaultSettings(): DeidSettings {
	return {
		enable: true,
		run: 'onType',
		severity: Object.fromEntries(ENTITY_TYPES.map((t) => [t, 'warning'])) as Record<EntityType, SeverityName>,
		redactionFormat: DEFAULT_REDACTION_FORMAT,
		allowList: [],
		denyList: [],
		maxFileSizeKb: DEFAULT_MAX_FILE_SIZE_KB,
		debounceMs: DEFAULT_DEBOUNCE_MS,
		language: 'auto',
		ages: 'auto',
		minConfidence: 0.5,
		minConfidenceByType: {},
		surrogateLocale: 'en-US',
		fhir: { enable: true, config: '' },
		dateShift: { by: 'folder', rangeDays: 365, keepWeekday: false },
		verifyAfterJob: true,
	};
}

/** Normalise whatever the client sent (possibly nothing, possibly wrong types) into DeidSettings. */
export function normalizeSettings(raw: unknown): DeidSettings {
	const s = defaultSettings();
	if (!raw || typeof raw !== 'object') return s;
	const r = raw as Record<string, unknown>;
	if (typeof r.enable === 'boolean') s.enable = r.enable;
	if (r.run === 'onType' || r.run === 'onSave') s.run = r.run;
	if (r.severity && typeof r.severity === 'object') {
		const sev = r.severity as Record<string, unknown>;
		const def = typeof sev.default === 'string' && SEVERITIES.has(sev.default) ? (sev.default as SeverityName) : undefined;
		for (const t of ENTITY_TYPES) {
			const v = sev[t];
			if (typeof v === 'string' && SEVERITIES.has(v)) s.severity[t] = v as SeverityName;
			else if (def) s.severity[t] = def;
		}
	}
	if (typeof r.redactionFormat === 'string' && !validateRedactionFormat(r.redactionFormat)) s.redactionFormat = r.redactionFormat;
	if (Array.isArray(r.allowList)) s.allowList = r.allowList.filter((x): x is string => typeof x === 'string' && x.trim() !== '');
	if (Array.isArray(r.denyList)) {
		s.denyList = r.denyList.filter(
			(x): x is DenyEntry => !!x && typeof x === 'object' && typeof (x as DenyEntry).text === 'string' && isEntityType((x as DenyEntry).type),
		);
	}
	if (typeof r.maxFileSizeKb === 'number' && r.maxFileSizeKb > 0) s.maxFileSizeKb = r.maxFileSizeKb;
	if (typeof r.debounceMs === 'number' && r.debounceMs >= 0 && r.debounceMs <= 10000) s.debounceMs = r.debounceMs;
	if (r.language === 'auto' || r.language === 'en' || r.language === 'es') s.language = r.language;
	if (r.ages === 'auto' || r.ages === 'over89' || r.ages === 'all') s.ages = r.ages;
	if (typeof r.minConfidence === 'number' && r.minConfidence >= 0 && r.minConfidence <= 1) s.minConfidence = r.minConfidence;
	if (r.dateShift && typeof r.dateShift === 'object') {
		const d = r.dateShift as Record<string, unknown>;
		if (typeof d.by === 'string' && d.by.trim()) s.dateShift.by = d.by.trim();
		if (typeof d.rangeDays === 'number') s.dateShift.rangeDays = d.rangeDays;
		if (typeof d.keepWeekday === 'boolean') s.dateShift.keepWeekday = d.keepWeekday;
	}
	if (r.fhir && typeof r.fhir === 'object') {
		const f = r.fhir as Record<string, unknown>;
		if (typeof f.enable === 'boolean') s.fhir.enable = f.enable;
		if (typeof f.config === 'string') s.fhir.config = f.config.trim();
	}
	if (typeof r.verifyAfterJob === 'boolean') s.verifyAfterJob = r.verifyAfterJob;
	if (typeof r.surrogateLocale === 'string' && (SURROGATE_LOCALES as readonly string[]).includes(r.surrogateLocale)) s.surrogateLocale = r.surrogateLocale;
	if (r.minConfidenceByType && typeof r.minConfidenceByType === 'object') {
		for (const [t, v] of Object.entries(r.minConfidenceByType as Record<string, unknown>)) {
			if (isEntityType(t) && typeof v === 'number' && v >= 0 && v <= 1) s.minConfidenceByType[t] = v;
		}
	}
	return s;
}

export function detectOptionsFrom(s: DeidSettings): DetectOptions {
	return {
		allowList: s.allowList,
		denyList: s.denyList,
		language: s.language,
		ages: s.ages === 'auto' ? undefined : s.ages,
		minConfidence: s.minConfidence,
		minConfidenceByType: s.minConfidenceByType,
	};
}

/** Pulls `deid` settings per resource with workspace/configuration and caches one promise per URI. */
export class SettingsStore {
	private cache = new Map<string, Promise<DeidSettings>>();
	private supported = false;
	constructor(private readonly connection: Connection) {}
	setSupported(v: boolean): void {
		this.supported = v;
	}
	get(uri: string): Promise<DeidSettings> {
		if (!this.supported) return Promise.resolve(defaultSettings());
		const cached = this.cache.get(uri);
		if (cached) return cached;
		const p: Promise<DeidSettings> = this.connection.workspace
			.getConfiguration({ scopeUri: uri, section: 'deid' })
			.then(normalizeSettings, () => defaultSettings());
		this.cache.set(uri, p);
		return p;
	}
	forget(uri: string): void {
		this.cache.delete(uri);
	}
	clear(): void {
		this.cache.clear();
	}
}
