// The FHIR anonymizer engine: Microsoft's rule semantics (fhirPathRules, first matching rule wins, visited set,
// recursion, pruning, security labels) over our typed tree. Pure: clock, randomness, HMAC and AES are injected.
import { fhirpathLib } from './fhirpathLib';
import type { DenyEntry } from '../types';
import type { FhirConfig, FhirRule } from './config';
import { childInfo, isResourceType, r4Model } from './model';
import { buildResource, childrenNamed, descendants, FhirParseError, fillFromJson, JsonNumber, prune, resourceProblem, resourcesOf, toJson, type FhirIssue, type FNode, type Primitive } from './tree';
import { tryParseFhirDate, type FhirDate } from './validate';

export type { FhirDate } from './validate';
export type { FhirIssue } from './tree';
import { base64Encode, isObject, utf8Encode } from './util';

export interface FhirDeps {
	now(): Date;
	/** Lower-case hex HMAC-SHA256 of UTF-8 `message` under UTF-8 `key`. */
	hmacSha256Hex(key: string, message: string): string;
	/** AES-CBC with PKCS#7 padding. */
	aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array;
	randomBytes(n: number): Uint8Array;
	/** Uniform in [0, 1). */
	random(): number;
}

/** A processing error: with `processingErrors: skip` the resource becomes an empty redacted one. */
export class FhirProcessingError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FhirProcessingError';
	}
}
/** A configuration problem found while running (unknown method, rule not applicable): never skipped. */
export class FhirRuleError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FhirRuleError';
	}
}

/** A FHIR anonymizer method applied to a node; each one adds its security label to the resource. */
export type FhirMethod = 'REDACT' | 'ABSTRACT' | 'CRYPTOHASH' | 'ENCRYPT' | 'PERTURB' | 'SUBSTITUTE' | 'GENERALIZE';

const OBSERVATION_VALUE = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue';
const LABELS: [FhirMethod, { system?: string; code: string; display: string }][] = [
	['REDACT', { system: OBSERVATION_VALUE, code: 'REDACTED', display: 'redacted' }],
	['ABSTRACT', { system: OBSERVATION_VALUE, code: 'ABSTRED', display: 'abstracted' }],
	['CRYPTOHASH', { system: OBSERVATION_VALUE, code: 'CRYTOHASH', display: 'cryptographic hash function' }],
	['ENCRYPT', { system: OBSERVATION_VALUE, code: 'MASKED', display: 'masked' }],
	['PERTURB', { code: 'PERTURBED', display: 'exact value is replaced with another exact value' }],
	['SUBSTITUTE', { code: 'SUBSTITUTED', display: 'exact value is replaced with a predefined value' }],
	['GENERALIZE', { code: 'GENERALIZED', display: 'exact value is replaced with a general value' }],
];

/** Where the input came from, for `dateShiftScope` file and folder. */
export interface FhirInputContext {
	fileName?: string;
	folderName?: string;
	/** PHI known from the patient's structured data (names, identifiers, …), for free-text scrubbing. */
	knownPhi?: DenyEntry[];
}

export interface NodeContext {
	node: FNode;
	resource: FNode;
	root: FNode;
	rule: FhirRule;
	engine: FhirAnonymizer;
	input: FhirInputContext;
}

/** A method beyond the built-in ones (upstream: a custom processor). Returns the operations it applied. */
export type CustomProcessor = (ctx: NodeContext) => FhirMethod[] | void;

const AGE_THRESHOLD = 89;
const NUMERIC = new Set(['decimal', 'integer', 'positiveInt', 'unsignedInt']);

export interface FhirChange {
	node: FNode;
	/** The resource whose rule changed it. */
	resource: FNode;
	/** JSON path of the value in the input (`["name", 0, "family"]`). */
	path: (string | number)[];
	method: string;
}

interface Run {
	changes?: FhirChange[];
	paths?: Map<FNode, (string | number)[]>;
	root: FNode;
	input: FhirInputContext;
	visited: Set<FNode>;
	ops: Map<FNode, Set<FhirMethod>>;
	version: number;
	json?: { version: number; resource: FNode; obj: Record<string, unknown>; map: Map<object, FNode>; back: Map<FNode, object> };
}

