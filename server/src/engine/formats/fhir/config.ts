// Microsoft FHIR anonymizer configuration files (anonymizationConfig.json): parsing and validation.
// Accepts the upstream format unchanged: BOM, comments, trailing commas, case-insensitive method names.
import { fhirpathLib } from './fhirpathLib';
import { isObject } from './util';
import { JsonNumber, parseJson } from './tree';

export const BUILT_IN_METHODS = ['keep', 'redact', 'dateshift', 'cryptohash', 'encrypt', 'substitute', 'perturb', 'generalize'] as const;

export interface FastPath {
	kind: 'type' | 'name';
	name: string;
	child?: string;
}

export interface FhirRule {
	index: number;
	path: string;
	/** Lower-case method name (`dateshift`); custom names are kept lower-case too. */
	method: string;
	/** Leading resource type of the path ('' applies to every resource). */
	resourceType: string;
	/** The expression evaluated with the resource as context. */
	expression: string;
	fast?: FastPath;
	/** The rule object as written (replaceWith, span, cases, …). */
	settings: Record<string, unknown>;
}

export interface FhirParameters {
	dateShiftKey: string;
	dateShiftScope: 'resource' | 'file' | 'folder';
	dateShiftFixedOffsetInDays?: number;
	cryptoHashKey: string;
	encryptKey: string;
	enablePartialAgesForRedact: boolean;
	enablePartialDatesForRedact: boolean;
	enablePartialZipCodesForRedact: boolean;
	restrictedZipCodeTabulationAreas: string[];
	customSettings?: Record<string, unknown>;
}

export interface FhirConfig {
	fhirVersion: string;
	processingErrors: 'raise' | 'skip';
	rules: FhirRule[];
	parameters: FhirParameters;
}

export interface ConfigResult {
	config?: FhirConfig;
	errors: string[];
	warnings: string[];
}

/** Remove // and /* *\/ comments and trailing commas outside strings (Newtonsoft accepts both). Linear. */
export function stripJsonExtensions(text: string): string {
	let out = '';
	let i = 0;
	const n = text.length;
	while (i < n) {
		const c = text[i];
		if (c === '"') {
			let j = i + 1;
			while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
			out += text.slice(i, j + 1);
			i = j + 1;
		} else if (c === '/' && text[i + 1] === '/') {
			while (i < n && text[i] !== '\n') i++;
		} else if (c === '/' && text[i + 1] === '*') {
			const end = text.indexOf('*/', i + 2);
			i = end < 0 ? n : end + 2;
		} else if (c === ',') {
			let j = i + 1;
			while (j < n && /\s/.test(text[j])) j++;
			if (text[j] === ']' || text[j] === '}') i++;
			else {
				out += c;
				i++;
			}
		} else {
			out += c;
			i++;
		}
	}
	return out;
}

const FHIRPATH_FUNCTIONS = new Set(
	(
		'empty exists all allTrue anyTrue allFalse anyFalse subsetOf supersetOf count distinct isDistinct where select repeat repeatAll ofType as is ' +
		'single first last tail skip take intersect exclude union combine iif toBoolean convertsToBoolean toInteger convertsToInteger toLong convertsToLong ' +
		'toDate convertsToDate toDateTime convertsToDateTime toDecimal convertsToDecimal toQuantity convertsToQuantity toString convertsToString toTime ' +
		'convertsToTime indexOf lastIndexOf substring startsWith endsWith contains upper lower replace matches matchesFull replaceMatches length toChars ' +
		'abs ceiling exp floor ln log power round sqrt truncate children descendants trace now timeOfDay today not extension hasValue getValue resolve ' +
		'memberOf conformsTo htmlChecks elementDefinition slice checkModifiers encode decode escape unescape trim split join lowBoundary highBoundary ' +
		'precision sum min max avg aggregate type subsumes subsumedBy comparable defineVariable sort hasTemplateIdOf yearOf monthOf dayOf hourOf ' +
		'minuteOf secondOf millisecondOf timezoneOffsetOf dateOf timeOf duration difference weight ordinal nodesByType nodesByName'
	).split(' '),
);

/** Parse-check a FHIRPath expression; unknown functions are errors (fhirpath.js only fails on them at evaluation). */
export function checkExpression(expr: string): string | undefined {
	let ast: unknown;
	try {
		ast = fhirpathLib().parse(expr);
	} catch (e) {
		return `invalid FHIRPath: ${(e as Error).message.split('\n')[0]}`;
	}
	const stack: unknown[] = [ast];
	while (stack.length) {
		const n = stack.pop() as { type?: string; text?: string; children?: unknown[] };
		if (!n || typeof n !== 'object') continue;
		if (n.type === 'Functn' && n.text && !FHIRPATH_FUNCTIONS.has(n.text)) return `unknown FHIRPath function '${n.text}()'`;
		if (Array.isArray(n.children)) stack.push(...n.children);
	}
	return undefined;
}

