/** Entity categories of the Azure Health Data Services de-identification service. */
export const ENTITY_TYPES = [
	'Patient', 'Doctor', 'Age', 'Date', 'Street', 'City', 'State', 'Zip', 'Phone', 'Fax', 'Email', 'Url',
	'IPAddress', 'SocialSecurity', 'MedicalRecord', 'HealthPlan', 'Account', 'License', 'Vehicle', 'Device',
	'BioID', 'IDNum', 'Username', 'Hospital', 'Organization', 'Profession', 'CountryOrRegion', 'LocationOther',
] as const;

export type EntityType = (typeof ENTITY_TYPES)[number];

/** What a run does to every finding: label it with its type, replace it by a redaction, or by a surrogate. */
export type Operation = 'tag' | 'redact' | 'surrogate';

const TYPE_SET: ReadonlySet<string> = new Set(ENTITY_TYPES);
export function isEntityType(value: unknown): value is EntityType {
	return typeof value === 'string' && TYPE_SET.has(value);
}

/** One piece of PHI. Offsets are UTF-16 code units into the scanned text, end exclusive. */
export interface Finding {
	start: number;
	end: number;
	type: EntityType;
	/** 0..1 */
	confidence: number;
	/** Which detector produced it (for hovers and reports). */
	detector: string;
}

export type Language = 'en' | 'es';

export interface DenyEntry {
	text: string;
	type: EntityType;
}

export interface DetectOptions {
	/** Values that are never PHI (compared case-insensitively against a whole finding). */
	allowList?: readonly string[];
	/** Values that are always PHI wherever they occur as whole words. */
	denyList?: readonly DenyEntry[];
	/** 'auto' guesses per document. */
	language?: Language | 'auto';
	/** 'over89' reports only ages above 89 (HIPAA Safe Harbor); 'all' reports every age. */
	ages?: 'over89' | 'all';
	/** Findings below this confidence are dropped (per type overrides the default). */
	minConfidence?: number;
	minConfidenceByType?: Partial<Record<EntityType, number>>;
	/** false: report the detectors' raw scores instead of calibrated confidences (for fitting the calibration). */
	calibrate?: boolean;
	/** false: rule detectors only, without the learned name-and-place scorer (for training it and comparing). */
	scorer?: boolean;
}

/** HIPAA Safe Harbor identifier (45 CFR 164.514(b)(2)(i)) each type falls under. */
export const SAFE_HARBOR: Record<EntityType, string> = {
	Patient: '(A) Names',
	Doctor: '(A) Names',
	Age: '(C) Ages over 89 and all elements of dates',
	Date: '(C) All elements of dates (except year) directly related to an individual',
	Street: '(B) Geographic subdivisions smaller than a state',
	City: '(B) Geographic subdivisions smaller than a state',
	State: '(B) Geographic subdivisions (state: only with smaller units)',
	Zip: '(B) ZIP codes (the first three digits may remain under conditions)',
	Phone: '(D) Telephone numbers',
	Fax: '(E) Fax numbers',
	Email: '(F) Email addresses',
	Url: '(N) Web Universal Resource Locators (URLs)',
	IPAddress: '(O) Internet Protocol (IP) addresses',
	SocialSecurity: '(G) Social security numbers',
	MedicalRecord: '(H) Medical record numbers',
	HealthPlan: '(I) Health plan beneficiary numbers',
	Account: '(J) Account numbers',
	License: '(K) Certificate/license numbers',
	Vehicle: '(L) Vehicle identifiers and serial numbers, including license plates',
	Device: '(M) Device identifiers and serial numbers',
	BioID: '(P) Biometric identifiers',
	IDNum: '(R) Any other unique identifying number, characteristic, or code',
	Username: '(R) Any other unique identifying number, characteristic, or code',
	Hospital: '(B) Geographic subdivisions smaller than a state (facility names)',
	Organization: '(R) Any other unique identifying characteristic',
	Profession: '(R) Any other unique identifying characteristic',
	CountryOrRegion: 'Not a Safe Harbor identifier on its own; location context',
	LocationOther: '(B) Geographic subdivisions smaller than a state',
};