export interface FhirAnonymizerOptions {
	/**
	 * A value that is not valid for its element (wrong JSON type, a code outside the element's value set, an
	 * unparseable date, an unknown element or nested resource type): `redact` (default) drops it and reports its
	 * path; `raise` rejects the resource, as the Microsoft anonymizer does.
	 */
	invalid?: 'redact' | 'raise';
}

export class FhirAnonymizer {
	private readonly compiled = new Map<string, (r: unknown, env: object) => unknown[]>();
	private run?: Run;
	readonly dateShiftKey: string;
	readonly cryptoHashKey: string;
	readonly encryptKey: string;

	constructor(
		readonly config: FhirConfig,
		readonly deps: FhirDeps,
		readonly processors: Record<string, CustomProcessor> = {},
		readonly options: FhirAnonymizerOptions = {},
	) {
		const p = config.parameters;
		const randomKey = () => Array.from(deps.randomBytes(16), (b) => b.toString(16).padStart(2, '0')).join('');
		// Upstream: an empty dateShiftKey is a random GUID per engine; empty hash/encrypt keys one random key.
		this.dateShiftKey = p.dateShiftKey || randomKey();
		const shared = randomKey().slice(0, 32);
		this.cryptoHashKey = p.cryptoHashKey || shared;
		this.encryptKey = p.encryptKey || shared;
	}

	/** Anonymize one resource (parsed JSON). Returns the new JSON object (numbers as JsonNumber). */
	anonymize(json: unknown, input: FhirInputContext = {}): Record<string, unknown> {
		return this.anonymizeWithChanges(json, input, false).output;
	}

	/**
	 * Anonymize and report which input values the rules changed (JSON paths, for editor diagnostics) and which
	 * invalid values were redacted (element paths and types only).
	 */
	anonymizeWithChanges(json: unknown, input: FhirInputContext = {}, record = true): { output: Record<string, unknown>; changes: FhirChange[]; issues: FhirIssue[] } {
		const changes: FhirChange[] = [];
		const issues: FhirIssue[] = [];
		const redacting = this.options.invalid !== 'raise';
		let root: FNode;
		try {
			root = buildResource(json, redacting ? issues : undefined);
		} catch (e) {
			// A resource of a type R4 does not have: none of its content can be judged, so none of it is kept.
			if (redacting && e instanceof FhirParseError && resourceProblem(json) === 'unknown R4 resource type') {
				issues.push({ path: 'resourceType', problem: 'unknown R4 resource type: the whole resource was redacted' });
				return { output: { meta: { security: [{ ...LABELS[0][1] }] } }, changes, issues };
			}
			throw e;
		}
		try {
			this.process(root, input, record ? changes : undefined, issues);
		} catch (e) {
			if (e instanceof FhirProcessingError && this.config.processingErrors === 'skip') {
				const rt = root.type;
				const label = LABELS[0][1];
				return { output: { resourceType: rt, meta: { security: [{ ...label }] } }, changes, issues };
			}
			throw e;
		}
		return { output: toJson(root, 'raw'), changes, issues };
	}

	private process(root: FNode, input: FhirInputContext, changes: FhirChange[] | undefined, issues: FhirIssue[]): void {
		const run: Run = { root, input, visited: new Set(), ops: new Map(), version: 0, changes, paths: changes ? jsonPaths(root) : undefined };
		this.run = run;
		try {
			for (const issue of issues) if (issue.resource) this.addOps(issue.resource, ['REDACT']);
			for (const resource of resourcesOf(root)) {
				const cache = [...descendants(resource)];
				for (const rule of this.config.rules) {
					if (rule.resourceType && rule.resourceType !== resource.type && rule.resourceType !== 'Resource' && rule.resourceType !== 'DomainResource') continue;
					const matches = this.match(rule, resource, cache);
					for (const node of matches) this.processRecursive(node, rule, resource);
				}
			}
			prune(root);
			this.applyLabels(root);
		} finally {
			this.run = undefined;
		}
	}

