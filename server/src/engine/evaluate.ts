// Scoring the detector against annotated notes (`deid evaluate`), and the annotation formats it reads and writes:
// brat standoff (.ann) and our own JSON (<name>.deid.json). Pure: the caller reads the files.
//
// Figures follow the shared brat scorer (MEDDOCAN sub-track 2) so that they can be compared:
// - strict span: a predicted span counts when its [start, end) equals a gold span; spans are compared as sets of
//   offsets per document (a duplicate counts once). "Type-blind" ignores the type, "typed" also needs the same type.
// - characters: non-whitespace characters of gold spans covered by a prediction (recall), predicted characters
//   inside gold spans (precision). Typed: the prediction covering a character must have the gold type there.
// - labels mapped to null (a patient's sex in MEDDOCAN) are left out of the gold; predictions inside one are not
//   counted, nor are predicted characters over one.
import { ENTITY_TYPES, isEntityType, type EntityType } from './types';

/** A span as annotated or predicted. Offsets are UTF-16 code units, end exclusive. */
export interface TypedSpan {
	type: EntityType;
	start: number;
	end: number;
}

/** One annotated span as read from a file, before its label is mapped (a discontinuous brat span gives several). */
export interface AnnotatedSpan {
	label: string;
	start: number;
	end: number;
	/** 1-based line (brat) or 1-based position in the annotations list (JSON), for messages. */
	line: number;
}

/** A malformed annotation file: names the file, the line and what is wrong, never the file's text. */
export class AnnotationError extends Error {
	constructor(readonly file: string, readonly line: number, readonly reason: string) {
		super(`${file}${line > 0 ? `:${line}` : ''}: ${reason}`);
		this.name = 'AnnotationError';
	}
}

const BRAT_LINE_HELP = "expected 'T<n><TAB><type> <start> <end>[;<start> <end>]...<TAB><text>'";
const DIGITS = /^\d{1,15}$/;
// brat type names are letters, digits, '-' and '_'; anything else is a malformed line (and is never echoed)
const LABEL = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * The text-bound (T) annotations of a brat .ann file; other kinds (relations, events, attributes, notes,
 * comments) are skipped. A discontinuous span `0 5;7 10` gives one span per fragment: predictions are
 * contiguous, and every fragment is text to remove. Throws AnnotationError at the first malformed T line, or at a
 * span past `textLength` when it is given.
 */
export function parseBrat(ann: string, file: string, textLength?: number): AnnotatedSpan[] {
	const out: AnnotatedSpan[] = [];
	const lines = ann.split('\n');
	for (let n = 0; n < lines.length; n++) {
		let line = lines[n];
		if (line.endsWith('\r')) line = line.slice(0, -1);
		if (line.charCodeAt(0) !== 84 /* T */) continue;
		const tab = line.indexOf('\t');
		const tab2 = tab < 0 ? -1 : line.indexOf('\t', tab + 1);
		if (tab < 2 || !DIGITS.test(line.slice(1, tab)) || tab2 < 0) throw new AnnotationError(file, n + 1, `malformed T line (${BRAT_LINE_HELP})`);
		const field = line.slice(tab + 1, tab2);
		const space = field.indexOf(' ');
		const label = space < 0 ? '' : field.slice(0, space);
		if (!LABEL.test(label)) throw new AnnotationError(file, n + 1, `malformed T line: no valid type (${BRAT_LINE_HELP})`);
		for (const fragment of field.slice(space + 1).split(';')) {
			const parts = fragment.split(' ');
			if (parts.length !== 2 || !DIGITS.test(parts[0]) || !DIGITS.test(parts[1]))
				throw new AnnotationError(file, n + 1, `malformed T line: offsets are not '<start> <end>' pairs (${BRAT_LINE_HELP})`);
			const start = Number(parts[0]), end = Number(parts[1]);
			if (start >= end) throw new AnnotationError(file, n + 1, 'span with start not before end');
			if (textLength !== undefined && end > textLength)
				throw new AnnotationError(file, n + 1, `span ends at ${end}, past the end of the text (${textLength})`);
			out.push({ label, start, end, line: n + 1 });
		}
	}
	return out;
}

