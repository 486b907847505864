// The built-in anonymizer methods (redact, dateShift, cryptoHash, encrypt, substitute, perturb, generalize) on
// one node, with upstream's semantics. Each returns the methods it applied, for the resource's security labels.
import type { FhirConfig, FhirRule } from './config';
import { fhirpathLib } from './fhirpathLib';
import { r4Model } from './model';
import { childrenNamed, fillFromJson, JsonNumber, type FNode, type Primitive } from './tree';
import type { FhirDate } from './validate';
import { base64Encode, isObject, utf8Encode } from './util';
import { FhirProcessingError, FhirRuleError, type FhirDeps, type FhirMethod, type ResNode, type Run } from './anonymizerTypes';
import { jsonOf, resNodeFor, userFunctions } from './pathMatch';
import { dateShiftOffset, formatDecimal, hashReference, parseFhirDate, roundHalfEven, shiftFhirDate, valueText } from './values';

/** What the methods need of the anonymizer: its configuration, injected dependencies, keys and current run. */
export interface MethodHost {
	readonly config: FhirConfig;
	readonly deps: FhirDeps;
	readonly dateShiftKey: string;
	readonly cryptoHashKey: string;
	readonly encryptKey: string;
	readonly run: Run | undefined;
}

const AGE_THRESHOLD = 89;
const NUMERIC = new Set(['decimal', 'integer', 'positiveInt', 'unsignedInt']);
const QUANTITIES = new Set(['Age', 'Count', 'Duration', 'Distance', 'Money', 'MoneyQuantity', 'Quantity', 'SimpleQuantity']);
const isDateType = (type: string) => type === 'date' || type === 'dateTime' || type === 'instant';

/** Record a change, so the JSON form for FHIRPath is rebuilt. */
export function touch(host: MethodHost): void {
	host.run!.version++;
}

function setValue(host: MethodHost, node: FNode, value: Primitive | undefined): void {
	node.value = value;
	touch(host);
}

function hasValue(node: FNode): boolean {
	return node.value !== undefined && String(node.value) !== '';
}

export function redact(host: MethodHost, node: FNode): FhirMethod[] | void {
	if (!hasValue(node)) return;
	const p = host.config.parameters;
	if (isDateType(node.type)) return redactDate(host, node);
	if (node.name === 'value' && node.parent?.type === 'Age' && node.type === 'decimal') {
		if (p.enablePartialAgesForRedact) {
			const text = String(node.value);
			if (!/^[+-]?\d+$/.test(text)) throw new FhirProcessingError(`Age.value is not an integer`);
			if (Number(text) <= AGE_THRESHOLD) return;
		}
		setValue(host, node, undefined);
		return ['REDACT'];
	}
	if (node.name === 'postalCode') {
		const v = String(node.value);
		if (p.enablePartialZipCodesForRedact && v.length < 3) return ['ABSTRACT'];
		// partial redaction keeps the first three characters and the non-digits: only a ZIP (digits) is cut so
		if (p.enablePartialZipCodesForRedact && /^\d[\d -]*$/.test(v)) {
			const restricted = p.restrictedZipCodeTabulationAreas.some((z) => v.startsWith(z));
			setValue(host, node, restricted ? v.replace(/\d/g, '0') : v.slice(0, 3) + v.slice(3).replace(/\d/g, '0'));
			return ['ABSTRACT'];
		}
	}
	setValue(host, node, undefined);
	return ['REDACT'];
}

function redactDate(host: MethodHost, node: FNode): FhirMethod[] {
	const d = parseFhirDate(String(node.value), node.type);
	if (host.config.parameters.enablePartialDatesForRedact && !ageOver(host, d)) setValue(host, node, String(d.year).padStart(4, '0'));
	else setValue(host, node, undefined);
	return ['REDACT'];
}

/** Whether someone born on `d` is now over 89 (such dates are redacted, not shifted or cut to the year). */
function ageOver(host: MethodHost, d: FhirDate): boolean {
	const now = host.deps.now();
	const year = now.getUTCFullYear();
	const month = now.getUTCMonth() + 1;
	const day = now.getUTCDate();
	const m = d.month ?? 1;
	const dd = d.day ?? 1;
	const age = year - d.year - (month < m || (month === m && day < dd) ? 1 : 0);
	return age > AGE_THRESHOLD;
}