	private addOps(resource: FNode, ops: FhirMethod[]): void {
		const run = this.run!;
		let set = run.ops.get(resource);
		if (!set) run.ops.set(resource, (set = new Set()));
		for (const o of ops) set.add(o);
	}

	private match(rule: FhirRule, resource: FNode, cache: FNode[]): FNode[] {
		if (rule.fast) {
			const { kind, name, child } = rule.fast;
			const hits = cache.filter((n) => (kind === 'type' ? n.type === name && !n.isResource : n.name === name));
			return child ? hits.flatMap((n) => childrenNamed(n, child)) : hits;
		}
		if (rule.expression === rule.resourceType && rule.resourceType) return [resource];
		return this.evaluate(rule.expression, resource);
	}

	/** Evaluate a FHIRPath expression with `resource` as context; results map back to tree nodes. */
	evaluate(expression: string, resource: FNode): FNode[] {
		const j = this.jsonOf(resource);
		let fn = this.compiled.get(expression);
		if (!fn) {
			fn = fhirpathLib().compile(expression, r4Model() as never, { resolveInternalTypes: false, userInvocationTable: this.userFunctions() } as never) as unknown as (r: unknown, env: object) => unknown[];
			this.compiled.set(expression, fn);
		}
		let results: unknown[];
		try {
			results = fn(j.obj, {});
		} catch {
			// (fhirpath.js messages can quote data values: the rule's own expression is named instead)
			throw new FhirRuleError(`evaluating '${expression}' failed`);
		}
		const out: FNode[] = [];
		for (const r of results) {
			const n = this.nodeOf(r as ResNode, j.map);
			if (n) out.push(n);
		}
		return out;
	}

	private jsonOf(resource: FNode) {
		const run = this.run!;
		if (!run.json || run.json.version !== run.version || run.json.resource !== resource) {
			const map = new Map<object, FNode>();
			const obj = toJson(resource, 'js', map);
			const back = new Map<FNode, object>();
			for (const [o, n] of map) back.set(n, o);
			run.json = { version: run.version, resource, obj, map, back };
		}
		return run.json;
	}

	private nodeOf(r: ResNode | undefined, map: Map<object, FNode>): FNode | undefined {
		if (!r || typeof r !== 'object' || !('parentResNode' in r || 'data' in r)) return undefined;
		if (r.data && typeof r.data === 'object' && map.has(r.data)) return map.get(r.data);
		if (r._data && typeof r._data === 'object' && map.has(r._data)) return map.get(r._data);
		const parent = r.parentResNode ? this.nodeOf(r.parentResNode, map) : undefined;
		if (!parent || !r.propName) return undefined;
		return childrenNamed(parent, r.propName)[r.index ?? 0];
	}

	/** The fhirpath.js node for a tree node, walking down from `fromRes` (the node of `from`). */
	private resNodeFor(target: FNode, from: FNode, fromRes: ResNode): ResNode | undefined {
		const chain: FNode[] = [];
		for (let n: FNode | undefined = target; n && n !== from; n = n.parent) chain.unshift(n);
		if (chain.length && chain[0].parent !== from) return undefined;
		const back = this.run!.json!.back;
		let cur = fromRes;
		for (const step of chain) {
			const kids = fhirpathLib().util.makeChildResNodes(cur.ctx ?? {}, cur, step.name, r4Model()) as ResNode[];
			const obj = back.get(step);
			let next = obj ? kids.find((k) => k.data === obj || k._data === obj) : undefined;
			if (!next || (step.isPrimitive && !obj)) next = kids[childrenNamed(step.parent!, step.name).indexOf(step)];
			if (!next) return undefined;
			cur = next;
		}
		return cur;
	}

