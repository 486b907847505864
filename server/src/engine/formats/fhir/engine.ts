// The FHIR anonymizer engine: Microsoft's rule semantics (fhirPathRules, first matching rule wins, visited set,
// recursion, pruning, security labels) over our typed tree. Pure: clock, randomness, HMAC and AES are injected.
import type { FhirConfig, FhirRule } from './config';
import { buildResource, descendants, FhirParseError, prune, resourceProblem, resourcesOf, toJson, type FhirIssue, type FNode } from './tree';
import {
	FhirProcessingError,
	FhirRuleError,
	LABELS,
	type CustomProcessor,
	type FhirAnonymizerOptions,
	type FhirChange,
	type FhirDeps,
	type FhirInputContext,
	type FhirMethod,
	type Run,
} from './anonymizerTypes';
import { applyLabels } from './labels';
import * as methods from './methods';
import { FhirPathEvaluator } from './pathMatch';

export type { FhirDate } from './validate';
export type { FhirIssue } from './tree';
export { FhirProcessingError, FhirRuleError } from './anonymizerTypes';
export type { CustomProcessor, FhirAnonymizerOptions, FhirChange, FhirDeps, FhirInputContext, FhirMethod, NodeContext } from './anonymizerTypes';
export { dateShiftOffset, hashReference, parseFhirDate, shiftFhirDate } from './values';

export class FhirAnonymizer {
	private readonly paths = new FhirPathEvaluator();
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
		// as upstream: an empty dateShiftKey is a random key per engine; empty hash and encrypt keys share one
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
	anonymizeWithChanges(
		json: unknown,
		input: FhirInputContext = {},
		record = true,
	): { output: Record<string, unknown>; changes: FhirChange[]; issues: FhirIssue[] } {
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
				return { output: { resourceType: root.type, meta: { security: [{ ...LABELS[0][1] }] } }, changes, issues };
			}
			throw e;
		}
		return { output: toJson(root, 'raw'), changes, issues };
	}

	/** Evaluate a FHIRPath expression with `resource` as context; results map back to tree nodes. */
	evaluate(expression: string, resource: FNode): FNode[] {
		return this.paths.evaluate(this.run!, expression, resource);
	}

	redact(node: FNode): FhirMethod[] | void {
		return methods.redact(this.host(), node);
	}

	/** Offset in days for this input, as upstream computes it. */
	dateShiftOffset(): number {
		return methods.inputDateShift(this.host());
	}

	dateShift(node: FNode): FhirMethod[] | void {
		return methods.dateShift(this.host(), node);
	}

	hash(text: string): string {
		return methods.hashText(this.host(), text);
	}

	cryptoHash(node: FNode): FhirMethod[] | void {
		return methods.cryptoHash(this.host(), node);
	}

	encrypt(node: FNode): FhirMethod[] | void {
		return methods.encrypt(this.host(), node);
	}

	private host(): methods.MethodHost {
		return {
			config: this.config,
			deps: this.deps,
			dateShiftKey: this.dateShiftKey,
			cryptoHashKey: this.cryptoHashKey,
			encryptKey: this.encryptKey,
			run: this.run,
		};
	}

	/** Every rule over every resource (contained ones too), then pruning and security labels. */
	private process(root: FNode, input: FhirInputContext, changes: FhirChange[] | undefined, issues: FhirIssue[]): void {
		const run: Run = { root, input, visited: new Set(), ops: new Map(), version: 0, changes, paths: changes ? jsonPaths(root) : undefined };
		this.run = run;
		try {
			for (const issue of issues) if (issue.resource) addOps(run, issue.resource, ['REDACT']);
			for (const resource of resourcesOf(root)) {
				const cache = [...descendants(resource)];
				for (const rule of this.config.rules) {
					if (
						rule.resourceType &&
						rule.resourceType !== resource.type &&
						rule.resourceType !== 'Resource' &&
						rule.resourceType !== 'DomainResource'
					)
						continue;
					const matches = this.paths.match(run, rule, resource, cache);
					for (const node of matches) this.processRecursive(run, node, rule, resource);
				}
			}
			prune(root);
			applyLabels(run, root);
		} finally {
			this.run = undefined;
		}
	}

	/** Apply a rule to a node and its descendants not yet visited (the first matching rule wins). */
	private processRecursive(run: Run, node: FNode, rule: FhirRule, resource: FNode): void {
		if (run.visited.has(node)) return;
		const before = node.value;
		const ops = this.apply(node, rule, resource);
		if (run.changes && node.isPrimitive && before !== undefined && node.value !== before) {
			const path = run.paths!.get(node);
			if (path) run.changes.push({ node, resource, path, method: rule.method });
		}
		run.visited.add(node);
		if (ops && ops.length) addOps(run, resource, ops);
		for (const child of [...node.children]) if (!child.isResource) this.processRecursive(run, child, rule, resource);
	}

	private apply(node: FNode, rule: FhirRule, resource: FNode): FhirMethod[] | void {
		const host = this.host();
		switch (rule.method) {
			case 'keep':
				return;
			case 'redact':
				return methods.redact(host, node);
			case 'dateshift':
				return methods.dateShift(host, node);
			case 'cryptohash':
				return methods.cryptoHash(host, node);
			case 'encrypt':
				return methods.encrypt(host, node);
			case 'substitute':
				return methods.substitute(host, node, rule);
			case 'perturb':
				return methods.perturb(host, node, rule);
			case 'generalize':
				return methods.generalize(host, node, rule, resource);
			default: {
				const custom = this.processors[rule.method];
				if (!custom) throw new FhirRuleError(`fhirPathRules[${rule.index}]: method '${rule.settings.method}' is not supported`);
				return custom({ node, resource, root: this.run!.root, rule, engine: this, input: this.run!.input });
			}
		}
	}
}

function addOps(run: Run, resource: FNode, ops: FhirMethod[]): void {
	let set = run.ops.get(resource);
	if (!set) run.ops.set(resource, (set = new Set()));
	for (const o of ops) set.add(o);
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