/** Offset in days for this input, as upstream computes it. */
export function inputDateShift(host: MethodHost): number {
	const p = host.config.parameters;
	if (p.dateShiftFixedOffsetInDays !== undefined) return p.dateShiftFixedOffsetInDays;
	const run = host.run!;
	const prefix =
		p.dateShiftScope === 'file'
			? (run.input.fileName ?? '')
			: p.dateShiftScope === 'folder'
				? (run.input.folderName ?? '')
				: String(childrenNamed(run.root, 'id')[0]?.value ?? '');
	return dateShiftOffset(prefix, host.dateShiftKey);
}

export function dateShift(host: MethodHost, node: FNode): FhirMethod[] | void {
	if (!hasValue(node)) return;
	if (!isDateType(node.type)) return;
	const d = parseFhirDate(String(node.value), node.type);
	if (d.day === undefined || ageOver(host, d)) return redactDate(host, node);
	setValue(host, node, shiftFhirDate(d, inputDateShift(host), node.type));
	return ['PERTURB'];
}

export function hashText(host: MethodHost, text: string): string {
	return text === '' ? '' : host.deps.hmacSha256Hex(host.cryptoHashKey, text);
}

export function cryptoHash(host: MethodHost, node: FNode): FhirMethod[] | void {
	if (!hasValue(node)) return;
	const text = valueText(node.value!);
	const isReference = node.name === 'reference' && node.parent?.type === 'Reference';
	setValue(host, node, isReference ? hashReference(text, (s) => hashText(host, s)) : hashText(host, text));
	return ['CRYPTOHASH'];
}

export function encrypt(host: MethodHost, node: FNode): FhirMethod[] | void {
	if (!hasValue(node)) return;
	const iv = host.deps.randomBytes(16);
	const ciphertext = host.deps.aesCbcEncrypt(utf8Encode(host.encryptKey), iv, utf8Encode(valueText(node.value!)));
	const all = new Uint8Array(16 + ciphertext.length);
	all.set(iv, 0);
	all.set(ciphertext, 16);
	setValue(host, node, base64Encode(all));
	return ['ENCRYPT'];
}

export function substitute(host: MethodHost, node: FNode, rule: FhirRule): FhirMethod[] {
	const run = host.run!;
	const replaceWith = rule.settings.replaceWith;
	if (node.isPrimitive) {
		setValue(
			host,
			node,
			replaceWith instanceof JsonNumber
				? replaceWith
				: typeof replaceWith === 'string' || typeof replaceWith === 'boolean'
					? replaceWith
					: JSON.stringify(replaceWith),
		);
	} else {
		let replacement: unknown = replaceWith;
		if (typeof replacement === 'string') {
			try {
				replacement = JSON.parse(replacement);
			} catch {
				throw new FhirRuleError(`fhirPathRules[${rule.index}]: replaceWith is not a JSON ${node.type}`);
			}
		}
		if (!isObject(replacement)) throw new FhirRuleError(`fhirPathRules[${rule.index}]: replaceWith must be a JSON ${node.type}`);
		merge(run.visited, node, fragment(node, replacement));
	}
	const mark = (n: FNode) => {
		run.visited.add(n);
		for (const c of n.children) if (!c.isResource) mark(c);
	};
	mark(node);
	touch(host);
	return ['SUBSTITUTE'];
}

/** A replacement fragment parsed as `like`'s type. */
function fragment(like: FNode, json: Record<string, unknown>): FNode {
	const n: FNode = { ...like, children: [], value: undefined, parent: undefined };
	fillFromJson(n, json, like.isResource);
	return n;
}

function containsVisited(visited: Set<FNode>, n: FNode): boolean {
	if (visited.has(n)) return true;
	return n.children.some((c) => !c.isResource && containsVisited(visited, c));
}