	private userFunctions() {
		const self = this;
		const collect = (inputs: ResNode[], test: (n: FNode) => boolean): ResNode[] => {
			const j = self.run!.json!;
			const out: ResNode[] = [];
			for (const input of inputs) {
				const start = self.nodeOf(input, j.map);
				if (!start) continue;
				const nodes = [start, ...descendants(start)].filter(test);
				for (const n of nodes) {
					const rn = n === start ? input : self.resNodeFor(n, start, input);
					if (rn) out.push(rn);
				}
			}
			return out;
		};
		return {
			nodesByType: { fn: (inputs: ResNode[], type: string) => collect(inputs, (n) => n.type === type && !n.isResource), arity: { 1: ['String'] }, internalStructures: true },
			nodesByName: { fn: (inputs: ResNode[], name: string) => collect(inputs, (n) => n.name === name), arity: { 1: ['String'] }, internalStructures: true },
			replaceMatches: {
				fn: (inputs: unknown[], regex: string, repl: string) => {
					const v = inputs.map((i) => ((i as ResNode)?.data !== undefined && typeof i === 'object' ? (i as ResNode).data : i));
					if (v.length !== 1 || typeof v[0] !== 'string' || typeof regex !== 'string' || typeof repl !== 'string') return [];
					return [v[0].replace(new RegExp(regex, 'gu'), repl.replace(/\$\{([A-Za-z_]\w*)\}/g, '$<$1>'))];
				},
				arity: { 2: ['String', 'String'] },
			},
		};
	}

	private processRecursive(node: FNode, rule: FhirRule, resource: FNode): void {
		const run = this.run!;
		if (run.visited.has(node)) return;
		const before = node.value;
		const ops = this.apply(node, rule, resource);
		if (run.changes && node.isPrimitive && before !== undefined && node.value !== before) {
			const path = run.paths!.get(node);
			if (path) run.changes.push({ node, resource, path, method: rule.method });
		}
		run.visited.add(node);
		if (ops && ops.length) this.addOps(resource, ops);
		for (const child of [...node.children]) if (!child.isResource) this.processRecursive(child, rule, resource);
	}

	private touch(): void {
		this.run!.version++;
	}

	private setValue(node: FNode, value: Primitive | undefined): void {
		node.value = value;
		this.touch();
	}

	private apply(node: FNode, rule: FhirRule, resource: FNode): FhirMethod[] | void {
		switch (rule.method) {
			case 'keep':
				return;
			case 'redact':
				return this.redact(node);
			case 'dateshift':
				return this.dateShift(node);
			case 'cryptohash':
				return this.cryptoHash(node);
			case 'encrypt':
				return this.encrypt(node);
			case 'substitute':
				return this.substitute(node, rule);
			case 'perturb':
				return this.perturb(node, rule);
			case 'generalize':
				return this.generalize(node, rule, resource);
			default: {
				const custom = this.processors[rule.method];
				if (!custom) throw new FhirRuleError(`fhirPathRules[${rule.index}]: method '${rule.settings.method}' is not supported`);
				return custom({ node, resource, root: this.run!.root, rule, engine: this, input: this.run!.input });
			}
		}
	}

	// ---- redact -------------------------------------------------------------------------------------------

	private hasValue(node: FNode): boolean {
		return node.value !== undefined && String(node.value) !== '';
	}

	redact(node: FNode): FhirMethod[] | void {
		if (!this.hasValue(node)) return;
		const p = this.config.parameters;
		if (node.type === 'date' || node.type === 'dateTime' || node.type === 'instant') return this.redactDate(node);
		if (node.name === 'value' && node.parent?.type === 'Age' && node.type === 'decimal') {
			if (p.enablePartialAgesForRedact) {
				const text = String(node.value);
				if (!/^[+-]?\d+$/.test(text)) throw new FhirProcessingError(`Age.value is not an integer`);
				if (Number(text) <= AGE_THRESHOLD) return;
			}
			this.setValue(node, undefined);
			return ['REDACT'];
		}
		if (node.name === 'postalCode') {
			const v = String(node.value);
			if (p.enablePartialZipCodesForRedact && v.length < 3) return ['ABSTRACT'];
			// Partial redaction keeps the first three characters and the non-digits: only a ZIP (digits) is cut so.
			if (p.enablePartialZipCodesForRedact && /^\d[\d -]*$/.test(v)) {
				const restricted = p.restrictedZipCodeTabulationAreas.some((z) => v.startsWith(z));
				this.setValue(node, restricted ? v.replace(/\d/g, '0') : v.slice(0, 3) + v.slice(3).replace(/\d/g, '0'));
				return ['ABSTRACT'];
			}
			this.setValue(node, undefined);
			return ['REDACT'];
		}
		this.setValue(node, undefined);
		return ['REDACT'];
	}