/** Version of our JSON annotation format. */
export const ANNOTATIONS_VERSION = 1;

/** Our JSON annotation format, `<name>.deid.json` beside `<name>.txt`: only types and offsets, never text. */
export interface JsonAnnotations {
	version: 1;
	annotations: TypedSpan[];
}

/** Parses `<name>.deid.json`. Types must be our entity types. Throws AnnotationError naming the entry at fault. */
export function parseJsonAnnotations(json: string, file: string, textLength?: number): AnnotatedSpan[] {
	let raw: unknown;
	try {
		raw = JSON.parse(json);
	} catch {
		// (the parser's message quotes the input)
		throw new AnnotationError(file, 0, 'not valid JSON');
	}
	const obj = raw as { version?: unknown; annotations?: unknown };
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AnnotationError(file, 0, 'not a JSON object with "version" and "annotations"');
	if (obj.version !== ANNOTATIONS_VERSION) throw new AnnotationError(file, 0, `"version" must be ${ANNOTATIONS_VERSION}`);
	if (!Array.isArray(obj.annotations)) throw new AnnotationError(file, 0, '"annotations" must be a list');
	return obj.annotations.map((a: unknown, i) => {
		const where = `annotations[${i}]`;
		const { type, start, end } = (a ?? {}) as { type?: unknown; start?: unknown; end?: unknown };
		if (typeof a !== 'object' || a === null) throw new AnnotationError(file, 0, `${where}: not an object`);
		if (!isEntityType(type)) throw new AnnotationError(file, 0, `${where}: "type" must be one of ${ENTITY_TYPES.join(', ')}`);
		if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || (start as number) < 0 || (start as number) >= (end as number)) {
			throw new AnnotationError(file, 0, `${where}: "start" and "end" must be whole numbers with 0 <= start < end`);
		}
		if (textLength !== undefined && (end as number) > textLength)
			throw new AnnotationError(file, 0, `${where}: span ends at ${end as number}, past the end of the text (${textLength})`);
		return { label: type, start: start as number, end: end as number, line: i + 1 };
	});
}

/** Writes spans as brat standoff. A span over line breaks becomes a discontinuous span without them, as brat
 * requires; the text field holds the document's text (brat's format carries it). */
export function toBrat(spans: readonly TypedSpan[], text: string): string {
	const lines: string[] = [];
	for (const s of sortSpans(spans)) {
		const fragments: [number, number][] = [];
		let from = s.start;
		for (let i = s.start; i <= s.end; i++) {
			if (i === s.end || text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13) {
				if (i > from) fragments.push([from, i]);
				from = i + 1;
			}
		}
		if (!fragments.length) continue;
		const offsets = fragments.map(([a, b]) => `${a} ${b}`).join(';');
		lines.push(`T${lines.length + 1}\t${s.type} ${offsets}\t${fragments.map(([a, b]) => text.slice(a, b)).join(' ')}\n`);
	}
	return lines.join('');
}

/** Writes spans in our JSON annotation format (types and offsets only). */
export function toJsonAnnotations(spans: readonly TypedSpan[]): string {
	const doc: JsonAnnotations = { version: ANNOTATIONS_VERSION, annotations: sortSpans(spans).map((s) => ({ type: s.type, start: s.start, end: s.end })) };
	return JSON.stringify(doc, null, 2) + '\n';
}

