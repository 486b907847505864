// Pure value helpers of the FHIR anonymizer methods (exported for the test vectors).
import { isResourceType } from './model';
import { FhirParseError, type Primitive } from './tree';
import { tryParseFhirDate, type FhirDate } from './validate';
import { utf8Encode } from './util';

/** Upstream's date-shift offset (-50..50 days) of an input, from its scope prefix and the key. */
export function dateShiftOffset(prefix: string, key: string): number {
	let offset = 0;
	for (const b of utf8Encode(prefix + key)) offset = (offset * 131 + b) % 101;
	return offset - 50;
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

/** A primitive as upstream (.NET) writes it: booleans as True/False. */
export function valueText(v: Primitive): string {
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
		const segment = before.slice(slash + 1);
		for (let i = segment.length - 1; i >= 0; i--) {
			const type = segment.slice(i);
			if (!/^[A-Z]/.test(type) || !isResourceType(type)) continue;
			const host = before.slice(0, slash + 1 + i);
			if (host === '' || HOST.test(host)) return `${host}${type}/${hash(m[2])}${m[3] ?? ''}`;
		}
	}
	return hash(ref);
}

export function roundHalfEven(x: number, digits: number): number {
	const f = 10 ** digits;
	const y = x * f;
	const r = Math.round(y);
	const diff = Math.abs(y - Math.trunc(y));
	const even = Math.abs(diff - 0.5) < 1e-9 ? (Math.trunc(y) % 2 === 0 ? Math.trunc(y) : Math.trunc(y) + Math.sign(y)) : r;
	return even / f;
}

export function formatDecimal(x: number, digits: number): string {
	return String(Number(x.toFixed(digits)));
}