	private redactDate(node: FNode): FhirMethod[] {
		const d = parseFhirDate(String(node.value), node.type);
		if (this.config.parameters.enablePartialDatesForRedact && !this.ageOver(d)) this.setValue(node, String(d.year).padStart(4, '0'));
		else this.setValue(node, undefined);
		return ['REDACT'];
	}

	private ageOver(d: FhirDate): boolean {
		const now = this.deps.now();
		const ny = now.getUTCFullYear();
		const nm = now.getUTCMonth() + 1;
		const nd = now.getUTCDate();
		const m = d.month ?? 1;
		const day = d.day ?? 1;
		const age = ny - d.year - (nm < m || (nm === m && nd < day) ? 1 : 0);
		return age > AGE_THRESHOLD;
	}

	// ---- dateShift -----------------------------------------------------------------------------------------

	/** Offset in days for this input, as upstream computes it. */
	dateShiftOffset(): number {
		const p = this.config.parameters;
		if (p.dateShiftFixedOffsetInDays !== undefined) return p.dateShiftFixedOffsetInDays;
		const run = this.run!;
		const prefix =
			p.dateShiftScope === 'file' ? (run.input.fileName ?? '') : p.dateShiftScope === 'folder' ? (run.input.folderName ?? '') : String(childrenNamed(run.root, 'id')[0]?.value ?? '');
		return dateShiftOffset(prefix, this.dateShiftKey);
	}

	dateShift(node: FNode): FhirMethod[] | void {
		if (!this.hasValue(node)) return;
		if (node.type !== 'date' && node.type !== 'dateTime' && node.type !== 'instant') return;
		const d = parseFhirDate(String(node.value), node.type);
		if (d.day === undefined || this.ageOver(d)) return this.redactDate(node);
		this.setValue(node, shiftFhirDate(d, this.dateShiftOffset(), node.type));
		return ['PERTURB'];
	}

	// ---- cryptoHash / encrypt ------------------------------------------------------------------------------

	hash(text: string): string {
		return text === '' ? '' : this.deps.hmacSha256Hex(this.cryptoHashKey, text);
	}

	cryptoHash(node: FNode): FhirMethod[] | void {
		if (!this.hasValue(node)) return;
		const text = valueText(node.value!);
		const isReference = node.name === 'reference' && node.parent?.type === 'Reference';
		this.setValue(node, isReference ? hashReference(text, (s) => this.hash(s)) : this.hash(text));
		return ['CRYPTOHASH'];
	}

	encrypt(node: FNode): FhirMethod[] | void {
		if (!this.hasValue(node)) return;
		const iv = this.deps.randomBytes(16);
		const ct = this.deps.aesCbcEncrypt(utf8Encode(this.encryptKey), iv, utf8Encode(valueText(node.value!)));
		const all = new Uint8Array(16 + ct.length);
		all.set(iv, 0);
		all.set(ct, 16);
		this.setValue(node, base64Encode(all));
		return ['ENCRYPT'];
	}

	// ---- substitute ----------------------------------------------------------------------------------------

	private substitute(node: FNode, rule: FhirRule): FhirMethod[] {
		const run = this.run!;
		const replaceWith = rule.settings.replaceWith;
		if (node.isPrimitive) {
			this.setValue(node, replaceWith instanceof JsonNumber ? replaceWith : typeof replaceWith === 'string' || typeof replaceWith === 'boolean' ? replaceWith : JSON.stringify(replaceWith));
		} else {
			let repJson: unknown = replaceWith;
			if (typeof repJson === 'string') {
				try {
					repJson = JSON.parse(repJson);
				} catch {
					throw new FhirRuleError(`fhirPathRules[${rule.index}]: replaceWith is not a JSON ${node.type}`);
				}
			}
			if (!isObject(repJson)) throw new FhirRuleError(`fhirPathRules[${rule.index}]: replaceWith must be a JSON ${node.type}`);
			const rep = fragment(node, repJson);
			this.merge(node, rep);
		}
		const mark = (n: FNode) => {
			run.visited.add(n);
			for (const c of n.children) if (!c.isResource) mark(c);
		};
		mark(node);
		this.touch();
		return ['SUBSTITUTE'];
	}