const FAST = /^nodesBy(Type|Name)\((?:'([A-Za-z0-9_]+)'|"([A-Za-z0-9_]+)")\)(?:\.(?:([A-Za-z][A-Za-z0-9_]*)|`([A-Za-z][A-Za-z0-9_]*)`))?$/;

/** Split a rule path into [resourceType, expression] and detect the fast path, as upstream does. */
export function splitPath(path: string): { resourceType: string; expression: string; fast?: FastPath } {
	const m = /^([A-Z][a-zA-Z]*)(?:\.|$)/.exec(path);
	let resourceType = '';
	let expression = path;
	if (m) {
		resourceType = m[1];
		expression = path.length === m[1].length ? path : path.slice(m[1].length + 1);
	}
	let fast: FastPath | undefined;
	if (!resourceType) {
		const f = FAST.exec(path);
		if (f) fast = { kind: f[1] === 'Type' ? 'type' : 'name', name: f[2] ?? f[3], child: f[4] ?? f[5] };
	}
	return { resourceType, expression, fast };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: unknown): boolean => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
const num = (v: unknown): number | undefined =>
	v instanceof JsonNumber
		? Number(v.raw)
		: typeof v === 'number'
			? v
			: typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v))
				? Number(v)
				: undefined;

function utf8Length(s: string): number {
	let n = 0;
	for (const ch of s) {
		const c = ch.codePointAt(0)!;
		n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
	}
	return n;
}

