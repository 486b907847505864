import { detect, mergeOverlaps } from './detect/detect';
import type { Dictionaries } from './dictionaries';
import { scanJson, splitLines, type JsonStringValue } from './formats/ndjson';
import { textPieces } from './pieces';
import type { DetectOptions, EntityType, Finding } from './types';

export type DocumentFormat = 'text' | 'ndjson';

export interface DocumentProblem {
	/** 0-based line. */
	line: number;
	start: number;
	end: number;
	message: string;
}

export interface ScanResult {
	findings: Finding[];
	problems: DocumentProblem[];
}

/** JSON keys whose string value is, as a whole, one kind of PHI. */
const KEY_HINTS: [RegExp, EntityType][] = [
	[/^(?:family|given|firstname|first_name|lastname|last_name|surname|middlename|middle_name|patientname|patient_name|fullname|full_name)$/i, 'Patient'],
	[/^(?:phone|phonenumber|phone_number|telephone|mobile|cell|homephone|workphone)$/i, 'Phone'],
	[/^(?:fax|faxnumber|fax_number)$/i, 'Fax'],
	[/^(?:email|e-mail|emailaddress|email_address|mail)$/i, 'Email'],
	[/^(?:ssn|socialsecuritynumber|social_security_number)$/i, 'SocialSecurity'],
	[/^(?:mrn|medicalrecordnumber|medical_record_number)$/i, 'MedicalRecord'],
	[/^(?:birthdate|birth_date|dob|dateofbirth|date_of_birth|deceaseddatetime)$/i, 'Date'],
	[/^(?:city|town)$/i, 'City'],
	[/^(?:postalcode|postal_code|zip|zipcode|zip_code|postcode)$/i, 'Zip'],
	[/^(?:street|streetaddress|street_address|address1|address2|addressline|address_line)$/i, 'Street'],
	[/^(?:username|user_name|login)$/i, 'Username'],
	[/^(?:ip|ipaddress|ip_address)$/i, 'IPAddress'],
];

export function keyHint(key: string | undefined, path: readonly (string | number)[]): EntityType | undefined {
	if (!key) return undefined;
	for (const [re, type] of KEY_HINTS) if (re.test(key)) return type;
	// FHIR Address.line is an array under "line" inside an "address"
	if (key === 'line' && path.some((p) => typeof p === 'string' && /address/i.test(p))) return 'Street';
	return undefined;
}

const VALUE_SEPARATOR = '\n\n';

/**
 * Findings for each string value of one JSON record. The values are detected together in one pass (joined by
 * blank lines, so context such as a name found in one field carries to the others), then split back per value;
 * a JSON key naming the kind of value (family, birthDate, phone…) adds a finding over the whole value.
 */
export function detectJsonValues(strings: readonly JsonStringValue[], dicts: Dictionaries, options: DetectOptions): Finding[][] {
	const parts: string[] = [];
	const starts: number[] = [];
	let at = 0;
	for (const s of strings) {
		starts.push(at);
		parts.push(s.value);
		at += s.value.length + VALUE_SEPARATOR.length;
	}
	const joined = parts.join(VALUE_SEPARATOR);
	const found: Finding[] = [];
	// A large record is detected in the pieces a large text file is, so memory follows the piece, not the record.
	if (joined.trim()) {
		for (const piece of textPieces(joined, 'text')) {
			for (const f of detect(piece.text, dicts, options)) found.push(piece.start ? { ...f, start: f.start + piece.start, end: f.end + piece.start } : f);
		}
	}
	const per: Finding[][] = strings.map(() => []);
	let k = 0;
	for (const f of found) {
		while (k + 1 < starts.length && starts[k + 1] <= f.start) k++;
		// clip to the values it touches
		for (let j = k; j < strings.length && starts[j] < f.end; j++) {
			const vs = starts[j];
			const ve = vs + strings[j].value.length;
			const s = Math.max(f.start, vs);
			const e = Math.min(f.end, ve);
			if (e > s) per[j].push({ ...f, start: s - vs, end: e - vs });
		}
	}
	strings.forEach((s, j) => {
		const hint = keyHint(s.key, s.path);
		if (!hint || !s.value.trim() || s.value.trim().length > 100) return;
		const lead = s.value.length - s.value.trimStart().length;
		per[j] = mergeOverlaps([...per[j], { start: lead, end: lead + s.value.trim().length, type: hint, confidence: 0.9, detector: 'field-name' }]);
	});
	return per;
}

/**
 * Scan a document as plain text or as NDJSON (string values only, offsets mapped onto the source). `at` places a
 * piece of a larger file: its offset and first line number are added to what is reported.
 */
export function scanDocument(text: string, format: DocumentFormat, dicts: Dictionaries, options: DetectOptions = {}, at = { offset: 0, line: 0 }): ScanResult {
	if (format === 'text') {
		const fs = detect(text, dicts, options);
		return { findings: at.offset ? fs.map((f) => ({ ...f, start: f.start + at.offset, end: f.end + at.offset })) : fs, problems: [] };
	}
	const findings: Finding[] = [];
	const problems: DocumentProblem[] = [];
	const lines = splitLines(text);
	lines.forEach((line, i) => {
		if (line.text.trim() === '') return;
		const start = at.offset + line.start;
		const lineNo = at.line + i;
		const res = scanJson(line.text);
		if (!res.ok) {
			// A malformed line is scanned as plain text, so nothing in it goes unexamined.
			problems.push({
				line: lineNo,
				start,
				end: start + line.text.length,
				message: `Line ${lineNo + 1} is not valid JSON (${res.error.message} at column ${res.error.offset + 1}); it was scanned as plain text.`,
			});
			for (const f of detect(line.text, dicts, options)) findings.push({ ...f, start: f.start + start, end: f.end + start });
			return;
		}
		const per = detectJsonValues(res.strings, dicts, options);
		res.strings.forEach((s, j) => {
			for (const f of per[j]) findings.push({ ...f, start: start + s.offsets[f.start], end: start + s.offsets[f.end] });
		});
	});
	return { findings, problems };
}
