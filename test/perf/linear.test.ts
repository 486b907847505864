import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { detect, scanDocument } from '../../server/src/engine';
import { dicts, find } from '../helpers/engine';
import { assertLinear } from '../helpers/linear';
import { hashReference, scrubXhtml, splitMarkup, stripJsonExtensions } from '../../server/src/engine/formats/fhir';

// Adversarial inputs for the patterns (long runs that almost match). A backtracking blow-up shows as
// super-linear growth: 8x the input must not take much more than 8x the time.
const ADVERSARIAL: [string, (n: number) => string][] = [
	['letters', (n) => 'a'.repeat(n)],
	['digits', (n) => '1'.repeat(n)],
	['digits and slashes', (n) => '1/'.repeat(n / 2)],
	['digits and dashes', (n) => '1-'.repeat(n / 2)],
	['dots and digits', (n) => '1.'.repeat(n / 2)],
	['at signs', (n) => 'a@'.repeat(n / 2)],
	['url-like', (n) => 'http://' + 'a'.repeat(n)],
	['domain-like', (n) => 'a.'.repeat(n / 2)],
	['colons', (n) => 'a:'.repeat(n / 2)],
	['spaces and capitals', (n) => 'Ab '.repeat(n / 3)],
	['hash digits', (n) => '#1 '.repeat(n / 3)],
	['apostrophes', (n) => "a'".repeat(n / 2)],
	['month words', (n) => 'jan '.repeat(n / 4)],
	['phones', (n) => '617 '.repeat(n / 4)],
	['quotes json', (n) => '{"a":"' + '\\"'.repeat(n / 2) + '"}'],
	// many distinct facility phrases sharing a first word: each recurrence is looked for, but boundedly
	['facility phrases', (n) => Array.from({ length: Math.floor(n / 24) }, (_, i) => `Holy ${wordOf(i)} Hospital.`).join(' ')],
	['ward numbers', (n) => 'transfer to ostrovane 2 '.repeat(n / 24)],
	['phone owners', (n) => 'Ab Cd cell# 410-555-0199 '.repeat(n / 25)],
	['dotted years', (n) => '1/1.11/1.1'.repeat(n / 10)],
	['names before titles', (n) => 'ab and dr cd and dr '.repeat(n / 20)],
	['contact verbs', (n) => 'social: bob called; '.repeat(n / 20)],
	['hyphen dates', (n) => 'on 1-2 for 1-2-'.repeat(n / 15)],
	['day ranges', (n) => '1->2 nov 1-'.repeat(n / 11)],
	['orientation years', (n) => 'states it is 1999 it is '.repeat(n / 24)],
	['dated measures', (n) => 'R AC 1/3 wt 1/3 1.1kg last doses 1/3 '.repeat(n / 37)],
	['organisation heads', (n) => 'CEO of Ab Cd of '.repeat(n / 16)],
	// addresses read back from their postal codes, and local phone numbers after contact words
	['address tails', (n) => '12 Ab St Unit 4 Cd Ef, MA 02115 '.repeat(n / 32)],
	['towns before codes', (n) => 'Ab, '.repeat(n / 12) + 'MA 02115 ' + 'Ab Cd, MA 02115 '.repeat(n / 32)],
	['postcodes', (n) => 'AB1 2CD '.repeat(n / 8)],
	['contact fillers', (n) => 'call her at him at '.repeat(n / 18) + '555-0199 ' + 'at 555-0199 '.repeat(n / 24)],
	// subjects of predicates, greetings and sign-offs, signature lines, message headers and European addresses
	['age subjects', (n) => 'Ab Cd Ef is a 4 '.repeat(n / 16) + 'is a 45 yo '.repeat(n / 22)],
	['patient words', (n) => 'Pt Ab Cd Ef Gh '.repeat(n / 15)],
	['greetings', (n) => '\nHi Ab Cd Ef Gh'.repeat(n / 15)],
	['sign-offs', (n) => 'Thanks, Ab Cd Ef Gh '.repeat(n / 20)],
	['signature lines', (n) => '\n-- Ab Cd, Ef, Gh, Ij, Kl Mn'.repeat(n / 28)],
	['blanks', (n) => ' '.repeat(n)],
	['header labels', (n) => 'From: Ab Cd <a@b.c> To: '.repeat(n / 24)],
	['street types', (n) => '12 rue De La Ab Cd Ef Gh '.repeat(n / 25)],
	['glued streets', (n) => 'Abstraße Cdweg 1 '.repeat(n / 17)],
	['postal towns', (n) => 'Calle Ab 1, 12345 Cd Ef Gh, '.repeat(n / 28)],
	['weekdays', (n) => 'Monday, Tuesday, '.repeat(n / 17) + 'July 4, 2020'],
	['country codes', (n) => '+49 30 1 2 3 4 5 6 '.repeat(n / 19)],
	['comma credentials', (n) => 'A. Bc, md. C.D, ph.d '.repeat(n / 21)],
	['signers', (n) => 'signed by Ab Cd Ef, '.repeat(n / 20)],
	['lower-case addresses', (n) => 'ab cd, sc 12345 ef, '.repeat(n / 20)],
	['cue words', (n) => 'son per np rn with by to called Pt '.repeat(n / 35)],
	['unknown words after cues', (n) => 'son Kalomer Vintef per Tasdel np '.repeat(n / 33)],
];