/** Load a configuration from its text. Errors name the rule (`fhirPathRules[3]`) and never echo data. */
export function loadFhirConfig(text: string): ConfigResult {
	const errors: string[] = [];
	const warnings: string[] = [];
	let raw: unknown;
	try {
		raw = parseJson(stripJsonExtensions(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
	} catch (e) {
		return { errors: [`configuration is not valid JSON: ${(e as Error).message}`], warnings };
	}
	if (!isObject(raw)) return { errors: ['configuration must be a JSON object'], warnings };
	if (('pathRules' in raw || 'typeRules' in raw) && !('fhirPathRules' in raw)) {
		// The pre-2020 format: upstream now fails ("missing fhirPathRules"); we convert, path rules first.
		raw = convertOldConfig(raw);
		warnings.push('old configuration format (pathRules/typeRules) converted to fhirPathRules: path rules first, then type rules as nodesByType(...)');
	}
	if (!isObject(raw)) return { errors: ['configuration must be a JSON object'], warnings };
	const version = raw.fhirVersion;
	if (version === undefined || version === null || version === '') warnings.push('fhirVersion is empty; R4 is assumed');
	else if (typeof version !== 'string' || version.toLowerCase() !== 'r4') errors.push(`fhirVersion '${String(version)}' is not supported (only R4)`);
	let processingErrors: 'raise' | 'skip' = 'raise';
	if (raw.processingErrors !== undefined && raw.processingErrors !== null) {
		const pe = String(raw.processingErrors).toLowerCase();
		if (pe === 'raise' || pe === 'skip') processingErrors = pe;
		else errors.push(`processingErrors must be 'raise' or 'skip'`);
	}
	const rules: FhirRule[] = [];
	if (!Array.isArray(raw.fhirPathRules)) errors.push('fhirPathRules is missing (an array of {path, method} rules is required)');
	else
		raw.fhirPathRules.forEach((r: unknown, index: number) => {
			const rule = loadRule(r, index, errors, warnings);
			if (rule) rules.push(rule);
		});
	const parameters = loadParameters(isObject(raw.parameters) ? raw.parameters : {}, errors, warnings);
	if (errors.length) return { errors, warnings };
	return { config: { fhirVersion: typeof version === 'string' ? version : '', processingErrors, rules, parameters }, errors, warnings };
}

/** One rule of `fhirPathRules`, checked; undefined (with an error) when it cannot be used. */
function loadRule(r: unknown, index: number, errors: string[], warnings: string[]): FhirRule | undefined {
	const where = `fhirPathRules[${index}]`;
	if (!isObject(r)) return void errors.push(`${where}: a rule must be an object`);
	const path = str(r.path);
	const method = str(r.method)?.toLowerCase();
	if (!path) return void errors.push(`${where}: 'path' is required`);
	if (!method) return void errors.push(`${where}: 'method' is required`);
	const exprError = checkExpression(path);
	if (exprError) errors.push(`${where} (${path}): ${exprError}`);
	if (!(BUILT_IN_METHODS as readonly string[]).includes(method) && method !== 'scrubtext')
		warnings.push(`${where}: method '${r.method}' is not built in; it needs a custom processor`);
	if (method === 'substitute' && (r.replaceWith === undefined || r.replaceWith === null)) errors.push(`${where}: substitute needs 'replaceWith'`);
	if (method === 'perturb') {
		const span = num(r.span);
		if (span === undefined) errors.push(`${where}: perturb needs a numeric 'span'`);
		else if (span < 0) errors.push(`${where}: perturb 'span' must be ≥ 0`);
		if (r.rangeType !== undefined && !['fixed', 'proportional'].includes(String(r.rangeType).toLowerCase()))
			errors.push(`${where}: perturb 'rangeType' must be 'fixed' or 'proportional'`);
		if (r.roundTo !== undefined) {
			const rt = num(r.roundTo);
			if (rt === undefined || !Number.isInteger(rt) || rt < 0 || rt > 28) errors.push(`${where}: perturb 'roundTo' must be an integer from 0 to 28`);
		}
	}
	if (method === 'generalize') {
		if (!isObject(r.cases)) errors.push(`${where}: generalize needs 'cases' (an object of predicate → value expressions)`);
		else
			for (const [pred, val] of Object.entries(r.cases)) {
				const e1 = checkExpression(pred);
				const e2 = typeof val === 'string' ? checkExpression(val) : 'the value must be a FHIRPath expression string';
				if (e1 || e2) errors.push(`${where}: generalize case '${pred}': ${e1 ?? e2}`);
			}
		if (r.otherValues !== undefined && !['redact', 'keep'].includes(String(r.otherValues).toLowerCase()))
			errors.push(`${where}: generalize 'otherValues' must be 'redact' or 'keep'`);
	}
	return { index, path, method, ...splitPath(path), settings: r };
}

/** The configuration's `parameters`, checked; problems are added to `errors` and `warnings`. */
function loadParameters(p: Record<string, unknown>, errors: string[], warnings: string[]): FhirParameters {
	const scope = String(p.dateShiftScope ?? 'resource').toLowerCase();
	if (!['resource', 'file', 'folder'].includes(scope)) errors.push(`parameters.dateShiftScope must be resource, file or folder`);
	const fixed = p.dateShiftFixedOffsetInDays;
	const fixedNum = fixed === undefined || fixed === null ? undefined : num(fixed);
	if (fixed !== undefined && fixed !== null && (fixedNum === undefined || !Number.isInteger(fixedNum)))
		errors.push('parameters.dateShiftFixedOffsetInDays must be an integer');
	const encryptKey = str(p.encryptKey) ?? '';
	if (encryptKey && ![16, 24, 32].includes(utf8Length(encryptKey))) errors.push('parameters.encryptKey must be 16, 24 or 32 bytes (UTF-8) long');
	const parameters: FhirParameters = {
		dateShiftKey: str(p.dateShiftKey) ?? '',
		dateShiftScope: scope as FhirParameters['dateShiftScope'],
		dateShiftFixedOffsetInDays: fixedNum,
		cryptoHashKey: str(p.cryptoHashKey) ?? '',
		encryptKey,
		enablePartialAgesForRedact: bool(p.enablePartialAgesForRedact),
		enablePartialDatesForRedact: bool(p.enablePartialDatesForRedact),
		enablePartialZipCodesForRedact: bool(p.enablePartialZipCodesForRedact),
		restrictedZipCodeTabulationAreas: Array.isArray(p.restrictedZipCodeTabulationAreas) ? p.restrictedZipCodeTabulationAreas.map(String) : [],
		customSettings: isObject(p.customSettings) ? p.customSettings : undefined,
	};
	if (!parameters.dateShiftKey && fixedNum === undefined)
		warnings.push('parameters.dateShiftKey is empty: a random key is used, so date shifts differ between runs');
	if (!parameters.cryptoHashKey) warnings.push('parameters.cryptoHashKey is empty: a random key is used, so hashes differ between runs');
	return parameters;
}

/** Convert the pre-2020 format ({pathRules: {path: method}, typeRules: {Type: method}}) to fhirPathRules, path rules first. */
export function convertOldConfig(raw: Record<string, unknown>): Record<string, unknown> {
	const rules: { path: string; method: string }[] = [];
	if (isObject(raw.pathRules)) for (const [path, method] of Object.entries(raw.pathRules)) rules.push({ path, method: String(method) });
	if (isObject(raw.typeRules))
		for (const [type, method] of Object.entries(raw.typeRules)) rules.push({ path: `nodesByType('${type}')`, method: String(method) });
	const { pathRules: _p, typeRules: _t, ...rest } = raw;
	return { ...rest, fhirPathRules: rules };
}
