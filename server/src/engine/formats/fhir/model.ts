// FHIR R4 structure knowledge, derived from the fhirpath.js R4 model (pure data, no I/O). Types use the
// names the Microsoft anonymizer sees through Firely: primitives lower-case (`date`, `dateTime`), `Resource.id`
// is `id`, `Element.id` is `string`, `Extension.url` is `uri`, choice elements take their concrete type.
import { r4ModelData } from './fhirpathLib';

interface R4Model {
	path2Type: Record<string, string>;
	choiceTypePaths: Record<string, string[]>;
	pathsDefinedElsewhere: Record<string, string>;
	type2Parent: Record<string, string>;
	path2Repeating: Record<string, boolean>;
}
/** The R4 model (loaded on first use). */
export const r4Model = (): R4Model => r4ModelData() as R4Model;

export const PRIMITIVE_TYPES: ReadonlySet<string> = new Set([
	'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer', 'markdown',
	'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid', 'xhtml',
]);

export interface ChildInfo {
	/** Element name without a choice suffix (`value` for `valueQuantity`). */
	name: string;
	/** Firely-style instance type (`Quantity`, `dateTime`, `BackboneElement`; `Resource` for a nested resource). */
	type: string;
	/** The model path under which this element's own children are defined. */
	typePath: string;
	repeating: boolean;
}

const SYSTEM_TYPES: Record<string, string> = {
	'System.String': 'string', 'System.Boolean': 'boolean', 'System.Date': 'date', 'System.DateTime': 'dateTime',
	'System.Decimal': 'decimal', 'System.Integer': 'integer', 'System.Time': 'time',
};

/** `valueDateTime` etc.: `${path}${Suffix}` → [base name, concrete type]. Built once. */
let choiceIndex: Map<string, [string, string]> | undefined;
function choices(): Map<string, [string, string]> {
	if (choiceIndex) return choiceIndex;
	choiceIndex = new Map();
	for (const [path, types] of Object.entries(r4Model().choiceTypePaths)) {
		const base = path.slice(path.lastIndexOf('.') + 1);
		for (const t of types) {
			const lower = t[0].toLowerCase() + t.slice(1);
			choiceIndex.set(path + t, [base, PRIMITIVE_TYPES.has(lower) ? lower : t]);
		}
	}
	return choiceIndex;
}

export function isResourceType(name: string): boolean {
	if (!/^[A-Z][A-Za-z]*$/.test(name)) return false;
	for (let t: string | undefined = name, guard = 0; t && guard < 5; t = r4Model().type2Parent[t], guard++) {
		if (t === 'Resource') return name !== 'Resource' && name !== 'DomainResource';
	}
	return false;
}

/**
 * What the JSON property `key` is under an element whose children are defined at `parentTypePath`
 * (a type name such as `HumanName`, a resource type, or a backbone path such as `Patient.contact`).
 * Undefined when the element does not exist in R4.
 */
export function childInfo(parentTypePath: string, parentIsResource: boolean, key: string): ChildInfo | undefined {
	const path = `${parentTypePath}.${key}`;
	let name = key;
	const choice = choices().get(path);
	const model = r4Model();
	let type = choice ? undefined : model.path2Type[path];
	let modelPath = path;
	if (type === undefined && model.pathsDefinedElsewhere[path]) {
		const target = model.pathsDefinedElsewhere[path];
		return {
			name,
			type: model.path2Type[target] ?? 'BackboneElement',
			typePath: target,
			repeating: model.path2Repeating[target] === true || model.path2Repeating[path] === true,
		};
	}
	if (type === undefined) {
		if (!choice) return undefined;
		[name, type] = choice;
		modelPath = `${parentTypePath}.${name}`;
	} else if (type.startsWith('System.')) {
		if (key === 'id') type = parentIsResource ? 'id' : 'string';
		else if (key === 'url' && (parentTypePath === 'Extension' || parentTypePath.endsWith('.extension'))) type = 'uri';
		else type = SYSTEM_TYPES[type] ?? 'string';
	}
	const repeating = model.path2Repeating[modelPath] === true;
	let typePath = type;
	if (type === 'BackboneElement' || type === 'Element') typePath = model.pathsDefinedElsewhere[modelPath] ?? modelPath;
	else if (model.pathsDefinedElsewhere[modelPath]) typePath = model.pathsDefinedElsewhere[modelPath];
	return { name, type, typePath, repeating };
}

/** Whether `type` is `base` or derives from it (`Age` → `Quantity`). */
export function derivesFrom(type: string, base: string): boolean {
	for (let t: string | undefined = type, guard = 0; t && guard < 6; t = r4Model().type2Parent[t], guard++) if (t === base) return true;
	return false;
}