	private containsVisited(n: FNode): boolean {
		if (this.run!.visited.has(n)) return true;
		return n.children.some((c) => !c.isResource && this.containsVisited(c));
	}

	private merge(node: FNode, rep: FNode | undefined): void {
		const visited = this.run!.visited;
		if (!visited.has(node)) node.value = rep?.value;
		const names: string[] = [];
		for (const c of [...node.children, ...(rep?.children ?? [])]) if (!names.includes(c.name)) names.push(c.name);
		for (const name of names) {
			const existing = childrenNamed(node, name).filter((c) => !c.isResource);
			const reps = rep ? childrenNamed(rep, name) : [];
			for (let i = 0; i < Math.max(existing.length, reps.length); i++) {
				const e = existing[i];
				const r = reps[i];
				if (e && r) {
					if (!visited.has(e)) this.merge(e, r);
				} else if (e) {
					if (this.containsVisited(e)) this.merge(e, undefined);
					else node.children.splice(node.children.indexOf(e), 1);
				} else if (r) {
					r.parent = node;
					node.children.push(r);
				}
			}
		}
	}

	// ---- perturb ------------------------------------------------------------------------------------------

	private perturb(node: FNode, rule: FhirRule): FhirMethod[] | void {
		const numeric = new Set(['decimal', 'integer', 'positiveInt', 'unsignedInt']);
		const quantities = new Set(['Age', 'Count', 'Duration', 'Distance', 'Money', 'MoneyQuantity', 'Quantity', 'SimpleQuantity']);
		let target: FNode | undefined = node;
		if (!numeric.has(node.type)) {
			if (quantities.has(node.type)) target = childrenNamed(node, 'value')[0];
			else return;
		}
		if (!target || !this.hasValue(target)) return;
		if (target !== node && this.run!.visited.has(target)) return;
		const value = Number(valueText(target.value!));
		if (!Number.isFinite(value)) throw new FhirProcessingError(`perturb: not a number`);
		const s = rule.settings;
		const span = Number(String(s.span));
		const proportional = String(s.rangeType ?? 'fixed').toLowerCase() === 'proportional';
		const integer = target.type !== 'decimal';
		const roundTo = integer ? 0 : s.roundTo === undefined ? 2 : Number(String(s.roundTo));
		const width = proportional ? span * Math.abs(value) : span;
		let out = value + (width === 0 ? 0 : (this.deps.random() - 0.5) * width);
		out = roundHalfEven(out, roundTo);
		if (target.type === 'positiveInt' && out <= 0) out = 1;
		if (target.type === 'unsignedInt' && out < 0) out = 0;
		this.setValue(target, new JsonNumber(integer ? String(Math.trunc(out)) : formatDecimal(out, roundTo)));
		if (target !== node) this.run!.visited.add(target);
		return ['PERTURB'];
	}

	// ---- generalize ---------------------------------------------------------------------------------------