function sortSpans(spans: readonly TypedSpan[]): TypedSpan[] {
	return [...spans].sort((a, b) => a.start - b.start || a.end - b.end || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** Label → entity type; null leaves the label out of the gold. */
export type LabelMapping = Readonly<Record<string, EntityType | null>>;

/** Labels are compared in upper case without separators: `LOCATION-OTHER`, `LocationOther` and `location_other`
 * are one label. */
export function labelKey(label: string): string {
	return label.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

const TABLE: [EntityType | null, string[]][] = [
	// MEDDOCAN (Spanish clinical cases) and its guideline's rarer labels
	['Patient', ['NOMBRE_SUJETO_ASISTENCIA', 'FAMILIARES_SUJETO_ASISTENCIA']],
	['Doctor', ['NOMBRE_PERSONAL_SANITARIO']],
	['Age', ['EDAD_SUJETO_ASISTENCIA']],
	['Date', ['FECHAS']],
	['Street', ['CALLE']],
	['City', ['TERRITORIO']],
	['CountryOrRegion', ['PAIS']],
	['Hospital', ['HOSPITAL', 'CENTRO_SALUD']],
	['Organization', ['INSTITUCION']],
	['Email', ['CORREO_ELECTRONICO']],
	['Phone', ['NUMERO_TELEFONO']],
	['Fax', ['NUMERO_FAX']],
	['MedicalRecord', ['ID_SUJETO_ASISTENCIA']],
	['HealthPlan', ['ID_ASEGURAMIENTO', 'NUMERO_BENEF_PLAN_SALUD']],
	['License', ['ID_TITULACION_PERSONAL_SANITARIO']],
	['IDNum', ['ID_CONTACTO_ASISTENCIAL', 'ID_EMPLEO_PERSONAL_SANITARIO', 'OTRO_NUMERO_IDENTIF', 'OTROS_SUJETO_ASISTENCIA']],
	['Profession', ['PROFESION']],
	['Url', ['URL_WEB']],
	['IPAddress', ['DIREC_PROT_INTERNET']],
	['Vehicle', ['IDENTIF_VEHICULOS_NRSERIE_PLACAS']],
	['Device', ['IDENTIF_DISPOSITIVOS_NRSERIE']],
	['BioID', ['IDENTIF_BIOMETRICOS']],
	// a patient's sex: not PHI under HIPAA, nor an entity type of ours
	[null, ['SEXO_SUJETO_ASISTENCIA']],
	// i2b2 2006/2014 and n2c2 labels
	['Patient', ['PATIENT']],
	['Doctor', ['DOCTOR']],
	['Username', ['USERNAME']],
	['LocationOther', ['ROOM', 'DEPARTMENT', 'LOCATION', 'LOCATION-OTHER']],
	['CountryOrRegion', ['COUNTRY']],
	['IPAddress', ['IPADDR', 'IP']],
	['SocialSecurity', ['SSN']],
	['HealthPlan', ['HEALTHPLAN']],
	['IDNum', ['ID', 'IDNUM', 'OTHER']],
	// PhysioNet deid gold categories
	['Doctor', ['HCPName']],
	['Patient', ['PTName', 'PTNameInitial', 'RelativeProxyName']],
	['Date', ['DateYear']],
];

/** The built-in mapping: MEDDOCAN, i2b2/n2c2 and PhysioNet labels, and our own type names. */
export const BUILTIN_LABELS: LabelMapping = Object.freeze(Object.fromEntries([
	...ENTITY_TYPES.map((t) => [labelKey(t), t] as const),
	...TABLE.flatMap(([type, labels]) => labels.map((l) => [labelKey(l), type] as const)),
]));

/**
 * A user's mapping file's content (`{"LABEL": "Patient", "OTHER_LABEL": null}`), checked. Returns the mapping or
 * the problems (naming labels and allowed values, which are schema names, not note text).
 */
export function parseLabelMapping(raw: unknown): { mapping?: LabelMapping; errors: string[] } {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
		return { errors: ['must be a JSON object of label: entity type (or null to leave the label out)'] };
	const errors: string[] = [];
	const mapping: Record<string, EntityType | null> = {};
	for (const [label, type] of Object.entries(raw)) {
		if (!LABEL.test(label)) errors.push('a label is not made of letters, digits, - and _');
		else if (type !== null && !isEntityType(type)) errors.push(`${label}: must be null or one of ${ENTITY_TYPES.join(', ')}`);
		else mapping[labelKey(label)] = type;
	}
	return errors.length ? { errors } : { mapping, errors };
}

/** A gold span with its label mapped. `type` undefined: the label is not in the mapping (counted as PHI of no type). */
export interface GoldSpan {
	label: string;
	type: EntityType | undefined;
	start: number;
	end: number;
}

export interface ResolvedGold {
	gold: GoldSpan[];
	/** Spans whose label maps to null. */
	ignored: { start: number; end: number }[];
	/** Labels found in neither mapping. */
	unmapped: string[];
}

/** Maps the labels of annotated spans: the user's mapping first, then the built-in one. */
export function resolveLabels(spans: readonly AnnotatedSpan[], user: LabelMapping = {}): ResolvedGold {
	const out: ResolvedGold = { gold: [], ignored: [], unmapped: [] };
	const unmapped = new Set<string>();
	for (const s of spans) {
		const key = labelKey(s.label);
		const type = Object.prototype.hasOwnProperty.call(user, key)
			? user[key]
			: Object.prototype.hasOwnProperty.call(BUILTIN_LABELS, key)
				? BUILTIN_LABELS[key]
				: undefined;
		if (type === null) out.ignored.push({ start: s.start, end: s.end });
		else {
			if (type === undefined) unmapped.add(s.label);
			out.gold.push({ label: s.label, type, start: s.start, end: s.end });
		}
	}
	out.unmapped = [...unmapped].sort();
	return out;
}

/** Counts behind precision/recall at span level. */
export interface SpanCounts {
	gold: number;
	predicted: number;
	matched: number;
}

/** Counts behind precision/recall at character level (non-whitespace characters). */
export interface CharCounts {
	gold: number;
	goldCovered: number;
	predicted: number;
	predictedInGold: number;
}

/** What the scoring of documents adds up; `summarize` turns it into figures. */
export interface EvaluationCounts {
	documents: number;
	/** Type-blind, as the shared brat scorer. */
	strict: SpanCounts;
	chars: CharCounts;
	/** The type must agree too. */
	strictTyped: SpanCounts;
	charsTyped: CharCounts;
	/** Typed, per entity type ('unmapped' for gold labels found in no mapping). */
	perType: Record<string, { strict: SpanCounts; chars: CharCounts }>;
	/** Per gold label as written in the annotations: spans, and those a prediction matches exactly (any type). */
	perLabel: Record<string, { gold: number; matched: number }>;
}

export const UNMAPPED = 'unmapped';

export function emptyCounts(): EvaluationCounts {
	return { documents: 0, strict: spanCounts(), chars: charCounts(), strictTyped: spanCounts(), charsTyped: charCounts(), perType: {}, perLabel: {} };
}
const spanCounts = (): SpanCounts => ({ gold: 0, predicted: 0, matched: 0 });
const charCounts = (): CharCounts => ({ gold: 0, goldCovered: 0, predicted: 0, predictedInGold: 0 });

export interface DocumentToScore {
	text: string;
	gold: readonly GoldSpan[];
	ignored?: readonly { start: number; end: number }[];
	predicted: readonly TypedSpan[];
}

/** Optional work counter: a document's scoring takes O(text length × types present + spans) steps. */
export interface StepMeter {
	steps: number;
}

/** JavaScript's \s, by code unit. */
function isSpace(c: number): boolean {
	return (
		c === 32 ||
		(c >= 9 && c <= 13) ||
		c === 0xa0 ||
		c === 0x1680 ||
		(c >= 0x2000 && c <= 0x200a) ||
		c === 0x2028 ||
		c === 0x2029 ||
		c === 0x202f ||
		c === 0x205f ||
		c === 0x3000 ||
		c === 0xfeff
	);
}

const TYPE_BIT = new Map<string, number>([...ENTITY_TYPES.map((t, i) => [t, i] as const), [UNMAPPED, ENTITY_TYPES.length]]);
const BIT_TYPE = [...ENTITY_TYPES, UNMAPPED];

/** Scores one document and adds its counts to `into`. */
export function scoreDocument(doc: DocumentToScore, into: EvaluationCounts = emptyCounts(), meter: StepMeter = { steps: 0 }): EvaluationCounts {
	const n = doc.text.length;
	const ignored = doc.ignored ?? [];
	const insideIgnored = ignoredLookup(ignored, n, meter);
	const predicted = doc.predicted.filter((p) => p.end > p.start);
	meter.steps += doc.predicted.length;
	into.documents++;
	scoreSpans(doc.gold, predicted, insideIgnored, into, meter);
	scoreChars(doc, predicted, ignored, into, meter);
	return into;
}

const clampTo = (n: number) => (x: number) => (x < 0 ? 0 : x > n ? n : x);
const typeOf = (g: GoldSpan) => g.type ?? UNMAPPED;
const typeRowOf = (into: EvaluationCounts, t: string) => (into.perType[t] ??= { strict: spanCounts(), chars: charCounts() });

/**
 * Whether a prediction lies inside one ignored span. The largest end of the ignored spans starting at or before
 * each offset tells in one look.
 */
function ignoredLookup(ignored: readonly { start: number; end: number }[], n: number, meter: StepMeter): (p: TypedSpan) => boolean {
	const clamp = clampTo(n);
	const maxIgnoredEnd = new Float64Array(n + 1).fill(-1);
	for (const g of ignored) {
		const s = clamp(g.start);
		if (g.end > maxIgnoredEnd[s]) maxIgnoredEnd[s] = g.end;
		meter.steps++;
	}
	for (let i = 1; i <= n; i++) if (maxIgnoredEnd[i - 1] > maxIgnoredEnd[i]) maxIgnoredEnd[i] = maxIgnoredEnd[i - 1];
	meter.steps += n;
	return (p) => ignored.length > 0 && p.start >= 0 && maxIgnoredEnd[clamp(p.start)] >= p.end;
}

/** Strict spans: sets of offsets (type-blind) and of type + offsets (typed), as the shared scorer compares them. */
function scoreSpans(
	gold: readonly GoldSpan[],
	predicted: readonly TypedSpan[],
	insideIgnored: (p: TypedSpan) => boolean,
	into: EvaluationCounts,
	meter: StepMeter,
): void {
	const goldKeys = new Set<string>(), goldTyped = new Set<string>();
	for (const g of gold) {
		goldKeys.add(`${g.start}:${g.end}`);
		goldTyped.add(`${typeOf(g)}:${g.start}:${g.end}`);
	}
	const predKeys = new Set<string>(), predTyped = new Set<string>();
	for (const p of predicted) {
		if (insideIgnored(p)) continue;
		predKeys.add(`${p.start}:${p.end}`);
		predTyped.add(`${p.type}:${p.start}:${p.end}`);
	}
	meter.steps += gold.length + predicted.length;
	into.strict.gold += goldKeys.size;
	into.strict.predicted += predKeys.size;
	for (const k of predKeys) if (goldKeys.has(k)) into.strict.matched++;
	into.strictTyped.gold += goldTyped.size;
	into.strictTyped.predicted += predTyped.size;
	for (const k of goldTyped) {
		const t = k.slice(0, k.indexOf(':'));
		typeRowOf(into, t).strict.gold++;
		if (predTyped.has(k)) {
			into.strictTyped.matched++;
			typeRowOf(into, t).strict.matched++;
		}
	}
	for (const k of predTyped) typeRowOf(into, k.slice(0, k.indexOf(':'))).strict.predicted++;
	meter.steps += goldKeys.size + goldTyped.size + predKeys.size + predTyped.size;
	for (const g of gold) {
		const row = (into.perLabel[g.label] ??= { gold: 0, matched: 0 });
		row.gold++;
		if (predKeys.has(`${g.start}:${g.end}`)) row.matched++;
	}
}

/**
 * Marks each character covered by `spans`, by difference arrays (overlapping spans cost their number, not their
 * lengths), one per bit present.
 */
function paintSpans<S extends { start: number; end: number }>(
	n: number,
	spans: readonly S[],
	bitOf: (s: S) => number,
	mark: (i: number, bit: number) => void,
	meter: StepMeter,
): void {
	const clamp = clampTo(n);
	const diffs = new Map<number, Int32Array>();
	for (const s of spans) {
		const a = clamp(s.start), b = clamp(s.end);
		meter.steps++;
		if (a >= b) continue;
		const bit = bitOf(s);
		let d = diffs.get(bit);
		if (!d) diffs.set(bit, (d = new Int32Array(n + 1)));
		d[a]++;
		d[b]--;
	}
	for (const [bit, d] of diffs) {
		let depth = 0;
		for (let i = 0; i < n; i++) {
			depth += d[i];
			if (depth > 0) mark(i, bit);
		}
		meter.steps += n;
	}
}

/** Characters: gold and predicted types per character as bit masks, then counted overall and by type. */
function scoreChars(
	doc: DocumentToScore,
	predicted: readonly TypedSpan[],
	ignored: readonly { start: number; end: number }[],
	into: EvaluationCounts,
	meter: StepMeter,
): void {
	const n = doc.text.length;
	const goldMask = new Uint32Array(n), predMask = new Uint32Array(n);
	const inIgnored = new Uint8Array(n);
	paintSpans(n, doc.gold, (g) => TYPE_BIT.get(typeOf(g))!, (i, bit) => (goldMask[i] |= 1 << bit), meter);
	paintSpans(n, predicted, (p) => TYPE_BIT.get(p.type) ?? TYPE_BIT.get(UNMAPPED)!, (i, bit) => (predMask[i] |= 1 << bit), meter);
	paintSpans(n, ignored, () => 0, (i) => (inIgnored[i] = 1), meter);
	const text = doc.text;
	for (let i = 0; i < n; i++) {
		if (isSpace(text.charCodeAt(i))) continue;
		// covering counts over ignored spans too; predicting there is not counted
		const g = goldMask[i], covering = predMask[i], p = inIgnored[i] ? 0 : covering;
		if (g) {
			into.chars.gold++;
			into.charsTyped.gold++;
			if (covering) into.chars.goldCovered++;
			if (g & covering) into.charsTyped.goldCovered++;
		}
		if (p) {
			into.chars.predicted++;
			into.charsTyped.predicted++;
			if (g) into.chars.predictedInGold++;
			if (g & p) into.charsTyped.predictedInGold++;
		}
		for (let m = (g | p) >>> 0; m; m = (m & (m - 1)) >>> 0) {
			const bit = 31 - Math.clz32(m & -m);
			const row = typeRowOf(into, BIT_TYPE[bit]).chars;
			const inG = (g >>> bit) & 1, inP = (p >>> bit) & 1;
			if (inG) {
				row.gold++;
				row.goldCovered += (covering >>> bit) & 1;
			}
			if (inP) {
				row.predicted++;
				row.predictedInGold += inG;
			}
			meter.steps++;
		}
		meter.steps++;
	}
}

export interface Figures {
	precision: number;
	recall: number;
	f1: number;
}

export interface EvaluationResult {
	documents: number;
	/** Type-blind (the shared brat scorer's figures). */
	strict: Figures & SpanCounts;
	chars: Figures & CharCounts;
	/** Type, start and end must agree. */
	strictTyped: Figures & SpanCounts;
	charsTyped: Figures & CharCounts;
	perType: Record<string, { strict: Figures & SpanCounts; chars: Figures & CharCounts }>;
	perLabel: Record<string, { gold: number; matched: number; recall: number }>;
}

const ratio = (a: number, b: number) => (b ? a / b : 0);
const f1 = (p: number, r: number) => (p + r ? (2 * p * r) / (p + r) : 0);
function spanFigures(c: SpanCounts): Figures & SpanCounts {
	const precision = ratio(c.matched, c.predicted), recall = ratio(c.matched, c.gold);
	return { ...c, precision, recall, f1: f1(precision, recall) };
}
function charFigures(c: CharCounts): Figures & CharCounts {
	const precision = ratio(c.predictedInGold, c.predicted), recall = ratio(c.goldCovered, c.gold);
	return { ...c, precision, recall, f1: f1(precision, recall) };
}

/** Precision, recall and F1 from counts (0 where there is nothing to divide by). Types in ENTITY_TYPES order. */
export function summarize(c: EvaluationCounts): EvaluationResult {
	const order = [...BIT_TYPE].filter((t) => c.perType[t]);
	return {
		documents: c.documents,
		strict: spanFigures(c.strict),
		chars: charFigures(c.chars),
		strictTyped: spanFigures(c.strictTyped),
		charsTyped: charFigures(c.charsTyped),
		perType: Object.fromEntries(order.map((t) => [t, { strict: spanFigures(c.perType[t].strict), chars: charFigures(c.perType[t].chars) }])),
		perLabel: Object.fromEntries(
			Object.keys(c.perLabel)
				.sort()
				.map((l) => [l, { ...c.perLabel[l], recall: ratio(c.perLabel[l].matched, c.perLabel[l].gold) }]),
		),
	};
}