/** Replace `node`'s content with the replacement's, keeping what earlier rules already processed. */
function merge(visited: Set<FNode>, node: FNode, replacement: FNode | undefined): void {
	if (!visited.has(node)) node.value = replacement?.value;
	const names: string[] = [];
	for (const c of [...node.children, ...(replacement?.children ?? [])]) if (!names.includes(c.name)) names.push(c.name);
	for (const name of names) {
		const existing = childrenNamed(node, name).filter((c) => !c.isResource);
		const replacements = replacement ? childrenNamed(replacement, name) : [];
		for (let i = 0; i < Math.max(existing.length, replacements.length); i++) {
			const e = existing[i];
			const r = replacements[i];
			if (e && r) {
				if (!visited.has(e)) merge(visited, e, r);
			} else if (e) {
				if (containsVisited(visited, e)) merge(visited, e, undefined);
				else node.children.splice(node.children.indexOf(e), 1);
			} else if (r) {
				r.parent = node;
				node.children.push(r);
			}
		}
	}
}

export function perturb(host: MethodHost, node: FNode, rule: FhirRule): FhirMethod[] | void {
	let target: FNode | undefined = node;
	if (!NUMERIC.has(node.type)) {
		if (QUANTITIES.has(node.type)) target = childrenNamed(node, 'value')[0];
		else return;
	}
	if (!target || !hasValue(target)) return;
	if (target !== node && host.run!.visited.has(target)) return;
	const value = Number(valueText(target.value!));
	if (!Number.isFinite(value)) throw new FhirProcessingError(`perturb: not a number`);
	const settings = rule.settings;
	const span = Number(String(settings.span));
	const proportional = String(settings.rangeType ?? 'fixed').toLowerCase() === 'proportional';
	const integer = target.type !== 'decimal';
	const roundTo = integer ? 0 : settings.roundTo === undefined ? 2 : Number(String(settings.roundTo));
	const width = proportional ? span * Math.abs(value) : span;
	let out = value + (width === 0 ? 0 : (host.deps.random() - 0.5) * width);
	out = roundHalfEven(out, roundTo);
	if (target.type === 'positiveInt' && out <= 0) out = 1;
	if (target.type === 'unsignedInt' && out < 0) out = 0;
	setValue(host, target, new JsonNumber(integer ? String(Math.trunc(out)) : formatDecimal(out, roundTo)));
	if (target !== node) host.run!.visited.add(target);
	return ['PERTURB'];
}

export function generalize(host: MethodHost, node: FNode, rule: FhirRule, resource: FNode): FhirMethod[] | void {
	if (!node.isPrimitive) throw new FhirRuleError(`fhirPathRules[${rule.index}]: generalize applies only to primitive values, not ${node.type}`);
	if (!hasValue(node)) return;
	const run = host.run!;
	const json = jsonOf(run, resource);
	const rootRes = (fhirpathLib().evaluate(json.obj, '$this', {}, r4Model() as never, { resolveInternalTypes: false } as never) as ResNode[])[0];
	const res = resNodeFor(run, node, resource, rootRes);
	if (!res) throw new FhirProcessingError('generalize: node not reachable');
	const cases = rule.settings.cases as Record<string, string>;
	const options = { resolveInternalTypes: false, userInvocationTable: userFunctions(() => host.run!) };
	const evaluate = (expression: string, failure: string): unknown[] => {
		try {
			return fhirpathLib().evaluate(res as never, expression, {}, r4Model() as never, options as never) as unknown[];
		} catch {
			throw new FhirProcessingError(failure);
		}
	};
	for (const [predicate, valueExpression] of Object.entries(cases)) {
		const hit = evaluate(predicate, `generalize case failed (rule ${rule.index}: type mismatch or evaluation error)`);
		if (hit.length === 1 && hit[0] === true) {
			setGeneralized(host, node, evaluate(valueExpression, `generalize value failed (rule ${rule.index})`)[0]);
			return ['GENERALIZE'];
		}
	}
	if (String(rule.settings.otherValues ?? 'redact').toLowerCase() !== 'keep') setValue(host, node, undefined);
	return ['GENERALIZE'];
}

/** Write a generalize case's value (a fhirpath.js result) into a primitive of the node's type. */
function setGeneralized(host: MethodHost, node: FNode, v: unknown): void {
	const scalar = v === undefined || v === null ? undefined : typeof v === 'object' && 'data' in (v as object) ? (v as ResNode).data : v;
	if (scalar === undefined || scalar === null) setValue(host, node, undefined);
	else if (typeof scalar === 'number' || NUMERIC.has(node.type)) setValue(host, node, new JsonNumber(String(scalar)));
	else if (typeof scalar === 'boolean') setValue(host, node, scalar);
	else setValue(host, node, String(scalar).replace(/^@T?/, ''));
}
