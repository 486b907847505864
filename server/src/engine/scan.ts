import { detect } from './detect';
import type { Dictionaries } from './dictionaries';
import { scanJson, splitLines } from './ndjson';
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

/** Scan a document as plain text or as NDJSON (string values only, offsets mapped onto the source). */
export function scanDocument(text: string, format: DocumentFormat, dicts: Dictionaries, options: DetectOptions = {}): ScanResult {
	if (format === 'text') return { findings: detect(text, dicts, options), problems: [] };
	const findings: Finding[] = [];
	const problems: DocumentProblem[] = [];
	const lines = splitLines(text);
	lines.forEach((line, lineNo) => {
		if (line.text.trim() === '') return;
		const res = scanJson(line.text);
		if (!res.ok) {
			problems.push({ line: lineNo, start: line.start, end: line.start + line.text.length, message: `Line ${lineNo + 1} is not valid JSON (${res.error.message} at column ${res.error.offset + 1}); its text was not scanned.` });
			return;
		}
		for (const s of res.strings) {
			if (s.value.length === 0) continue;
			const hint = keyHint(s.key, s.path);
			const found = detect(s.value, dicts, hint ? { ...options, fieldHint: hint } : options);
			for (const f of found) {
				findings.push({ ...f, start: line.start + s.offsets[f.start], end: line.start + s.offsets[f.end] });
			}
		}
	});
	return { findings, problems };
}
