// A typed element tree over one FHIR resource (JSON), the structure the anonymizer rules work on.
// Numbers keep their source text (`1.50` stays `1.50`); primitives and their `_x` companions are one node.
import { parse as losslessParse } from 'lossless-json';
import { childInfo, isResourceType, PRIMITIVE_TYPES } from './model';
import { primitiveProblem, type JsonKind } from './validate';

/** A JSON number kept as its source text. */
export class JsonNumber {
	constructor(readonly raw: string) {}
	valueOf(): number {
		return Number(this.raw);
	}
	toString(): string {
		return this.raw;
	}
}

export type Primitive = string | boolean | JsonNumber;

export interface FNode {
	/** Element name without choice suffix; for a resource, the element holding it (`contained`, `resource`) or its type at the root. */
	name: string;
	/** JSON property name (`valueQuantity`). */
	key: string;
	/** Firely-style instance type; for a resource, its resource type. */
	type: string;
	typePath: string;
	value?: Primitive;
	children: FNode[];
	parent?: FNode;
	isResource: boolean;
	isPrimitive: boolean;
	/** Serialised as a JSON array. */
	isArray: boolean;
}

export class FhirParseError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FhirParseError';
	}
}

/** Parse JSON text keeping number text; a leading BOM is ignored; duplicate keys are rejected. */
export function parseJson(text: string): unknown {
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	return losslessParse(text, undefined, (raw: string) => new JsonNumber(raw));
}

function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

function describe(path: string[]): string {
	return path.join('.');
}

/** A value the input had that is not valid for its element: named by JSON path and type, never by value. */
export interface FhirIssue {
	/** Element path (`Patient.contact.gender`); for an unknown element, the path of the element holding it. */
	path: string;
	problem: string;
	/** The resource whose content it was (its label gets REDACTED). */
	resource?: FNode;
}

interface Parse {
	/** Validate primitive values against their FHIR types (input); fragments from a configuration are not. */
	validate: boolean;
	/** Collect problems and drop the values (redact); without it the first problem throws (strict R4). */
	issues?: FhirIssue[];
}

function problem(parse: Parse, path: string[], text: string, resource: FNode | undefined): void {
	if (!parse.issues) throw new FhirParseError(`${describe(path) || 'input'}: ${text}`);
	parse.issues.push({ path: describe(path) || 'input', problem: text, resource });
}

/** Why `json` is not a resource of a known R4 type (nothing said of its content), or undefined. */
export function resourceProblem(json: unknown): string | undefined {
	if (!isObject(json)) return 'a resource must be a JSON object';
	const rt = json.resourceType;
	if (rt === undefined) return 'missing resourceType';
	if (typeof rt !== 'string' || !isResourceType(rt)) return 'unknown R4 resource type';
	return undefined;
}

/**
 * Build the tree of a resource. Strict R4: unknown resource types and elements, and invalid primitive values,
 * are errors naming the path only. With `issues`, nested problems are collected there and the values dropped;
 * a root that is not a known resource still throws.
 */
export function buildResource(json: unknown, issues?: FhirIssue[]): FNode {
	return buildNode(json, undefined, undefined, [], { validate: true, issues });
}

function buildNode(json: unknown, name: string | undefined, parent: FNode | undefined, path: string[], parse: Parse): FNode {
	const bad = resourceProblem(json);
	if (bad) throw new FhirParseError(`${describe(path) || 'input'}: ${bad}`);
	const rt = (json as Record<string, unknown>).resourceType as string;
	const node: FNode = {
		name: name ?? rt,
		key: name ?? rt,
		type: rt,
		typePath: rt,
		children: [],
		parent,
		isResource: true,
		isPrimitive: false,
		isArray: false,
	};
	fillChildren(node, json as Record<string, unknown>, true, [...path, rt], parse, node);
	return node;
}

// (JSON.parse numbers are accepted as well as JsonNumber: callers may pass either)
const kindOf = (v: unknown): JsonKind | undefined =>
	typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : v instanceof JsonNumber || typeof v === 'number' ? 'number' : undefined;

