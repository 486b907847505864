// Whether a JSON primitive is a value of its FHIR R4 type, so that only values the rules can reason about stay in
// the tree. Problems are named by type only: the value itself never appears in a message.
import { requiredCodes } from './valueSets';
import { base64Decode } from './util';

export interface FhirDate {
	year: number;
	month?: number;
	day?: number;
	time?: string;
	zone?: string;
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** A FHIR date, dateTime or instant as the engine handles it; undefined when it is not one. */
export function tryParseFhirDate(text: string): FhirDate | undefined {
	const m = DATE.exec(text);
	if (!m) return undefined;
	const year = Number(m[1]);
	const month = m[2] ? Number(m[2]) : undefined;
	const day = m[3] ? Number(m[3]) : undefined;
	if (month !== undefined && (month < 1 || month > 12)) return undefined;
	if (day !== undefined && (day < 1 || day > new Date(Date.UTC(year, month!, 0)).getUTCDate())) return undefined;
	return { year, month, day, time: m[4], zone: m[5] };
}

/** The kind of JSON value: a string, a number (its source text) or a boolean. */
export type JsonKind = 'string' | 'number' | 'boolean';

const EXPECTED: Record<string, JsonKind> = { boolean: 'boolean', integer: 'number', positiveInt: 'number', unsignedInt: 'number', decimal: 'number' };

const CODE = /^[^\s]+( [^\s]+)*$/;
const TOKEN = '[A-Za-z0-9!#$&^_.+-]+';
/** A MIME type with parameters (`text/plain; charset=utf-8`), the one code grammar with spaces in it. */
const MIME = new RegExp(`^${TOKEN}/${TOKEN}(?: ?; ?${TOKEN}=(?:${TOKEN}|"[^"\\s]*"))*$`);
const LANGUAGE = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const URI = /^[^\s\u0000-\u001f\u007f]*$/;
const OID = /^urn:oid:[0-2](?:\.(?:0|[1-9]\d*))+$/;
const UUID = /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?$/;
const INTEGER = /^-?\d+$/;

/** Codes of external code systems (SNOMED CT expressions, local codes) may contain single spaces. */
function externalCode(path: string): boolean {
	return path === 'Coding.code' || /^(CodeSystem|ValueSet|ConceptMap)\./.test(path);
}

function codeProblem(text: string, path: string, name: string): string | undefined {
	if (!CODE.test(text)) return 'not a valid code';
	const required = requiredCodes(path);
	if (required) return required.has(text) ? undefined : 'code not in the value set of the element';
	if (name === 'language') return LANGUAGE.test(text) ? undefined : 'not a valid language code';
	if (name === 'currency') return /^[A-Z]{3}$/.test(text) ? undefined : 'not a valid currency code';
	// A code with spaces is free text unless it is a MIME type with parameters or an external system's code.
	if (text.includes(' ') && !externalCode(path) && !MIME.test(text)) return 'free text in a code element';
	return undefined;
}

/**
 * Why `text` (of JSON kind `kind`) is not a valid value of FHIR type `type` at model path `path` (`Patient.gender`,
 * element name `name`); undefined when it is valid.
 */
export function primitiveProblem(type: string, kind: JsonKind, text: string, path: string, name: string): string | undefined {
	const expected = EXPECTED[type] ?? 'string';
	if (kind !== expected) return `not a JSON ${expected}`;
	switch (type) {
		case 'boolean':
		case 'decimal':
		case 'string':
		case 'markdown':
		case 'xhtml':
			return undefined;
		case 'integer':
		case 'positiveInt':
		case 'unsignedInt': {
			if (!INTEGER.test(text)) return `not a valid ${type}`;
			const n = Number(text);
			const min = type === 'positiveInt' ? 1 : type === 'unsignedInt' ? 0 : -2147483648;
			return n >= min && n <= 2147483647 ? undefined : `not a valid ${type}`;
		}
		case 'code':
			return codeProblem(text, path, name);
		case 'id':
			return ID.test(text) ? undefined : 'not a valid id';
		case 'uri':
		case 'url':
		case 'canonical':
			return URI.test(text) ? undefined : `not a valid ${type}`;
		case 'oid':
			return OID.test(text) ? undefined : 'not a valid oid';
		case 'uuid':
			return UUID.test(text) ? undefined : 'not a valid uuid';
		case 'date':
		case 'dateTime':
		case 'instant':
			return tryParseFhirDate(text) ? undefined : `not a valid ${type}`;
		case 'time':
			return TIME.test(text) ? undefined : 'not a valid time';
		case 'base64Binary':
			return base64Decode(text) ? undefined : 'not valid base64';
		default:
			return undefined;
	}
}
