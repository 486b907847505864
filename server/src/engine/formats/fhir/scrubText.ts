// The `scrubText` method: free text inside FHIR (string/markdown values, narrative XHTML text nodes, text
// attachments) goes through our PHI detector. Upstream treats unknown methods as custom processors, so
// configuration files that use it stay valid for the Microsoft tool's format.
import { deidentifyDocument } from '../../deidentify';
import type { Dictionaries } from '../../dictionaries';
import type { Policy } from '../../policy';
import type { Operation as TextOperation, SurrogateContext } from '../../transform';
import type { DenyEntry, DetectOptions, EntityType } from '../../types';
import type { CustomProcessor, FhirAnonymizer, FhirMethod, NodeContext } from './engine';
import { childrenNamed, JsonNumber, type FNode } from './tree';
import { base64Decode, base64Encode, isObject, latin1Decode, latin1Encode, utf8Decode, utf8Encode } from './util';

export interface ScrubTextOptions {
	dicts: Dictionaries;
	detect?: DetectOptions;
	/** redact (default: `[TYPE]` tags), surrogate, or tag (report only). A rule may override with `operation`. */
	operation?: TextOperation;
	redactionFormat?: string;
	/** Dates found in text shift by the resource's date-shift offset (default true), like structured dates. */
	shiftDates?: boolean;
	/** Called with the entity types found in each scrubbed value (counts only; never the text). */
	onFindings?: (types: EntityType[]) => void;
}

const TEXT_TYPES = new Set(['string', 'markdown']);
const TEXT_MIME = /^(text\/[\w.+-]+|application\/(rtf|xml|xhtml\+xml|json|fhir\+json|fhir\+xml|hl7-v2))$/i;

function hexToBytes(hex: string): Uint8Array {
	const out = new Uint8Array(hex.length >> 1);
	for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
	return out;
}

export function scrubTextProcessor(opts: ScrubTextOptions): CustomProcessor {
	return (ctx: NodeContext): FhirMethod[] | void => {
		const { node, engine } = ctx;
		if (node.value === undefined || node.value === '') return;
		if (node.type === 'date' || node.type === 'dateTime' || node.type === 'instant') return engine.dateShift(node);
		const scrub = (text: string) => scrubPlain(text, ctx, opts);
		if (TEXT_TYPES.has(node.type) && typeof node.value === 'string') {
			const out = scrub(node.value);
			if (out === node.value) return;
			node.value = out;
			return ['REDACT'];
		}
		if (node.type === 'xhtml' && typeof node.value === 'string') {
			const out = scrubXhtml(node.value, scrub);
			if (out === node.value) return;
			node.value = out;
			return ['REDACT'];
		}
		if (node.type === 'base64Binary' && node.name === 'data' && node.parent?.type === 'Attachment') return scrubAttachment(node, scrub);
	};
}

