/**
 * What each detector looks for, in words, for hovers and reports. Every detector id the engine emits has an
 * entry (a unit test checks the engine's sources and its output against this list).
 */
export const DETECTOR_DESCRIPTIONS: Readonly<Record<string, string>> = {
	'name-title': 'a name after a title (Dr., Mr., Mrs.)',
	'name-credential': 'a name before a credential (RN, MD, NP)',
	'name-relation': 'a name after a relation word (wife, son, daughter)',
	'name-context': 'a name after a role or a contact verb (seen by, called)',
	'name-full': 'a known first name followed by a surname',
	'name-dict': 'a name in the census name lists that is not an ordinary word here',
	'name-chain': 'a name-like word next to another name',
	'name-initial': 'an initial beside a surname or a credential',
	'name-phone': 'the person whose phone number follows',
	'name-subject': 'a name that what follows says is a patient ("X is a 67-year-old", "Pt X resting")',
	'name-scorer': 'a name or place by its context: the learned scorer (words around it, name lists, word frequency)',
	review: 'marked as PHI by a reviewer (Add Missed PHI in the PHI Findings view; kept in .deid/review.json)',
	'name-propagated': 'a name found elsewhere in this document (one sense per document)',
	'name-in-path': 'a given name and a surname in a file or folder name',
	'phone-in-path': 'a telephone number in a file or folder name',
	'deny-list': 'your deny list (marked as PHI)',
	'field-name': 'the JSON field it is the value of (family, birthDate, phone…)',
	'field-label': 'the value after a label such as "MRN:" or "DOB:"',
	'field-address': 'an address after a label such as "Address:"',
	address: 'part of a postal address (street, town, state, postal code or country)',
	gazetteer: 'a place in the gazetteer of cities, states and countries',
	'place-context': 'an unknown word after a movement verb (transferred to, arrived from)',
	'place-propagated': 'a place found elsewhere in this document',
	region: 'a named region (the Eastern Shore, North Campus)',
	ward: 'a ward or unit with its number',
	street: 'a street address (number, name and street type)',
	'street-line': 'a line that holds a street address',
	zip: 'a ZIP or postal code',
	facility: 'a hospital or facility name',
	'facility-es': 'a Spanish hospital or health-centre name',
	'facility-abbreviation': "a facility's abbreviation (MGH, BIDMC)",
	organization: 'an organisation name',
	profession: 'a profession or job title',
	age: 'an age (over 89 by Safe Harbor, or every age in the Spanish profile)',
	'date-iso': 'a date written year-month-day',
	'date-numeric': 'a date written in numbers (3/14/2031)',
	'date-month': 'a date with a month name (March 14)',
	'date-month-year': 'a month and a year (March 2031)',
	'date-ordinal': 'a date with an ordinal day (the 14th)',
	'date-partial': 'a day and month without a year, where the context makes it a date',
	'date-range': 'a range of days or dates',
	'date-year': 'a year in a context that makes it a date',
	phone: 'a telephone number',
	'phone-context': 'a number after a phone or fax label',
	'phone-local': 'a seven-digit local number after a contact word or on its own line',
	email: 'an e-mail address',
	url: 'a web address',
	'url-domain': 'a web domain name',
	ip: 'an IP address',
	ssn: 'a social security number',
	vin: 'a vehicle identification number',
	'id-context': 'a number after an identifier label (MRN, account, licence)',
	'id-digits': 'a long run of digits shaped like an identifier',
};

/** Words for a detector id; FHIR configuration rules (`fhir:<method>`) are described by their method. */
export function describeDetector(id: string): string {
	const known = DETECTOR_DESCRIPTIONS[id];
	if (known) return known;
	const fhir = /^fhir:(\w+)$/.exec(id);
	if (fhir) return `the FHIR anonymizer configuration's ${fhir[1]} rule for this element`;
	return 'a detector without a description';
}