/** A distinct letters-only word for each number ("Bab", "Bac", …). */
function wordOf(i: number): string {
	let w = '';
	for (let k = 0; k < 4; k++, i = Math.floor(i / 26)) w += String.fromCharCode(97 + (i % 26));
	return 'B' + w;
}

/**
 * 8x the input must stay well under 64x the time (linear is ~8x, quadratic ~64x): best-of-three CPU times of
 * this process (so other processes' load is not counted), retried when one measurement is slow.
 */
function linearCase(name: string, make: (n: number) => string, run: (s: string) => unknown): void {
	it(name, () => assertLinear(name, make, run, { slack: 50 }));
}

describe('every pattern stays linear on adversarial input', () => {
	for (const [name, make] of ADVERSARIAL) linearCase(name, make, (s) => (name === 'quotes json' ? scanDocument(s, 'ndjson', dicts) : find(s)));
});

// The Spanish profile's own patterns (facility names, address lines, durations, field labels).
describe('Spanish patterns stay linear on adversarial input', () => {
	const es = (s: string) => detect(s, dicts, { language: 'es' });
	const cases: [string, (n: number) => string][] = [
		['whitespace runs', (n) => 'A' + ' '.repeat(n) + '1'],
		['capitalised words without a postal code', (n) => 'Calle '.repeat(n / 6)],
		['address-line shapes', (n) => 'Río Júcar, 12 '.repeat(n / 14)],
		['facility heads', (n) => 'Hospital de '.repeat(n / 12)],
		['unclosed quoted names', (n) => "Hospital 'Ab ".repeat(n / 13)],
		['connector runs', (n) => 'Hospital General ' + 'de la '.repeat(n / 6)],
		['durations', (n) => 'hace 2 años '.repeat(n / 12)],
		['labels', (n) => 'NºCol: '.repeat(n / 7)],
	];
	for (const [name, make] of cases) linearCase(name, make, es);
});

// The FHIR engine's own text handling: markup splitting, config comment stripping, reference hashing, entities.
describe('FHIR text handling stays linear on adversarial input', () => {
	const cases: [string, (n: number) => string, (s: string) => unknown][] = [
		['unclosed comments', (n) => '<!--'.repeat(n / 4), (s) => splitMarkup(s)],
		['unclosed tags', (n) => '<a'.repeat(n / 2), (s) => splitMarkup(s)],
		['tags without text', (n) => '<<>'.repeat(n / 3), (s) => splitMarkup(s)],
		['narrative scrub', (n) => '<p>&amp;'.repeat(n / 8), (s) => scrubXhtml(s, (t) => t)],
		['config comments', (n) => '/*'.repeat(n / 2), (s) => stripJsonExtensions(s)],
		['config commas', (n) => ','.repeat(n) + ' ', (s) => stripJsonExtensions(s)],
		['references', (n) => 'http://a/' + 'Patient/'.repeat(n / 8) + '!', (s) => hashReference(s, (x) => x)],
	];
	for (const [name, make, run] of cases) linearCase(name, make, run);
	it('splitMarkup keeps tags and text apart', () => {
		assert.deepEqual(splitMarkup('<p>a <b>b</b></p>'), ['', '<p>', 'a ', '<b>', 'b', '</b>', '', '</p>', '']);
		assert.deepEqual(splitMarkup('x <!-- c --> y < z'), ['x ', '<!-- c -->', ' y < z']);
	});
});