function scrubPlain(text: string, ctx: NodeContext, opts: ScrubTextOptions): string {
	const engine: FhirAnonymizer = ctx.engine;
	const s = ctx.rule.settings;
	const operation = (typeof s.operation === 'string' ? s.operation : opts.operation ?? 'redact') as TextOperation;
	const redactionFormat = typeof s.redactionFormat === 'string' ? s.redactionFormat : opts.redactionFormat;
	const shiftDates = s.shiftDates === undefined ? opts.shiftDates !== false : s.shiftDates === true;
	const surrogate: SurrogateContext = {
		dicts: opts.dicts,
		hash: (d: string) => hexToBytes(engine.deps.hmacSha256Hex(engine.cryptoHashKey, `scrubText\u0000${d}`)),
		dateShiftDays: engine.dateShiftOffset(),
	};
	const policy: Policy | undefined = shiftDates && operation === 'redact' ? { types: { Date: { strategy: 'surrogate' } } } : undefined;
	const detect: DetectOptions = { ...opts.detect, denyList: [...(opts.detect?.denyList ?? []), ...(ctx.input.knownPhi ?? [])] };
	const r = deidentifyDocument(text, 'text', opts.dicts, detect, { operation, redactionFormat, surrogate, policy });
	opts.onFindings?.(r.findings.map((f) => f.type));
	return r.output;
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s: string): string {
	return s.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/g, (m, e: string) => {
		if (e[0] === '#') {
			const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
			return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
		}
		return ENTITY[e] ?? m;
	});
}
function encodeText(s: string): string {
	return s.replace(/&(?!#x[0-9a-fA-F]{1,6};|#\d{1,7};|[a-zA-Z]{2,8};)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Split markup into [text, tag, text, tag, …, text] in one pass (a regular expression would rescan from every
 * unclosed `<!--`). An unclosed comment or tag is text.
 */
export function splitMarkup(html: string): string[] {
	const parts: string[] = [];
	let textStart = 0;
	let i = 0;
	let noCommentEnd = false;
	let noTagEnd = -1;
	while (i < html.length) {
		const lt = html.indexOf('<', i);
		if (lt < 0) break;
		let end = -1;
		if (html.startsWith('<!--', lt)) {
			const close = noCommentEnd ? -1 : html.indexOf('-->', lt + 4);
			if (close < 0) noCommentEnd = true;
			else end = close + 3;
		} else {
			// the tag ends at the next '>' unless another '<' comes first
			const gt = noTagEnd >= 0 && noTagEnd > lt ? -1 : html.indexOf('>', lt + 1);
			if (gt < 0) noTagEnd = html.length;
			else {
				const nextLt = html.indexOf('<', lt + 1);
				if (nextLt < 0 || nextLt > gt) end = gt + 1;
			}
		}
		if (end < 0) {
			i = lt + 1;
			continue;
		}
		parts.push(html.slice(textStart, lt), html.slice(lt, end));
		textStart = end;
		i = end;
	}
	parts.push(html.slice(textStart));
	return parts;
}

/** Scrub the text nodes of an XHTML fragment; tags, attributes and comments are kept, so the markup stays valid. */
export function scrubXhtml(html: string, scrub: (text: string) => string): string {
	const parts = splitMarkup(html);
	const idx: number[] = [];
	const texts: string[] = [];
	for (let i = 0; i < parts.length; i += 2) {
		if (parts[i].trim() === '') continue;
		idx.push(i);
		texts.push(decodeEntities(parts[i]).replace(/\n/g, ' '));
	}
	if (texts.length === 0) return html;
	// One pass over all text nodes (context crosses tags: "<b>Dr.</b> Smith"); a newline separates them.
	let outs = scrub(texts.join('\n')).split('\n');
	if (outs.length !== texts.length) outs = texts.map(scrub);
	idx.forEach((at, k) => {
		if (outs[k] !== texts[k]) parts[at] = encodeText(outs[k]);
	});
	return parts.join('');
}

function scrubAttachment(node: FNode, scrub: (text: string) => string): FhirMethod[] | void {
	const att = node.parent!;
	const contentType = String(childrenNamed(att, 'contentType')[0]?.value ?? '');
	const [mimeRaw, ...params] = contentType.split(';');
	const mime = mimeRaw.trim().toLowerCase();
	const charset = (params.map((p) => /^\s*charset\s*=\s*"?([\w.:-]+)"?\s*$/i.exec(p)?.[1]).find(Boolean) ?? 'utf-8').toLowerCase();
	const bytes = base64Decode(String(node.value));
	const redact = (): FhirMethod[] => {
		node.value = undefined;
		for (const sib of ['size', 'hash']) for (const s of childrenNamed(att, sib)) s.value = undefined;
		return ['REDACT'];
	};
	if (!bytes || !TEXT_MIME.test(mime)) return redact();
	let text: string | undefined;
	const latin = ['iso-8859-1', 'latin1', 'latin-1', 'windows-1252', 'cp1252'].includes(charset);
	if (['utf-8', 'utf8', 'us-ascii', 'ascii'].includes(charset)) text = utf8Decode(bytes);
	else if (latin) text = latin1Decode(bytes);
	if (text === undefined) return redact();
	const bom = text.startsWith('\ufeff');
	const body = bom ? text.slice(1) : text;
	const out = (bom ? '\ufeff' : '') + (/html|xml/.test(mime) ? scrubXhtml(body, scrub) : scrub(body));
	if (out === text) return;
	const encoded = latin ? latin1Encode(out) ?? utf8Encode(out) : utf8Encode(out);
	node.value = base64Encode(encoded);
	for (const s of childrenNamed(att, 'size')) s.value = new JsonNumber(String(encoded.length));
	// The hash was of the original bytes: it no longer holds (and would identify the original).
	for (const s of childrenNamed(att, 'hash')) s.value = undefined;
	return ['REDACT'];
}

// ---- known PHI from a patient's structured data ---------------------------------------------------------------

const IDENTIFIER_TYPES: Record<string, EntityType> = {
	MR: 'MedicalRecord',
	SS: 'SocialSecurity',
	DL: 'License',
	PPN: 'IDNum',
	SB: 'SocialSecurity',
	MB: 'HealthPlan',
	MA: 'HealthPlan',
	MC: 'HealthPlan',
	AN: 'Account',
};

/** Names, identifiers, addresses and telecom of a Patient (parsed JSON) as deny-list entries. */
export function knownPhiOfPatient(patient: Record<string, unknown>): DenyEntry[] {
	const out: DenyEntry[] = [];
	const add = (text: unknown, type: EntityType) => {
		if (typeof text !== 'string') return;
		const t = text.trim();
		if (t.length >= 2 && !out.some((e) => e.text === t && e.type === type)) out.push({ text: t, type });
	};
	const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
	const names = (v: unknown, type: EntityType) => {
		for (const n of arr(v)) {
			if (!isObject(n)) continue;
			const parts = [...arr(n.given), n.family].filter((x): x is string => typeof x === 'string');
			for (const p of parts) for (const w of p.split(/\s+/)) if (w.length >= 2) add(w, type);
			add(parts.join(' '), type);
			add(n.text, type);
		}
	};
	names(patient.name, 'Patient');
	for (const c of arr(patient.contact)) if (isObject(c)) names(c.name, 'Patient');
	for (const id of arr(patient.identifier)) {
		if (!isObject(id)) continue;
		const code = isObject(id.type)
			? arr(id.type.coding)
					.map((c) => (isObject(c) ? String(c.code ?? '') : ''))
					.find((c) => c in IDENTIFIER_TYPES)
			: undefined;
		add(id.value, code ? IDENTIFIER_TYPES[code] : 'IDNum');
	}
	const addresses = [...arr(patient.address), ...arr(patient.contact).flatMap((c) => (isObject(c) ? arr(c.address) : []))];
	for (const a of addresses) {
		if (!isObject(a)) continue;
		for (const l of arr(a.line)) add(l, 'Street');
		add(a.city, 'City');
		add(a.district, 'LocationOther');
		add(a.postalCode, 'Zip');
	}
	for (const t of [...arr(patient.telecom), ...arr(patient.contact).flatMap((c) => (isObject(c) ? arr(c.telecom) : []))]) {
		if (!isObject(t)) continue;
		add(t.value, t.system === 'email' ? 'Email' : t.system === 'fax' ? 'Fax' : t.system === 'url' ? 'Url' : 'Phone');
	}
	return out;
}

/** The patient a resource belongs to: its own id for a Patient, else `subject`/`patient`/… references. */
export function patientIdOf(resource: Record<string, unknown>): string | undefined {
	if (resource.resourceType === 'Patient') return typeof resource.id === 'string' ? resource.id : undefined;
	for (const key of ['subject', 'patient', 'beneficiary', 'individual', 'for']) {
		const ref = resource[key];
		const r = isObject(ref) ? ref.reference : undefined;
		if (typeof r !== 'string') continue;
		const m = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/.exec(r) ?? /^urn:uuid:([0-9a-fA-F-]{36})$/.exec(r);
		if (m) return m[1];
	}
	return undefined;
}

