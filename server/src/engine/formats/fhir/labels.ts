// Security labels: each resource gets the labels of the methods applied inside it (contained resources included).
import { childInfo } from './model';
import { childrenNamed, fillFromJson, type FNode } from './tree';
import { FhirRuleError, LABELS, type FhirMethod, type Run } from './anonymizerTypes';

/** Add the labels of every resource of the tree, from the methods the run applied. */
export function applyLabels(run: Run, root: FNode): void {
	const collect = (n: FNode): Set<FhirMethod> => {
		const own = new Set(run.ops.get(n) ?? []);
		const walk = (x: FNode) => {
			for (const c of x.children) {
				if (c.isResource) for (const o of collect(c)) own.add(o);
				else walk(c);
			}
		};
		walk(n);
		if (n.name !== 'contained' && own.size) addLabels(n, own);
		return own;
	};
	collect(root);
}

/** Meta's children in the order upstream's Firely serializer writes them. */
const META_ORDER = ['id', 'extension', 'versionId', 'lastUpdated', 'source', 'profile', 'security', 'tag'];

function addLabels(resource: FNode, ops: Set<FhirMethod>): void {
	let meta = childrenNamed(resource, 'meta')[0];
	if (!meta) {
		meta = fragmentChild(resource, 'meta', {});
		resource.children.push(meta);
	} else {
		// upstream rebuilds an existing meta through Firely: canonical child order, instants re-rendered
		meta.children.sort((a, b) => META_ORDER.indexOf(a.name) - META_ORDER.indexOf(b.name));
		for (const c of childrenNamed(meta, 'lastUpdated')) if (typeof c.value === 'string') c.value = c.value.replace(/Z$/, '+00:00');
	}
	const present = new Set(childrenNamed(meta, 'security').map((s) => String(childrenNamed(s, 'code')[0]?.value ?? '')));
	const insertAt = (() => {
		const security = childrenNamed(meta, 'security');
		if (security.length) return meta.children.indexOf(security[security.length - 1]) + 1;
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

/** A new child `key` of `parent`, built from JSON. */
function fragmentChild(parent: FNode, key: string, json: Record<string, unknown>): FNode {
	const info = childInfo(parent.typePath, parent.isResource, key);
	if (!info) throw new FhirRuleError(`cannot add '${key}' to ${parent.type}`);
	const n: FNode = {
		name: info.name,
		key,
		type: info.type,
		typePath: info.typePath,
		children: [],
		parent,
		isResource: false,
		isPrimitive: false,
		isArray: info.repeating,
	};
	fillFromJson(n, json, false);
	return n;
}
