// Which nodes a rule applies to: fast paths for plain type and name rules, FHIRPath (fhirpath.js) for the rest,
// with fhirpath.js result nodes mapped back to tree nodes.
import type { FhirRule } from './config';
import { fhirpathLib } from './fhirpathLib';
import { r4Model } from './model';
import { childrenNamed, descendants, toJson, type FNode } from './tree';
import { FhirRuleError, type ResNode, type Run, type RunJson } from './anonymizerTypes';

type Compiled = (resource: unknown, env: object) => unknown[];

export class FhirPathEvaluator {
	private readonly compiled = new Map<string, Compiled>();
	/** The run being evaluated: compiled expressions outlive a run, so their functions look it up when called. */
	private current?: Run;

	/** The nodes of `resource` (its descendants in `cache`) that `rule` matches. */
	match(run: Run, rule: FhirRule, resource: FNode, cache: FNode[]): FNode[] {
		if (rule.fast) {
			const { kind, name, child } = rule.fast;
			const hits = cache.filter((n) => (kind === 'type' ? n.type === name && !n.isResource : n.name === name));
			return child ? hits.flatMap((n) => childrenNamed(n, child)) : hits;
		}
		if (rule.expression === rule.resourceType && rule.resourceType) return [resource];
		return this.evaluate(run, rule.expression, resource);
	}

	/** Evaluate a FHIRPath expression with `resource` as context; results map back to tree nodes. */
	evaluate(run: Run, expression: string, resource: FNode): FNode[] {
		this.current = run;
		const json = jsonOf(run, resource);
		let fn = this.compiled.get(expression);
		if (!fn) {
			fn = fhirpathLib().compile(
				expression,
				r4Model() as never,
				{ resolveInternalTypes: false, userInvocationTable: userFunctions(() => this.current!) } as never,
			) as unknown as Compiled;
			this.compiled.set(expression, fn);
		}
		let results: unknown[];
		try {
			results = fn(json.obj, {});
		} catch {
			// fhirpath.js messages can quote data values: the rule's own expression is named instead
			throw new FhirRuleError(`evaluating '${expression}' failed`);
		}
		const out: FNode[] = [];
		for (const r of results) {
			const n = nodeOf(r as ResNode, json.map);
			if (n) out.push(n);
		}
		return out;
	}
}

/** The JSON form of `resource`, rebuilt when the tree changed since the last one. */
export function jsonOf(run: Run, resource: FNode): RunJson {
	if (!run.json || run.json.version !== run.version || run.json.resource !== resource) {
		const map = new Map<object, FNode>();
		const obj = toJson(resource, 'js', map);
		const back = new Map<FNode, object>();
		for (const [o, n] of map) back.set(n, o);
		run.json = { version: run.version, resource, obj, map, back };
	}
	return run.json;
}

function nodeOf(r: ResNode | undefined, map: Map<object, FNode>): FNode | undefined {
	if (!r || typeof r !== 'object' || !('parentResNode' in r || 'data' in r)) return undefined;
	if (r.data && typeof r.data === 'object' && map.has(r.data)) return map.get(r.data);
	if (r._data && typeof r._data === 'object' && map.has(r._data)) return map.get(r._data);
	const parent = r.parentResNode ? nodeOf(r.parentResNode, map) : undefined;
	if (!parent || !r.propName) return undefined;
	return childrenNamed(parent, r.propName)[r.index ?? 0];
}

/** The fhirpath.js node for a tree node, walking down from `fromRes` (the node of `from`). */
export function resNodeFor(run: Run, target: FNode, from: FNode, fromRes: ResNode): ResNode | undefined {
	const chain: FNode[] = [];
	for (let n: FNode | undefined = target; n && n !== from; n = n.parent) chain.unshift(n);
	if (chain.length && chain[0].parent !== from) return undefined;
	const back = run.json!.back;
	let current = fromRes;
	for (const step of chain) {
		const kids = fhirpathLib().util.makeChildResNodes(current.ctx ?? {}, current, step.name, r4Model()) as ResNode[];
		const obj = back.get(step);
		let next = obj ? kids.find((k) => k.data === obj || k._data === obj) : undefined;
		if (!next || (step.isPrimitive && !obj)) next = kids[childrenNamed(step.parent!, step.name).indexOf(step)];
		if (!next) return undefined;
		current = next;
	}
	return current;
}

/** Our FHIRPath functions: nodesByType, nodesByName (descendants) and replaceMatches (named groups as ${name}). */
export function userFunctions(currentRun: () => Run) {
	const collect = (inputs: ResNode[], test: (n: FNode) => boolean): ResNode[] => {
		const run = currentRun();
		const json = run.json!;
		const out: ResNode[] = [];
		for (const input of inputs) {
			const start = nodeOf(input, json.map);
			if (!start) continue;
			const nodes = [start, ...descendants(start)].filter(test);
			for (const n of nodes) {
				const resNode = n === start ? input : resNodeFor(run, n, start, input);
				if (resNode) out.push(resNode);
			}
		}
		return out;
	};
	return {
		nodesByType: {
			fn: (inputs: ResNode[], type: string) => collect(inputs, (n) => n.type === type && !n.isResource),
			arity: { 1: ['String'] },
			internalStructures: true,
		},
		nodesByName: {
			fn: (inputs: ResNode[], name: string) => collect(inputs, (n) => n.name === name),
			arity: { 1: ['String'] },
			internalStructures: true,
		},
		replaceMatches: {
			fn: (inputs: unknown[], regex: string, replacement: string) => {
				const v = inputs.map((i) => ((i as ResNode)?.data !== undefined && typeof i === 'object' ? (i as ResNode).data : i));
				if (v.length !== 1 || typeof v[0] !== 'string' || typeof regex !== 'string' || typeof replacement !== 'string') return [];
				return [v[0].replace(new RegExp(regex, 'gu'), replacement.replace(/\$\{([A-Za-z_]\w*)\}/g, '$<$1>'))];
			},
			arity: { 2: ['String', 'String'] },
		},
	};
}