	private generalize(node: FNode, rule: FhirRule, resource: FNode): FhirMethod[] | void {
		if (!node.isPrimitive) throw new FhirRuleError(`fhirPathRules[${rule.index}]: generalize applies only to primitive values, not ${node.type}`);
		if (!this.hasValue(node)) return;
		const j = this.jsonOf(resource);
		const rootRes = (fhirpathLib().evaluate(j.obj, '$this', {}, r4Model() as never, { resolveInternalTypes: false } as never) as ResNode[])[0];
		const res = this.resNodeFor(node, resource, rootRes);
		if (!res) throw new FhirProcessingError('generalize: node not reachable');
		const cases = rule.settings.cases as Record<string, string>;
		const opts = { resolveInternalTypes: false, userInvocationTable: this.userFunctions() };
		for (const [pred, valueExpr] of Object.entries(cases)) {
			let hit: unknown[];
			try {
				hit = fhirpathLib().evaluate(res as never, pred, {}, r4Model() as never, opts as never) as unknown[];
			} catch {
				throw new FhirProcessingError(`generalize case failed (rule ${rule.index}: type mismatch or evaluation error)`);
			}
			if (hit.length === 1 && hit[0] === true) {
				let val: unknown[];
				try {
					val = fhirpathLib().evaluate(res as never, valueExpr, {}, r4Model() as never, opts as never) as unknown[];
				} catch {
					throw new FhirProcessingError(`generalize value failed (rule ${rule.index})`);
				}
				const v = val[0];
				const scalar = v === undefined || v === null ? undefined : typeof v === 'object' && 'data' in (v as object) ? (v as ResNode).data : v;
				if (scalar === undefined || scalar === null) this.setValue(node, undefined);
				else if (typeof scalar === 'number' || NUMERIC.has(node.type)) this.setValue(node, new JsonNumber(String(scalar)));
				else if (typeof scalar === 'boolean') this.setValue(node, scalar);
				else this.setValue(node, String(scalar).replace(/^@T?/, ''));
				return ['GENERALIZE'];
			}
		}
		if (String(rule.settings.otherValues ?? 'redact').toLowerCase() !== 'keep') this.setValue(node, undefined);
		return ['GENERALIZE'];
	}

	// ---- security labels ------------------------------------------------------------------------------------

	private applyLabels(root: FNode): void {
		const run = this.run!;
		const collect = (n: FNode): Set<FhirMethod> => {
			const own = new Set(run.ops.get(n) ?? []);
			const walk = (x: FNode) => {
				for (const c of x.children) {
					if (c.isResource) for (const o of collect(c)) own.add(o);
					else walk(c);
				}
			};
			walk(n);
			if (n.name !== 'contained' && own.size) this.addLabels(n, own);
			return own;
		};
		collect(root);
	}

	private addLabels(resource: FNode, ops: Set<FhirMethod>): void {
		let meta = childrenNamed(resource, 'meta')[0];
		if (!meta) {
			meta = fragmentChild(resource, 'meta', {});
			resource.children.push(meta);
		} else {
			// Upstream rebuilds an existing meta through Firely: canonical child order, instants re-rendered.
			const order = ['id', 'extension', 'versionId', 'lastUpdated', 'source', 'profile', 'security', 'tag'];
			meta.children.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
			for (const c of childrenNamed(meta, 'lastUpdated')) if (typeof c.value === 'string') c.value = c.value.replace(/Z$/, '+00:00');
		}
		const present = new Set(childrenNamed(meta, 'security').map((s) => String(childrenNamed(s, 'code')[0]?.value ?? '')));
		const insertAt = (() => {
			const sec = childrenNamed(meta, 'security');
			if (sec.length) return meta.children.indexOf(sec[sec.length - 1]) + 1;
			const tag = meta.children.findIndex((c) => c.name === 'tag');
			return tag < 0 ? meta.children.length : tag;
		})();
		const add: FNode[] = [];
		for (const [op, label] of LABELS) {
			if (!ops.has(op) || present.has(label.code)) continue;
			add.push(fragmentChild(meta, 'security', label));
		}
		meta.children.splice(insertAt, 0, ...add);
	}
}

interface ResNode {
	ctx?: object;
	data?: unknown;
	_data?: unknown;
	parentResNode?: ResNode;
	propName?: string;
	index?: number | null;
	fhirNodeDataType?: string;
}

/** A replacement fragment parsed as `like`'s type. */
function fragment(like: FNode, json: Record<string, unknown>): FNode {
	const n: FNode = { ...like, children: [], value: undefined, parent: undefined };
	fillFromJson(n, json, like.isResource);
	return n;
}