function fillChildren(node: FNode, json: Record<string, unknown>, isResource: boolean, path: string[], parse: Parse, resource: FNode | undefined): void {
	const seen = new Set<string>();
	for (const rawKey of Object.keys(json)) {
		if (rawKey === 'resourceType' && isResource) continue;
		if (rawKey === 'fhir_comments') continue;
		const key = rawKey.startsWith('_') ? rawKey.slice(1) : rawKey;
		if (seen.has(key)) continue;
		seen.add(key);
		const info = childInfo(node.typePath, isResource, key);
		// (the element's name is data here: it is not repeated in the message)
		if (!info) {
			problem(parse, path, 'unknown element', resource);
			continue;
		}
		const here = [...path, key];
		const value = json[key];
		const companion = json[`_${key}`];
		if (info.type === 'Resource') {
			const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
			for (const item of items) {
				const bad = parse.issues ? resourceProblem(item) : undefined;
				if (bad) {
					problem(parse, here, bad, resource);
					continue;
				}
				const child = buildNode(item, info.name, node, here, parse);
				child.key = key;
				child.isArray = Array.isArray(value) || info.repeating;
				node.children.push(child);
			}
			continue;
		}
		const primitive = PRIMITIVE_TYPES.has(info.type);
		const isArray = Array.isArray(value) || Array.isArray(companion) || info.repeating;
		const values = Array.isArray(value) ? value : [value];
		const companions = Array.isArray(companion) ? companion : [companion];
		const count = Math.max(value === undefined ? 0 : values.length, companion === undefined ? 0 : companions.length);
		for (let i = 0; i < count; i++) {
			const v = values[i];
			const c = companions[i];
			const child: FNode = {
				name: info.name,
				key,
				type: info.type,
				typePath: info.typePath,
				children: [],
				parent: node,
				isResource: false,
				isPrimitive: primitive,
				isArray,
			};
			if (primitive) {
				let dropped = false;
				if (v !== undefined && v !== null) {
					const kind = kindOf(v);
					const bad = !kind
						? `a ${info.type} value must be a JSON primitive`
						: parse.validate
							? primitiveProblem(info.type, kind, v instanceof JsonNumber ? v.raw : String(v), `${node.typePath}.${info.name}`, info.name)
							: undefined;
					if (bad) {
						problem(parse, here, `invalid ${info.type} value (${bad})`, resource);
						dropped = true;
					} else child.value = v as Primitive;
				}
				if (isObject(c)) fillChildren(child, c, false, [...here], parse, resource);
				else if (c !== undefined && c !== null) problem(parse, here, `'_${key}' must be a JSON object`, resource);
				if (child.value === undefined && child.children.length === 0 && (v === undefined || dropped) && (c === undefined || !isObject(c))) continue;
			} else {
				if (v === undefined || v === null) continue;
				if (!isObject(v)) {
					problem(parse, here, `a ${info.type} must be a JSON object`, resource);
					continue;
				}
				fillChildren(child, v, false, here, parse, resource);
			}
			node.children.push(child);
		}
	}
}

/** Fill `node`'s children from a JSON object typed by `node.typePath` (strict, as for a resource; values as given). */
export function fillFromJson(node: FNode, json: Record<string, unknown>, isResource: boolean): void {
	fillChildren(node, json, isResource, [node.type], { validate: false }, undefined);
	for (const c of node.children) c.parent = node;
}

/** Children of `node` named `name` (element name, without choice suffix). */
export function childrenNamed(node: FNode, name: string): FNode[] {
	return node.children.filter((c) => c.name === name);
}

/** Pre-order walk that does not enter nested resources (but yields them). */
export function* descendants(node: FNode): Generator<FNode> {
	const stack: FNode[] = [...node.children].reverse();
	while (stack.length) {
		const n = stack.pop()!;
		yield n;
		if (!n.isResource) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
	}
}

/** Resource nodes in document order: the root, then every nested resource (pre-order). */
export function resourcesOf(root: FNode): FNode[] {
	const out: FNode[] = [];
	const stack = [root];
	while (stack.length) {
		const n = stack.pop()!;
		if (n.isResource) out.push(n);
		for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
	}
	return out;
}

/** Remove every non-resource node that has neither a value nor children, bottom-up. */
export function prune(node: FNode): void {
	for (const c of node.children) prune(c);
	node.children = node.children.filter((c) => c.isResource || c.value !== undefined || c.children.length > 0);
}

/** JSON object for a node. `numbers: 'js'` gives plain numbers (for FHIRPath); 'raw' keeps JsonNumber. */
export function toJson(node: FNode, numbers: 'js' | 'raw', map?: Map<object, FNode>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	if (node.isResource) out.resourceType = node.type;
	map?.set(out, node);
	const groups = new Map<string, FNode[]>();
	for (const c of node.children) {
		const g = groups.get(c.key);
		if (g) g.push(c);
		else groups.set(c.key, [c]);
	}
	const conv = (v: Primitive | undefined) => (v === undefined ? null : numbers === 'js' && v instanceof JsonNumber ? Number(v.raw) : v);
	for (const [key, items] of groups) {
		const first = items[0];
		if (first.isPrimitive) {
			const hasValue = items.some((i) => i.value !== undefined);
			const hasExt = items.some((i) => i.children.length > 0);
			if (first.isArray) {
				if (hasValue) out[key] = items.map((i) => conv(i.value));
				if (hasExt) out[`_${key}`] = items.map((i) => (i.children.length ? toJson(i, numbers, map) : null));
			} else {
				if (hasValue || !hasExt) out[key] = conv(first.value);
				if (hasExt) out[`_${key}`] = toJson(first, numbers, map);
			}
		} else {
			const objs = items.map((i) => toJson(i, numbers, map));
			out[key] = first.isArray ? objs : objs[0];
		}
	}
	return out;
}

function escapeString(s: string): string {
	return JSON.stringify(s);
}

/** Serialise with number text kept: compact (NDJSON) or pretty (2-space indent). */
export function stringify(value: unknown, pretty: boolean, indent = ''): string {
	if (value instanceof JsonNumber) return value.raw;
	if (value === null || value === undefined) return 'null';
	if (typeof value === 'string') return escapeString(value);
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	const inner = indent + '  ';
	if (Array.isArray(value)) {
		if (value.length === 0) return '[]';
		const parts = value.map((v) => stringify(v, pretty, inner));
		return pretty ? `[\n${inner}${parts.join(`,\n${inner}`)}\n${indent}]` : `[${parts.join(',')}]`;
	}
	const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
	if (entries.length === 0) return '{}';
	const parts = entries.map(([k, v]) => `${escapeString(k)}:${pretty ? ' ' : ''}${stringify(v, pretty, inner)}`);
	return pretty ? `{\n${inner}${parts.join(`,\n${inner}`)}\n${indent}}` : `{${parts.join(',')}}`;
}
