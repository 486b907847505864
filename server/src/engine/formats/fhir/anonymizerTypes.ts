// Types shared by the FHIR anonymizer's traversal, path matching and methods.
import type { DenyEntry } from '../../types';
import type { FhirRule } from './config';
import type { FhirAnonymizer } from './engine';
import type { FNode } from './tree';

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
/** The security label of each method, in the order labels are added. */
export const LABELS: [FhirMethod, { system?: string; code: string; display: string }][] = [
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

export interface FhirChange {
	node: FNode;
	/** The resource whose rule changed it. */
	resource: FNode;
	/** JSON path of the value in the input (`["name", 0, "family"]`). */
	path: (string | number)[];
	method: string;
}

export interface FhirAnonymizerOptions {
	/**
	 * A value that is not valid for its element (wrong JSON type, a code outside the element's value set, an
	 * unparseable date, an unknown element or nested resource type): `redact` (default) drops it and reports its
	 * path; `raise` rejects the resource, as the Microsoft anonymizer does.
	 */
	invalid?: 'redact' | 'raise';
}

/** The JSON form of one resource as fhirpath.js sees it, and the maps between its objects and tree nodes. */
export interface RunJson {
	version: number;
	resource: FNode;
	obj: Record<string, unknown>;
	map: Map<object, FNode>;
	back: Map<FNode, object>;
}

/** The state of one anonymization. */
export interface Run {
	changes?: FhirChange[];
	paths?: Map<FNode, (string | number)[]>;
	root: FNode;
	input: FhirInputContext;
	visited: Set<FNode>;
	/** The methods applied per resource (for its security labels). */
	ops: Map<FNode, Set<FhirMethod>>;
	/** Bumped on every change, so the JSON form is rebuilt before the next evaluation. */
	version: number;
	json?: RunJson;
}

/** A fhirpath.js result node (internal structure). */
export interface ResNode {
	ctx?: object;
	data?: unknown;
	_data?: unknown;
	parentResNode?: ResNode;
	propName?: string;
	index?: number | null;
	fhirNodeDataType?: string;
}