/** A new child `key` of `parent`, built from JSON. */
function fragmentChild(parent: FNode, key: string, json: Record<string, unknown>): FNode {
	const info = childInfo(parent.typePath, parent.isResource, key);
	if (!info) throw new FhirRuleError(`cannot add '${key}' to ${parent.type}`);
	const n: FNode = { name: info.name, key, type: info.type, typePath: info.typePath, children: [], parent, isResource: false, isPrimitive: false, isArray: info.repeating };
	fillFromJson(n, json, false);
	return n;
}

/** JSON path of every node of the input tree. */
function jsonPaths(root: FNode): Map<FNode, (string | number)[]> {
	const out = new Map<FNode, (string | number)[]>();
	const walk = (n: FNode, path: (string | number)[]) => {
		out.set(n, path);
		const seen = new Map<string, number>();
		for (const c of n.children) {
			const i = seen.get(c.key) ?? 0;
			seen.set(c.key, i + 1);
			walk(c, c.isArray ? [...path, c.key, i] : [...path, c.key]);
		}
	};
	walk(root, []);
	return out;
}

// ---- pure helpers (exported for the vectors) ---------------------------------------------------------------

export function dateShiftOffset(prefix: string, key: string): number {
	let o = 0;
	for (const b of utf8Encode(prefix + key)) o = (o * 131 + b) % 101;
	return o - 50;
}

export function parseFhirDate(text: string, type: string): FhirDate {
	const d = tryParseFhirDate(text);
	if (!d) throw new FhirParseError(`invalid ${type} value`);
	return d;
}

export function shiftFhirDate(d: FhirDate, days: number, type: string): string {
	const t = new Date(0);
	t.setUTCFullYear(d.year, d.month! - 1, d.day! + days);
	const date = `${String(t.getUTCFullYear()).padStart(4, '0')}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')}`;
	if (type === 'date' || !d.time) return date;
	return `${date}T${d.time.replace(/\d/g, '0')}${d.zone ?? ''}`;
}

function valueText(v: Primitive): string {
	if (typeof v === 'boolean') return v ? 'True' : 'False';
	return String(v);
}

const ID = '[A-Za-z0-9\\-.]{1,64}';
const HOST = /^https?:\/\/[A-Za-z0-9/.:%$]*$/;
const OID = /^urn:oid:[0-2](?:\.(?:0|[1-9]\d*))+$/;
const UUID = /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Hash the id part of a reference (`Patient/x`, `#x`, `urn:uuid:…`), or the whole value when it has no id part. */
export function hashReference(ref: string, hash: (s: string) => string): string {
	if (ref === '') return '';
	if (ref.startsWith('#')) return ref.length === 1 ? ref : '#' + hash(ref.slice(1));
	if (OID.test(ref)) return 'urn:oid:' + hash(ref.slice(8));
	if (UUID.test(ref)) return 'urn:uuid:' + hash(ref.slice(9));
	const m = new RegExp(`^(.*?)/(${ID})(/_history/${ID})?$`).exec(ref) ?? undefined;
	if (m) {
		// `m[1]` ends with "<host/>Type"; the type is the shortest suffix that is an R4 resource type.
		const before = m[1];
		const slash = before.lastIndexOf('/');
		const seg = before.slice(slash + 1);
		for (let i = seg.length - 1; i >= 0; i--) {
			const type = seg.slice(i);
			if (!/^[A-Z]/.test(type) || !isResourceType(type)) continue;
			const host = before.slice(0, slash + 1 + i);
			if (host === '' || HOST.test(host)) return `${host}${type}/${hash(m[2])}${m[3] ?? ''}`;
		}
	}
	return hash(ref);
}

function roundHalfEven(x: number, digits: number): number {
	const f = 10 ** digits;
	const y = x * f;
	const r = Math.round(y);
	const diff = Math.abs(y - Math.trunc(y));
	const even = Math.abs(diff - 0.5) < 1e-9 ? (Math.trunc(y) % 2 === 0 ? Math.trunc(y) : Math.trunc(y) + Math.sign(y)) : r;
	return even / f;
}

function formatDecimal(x: number, digits: number): string {
	return String(Number(x.toFixed(digits)));
}
