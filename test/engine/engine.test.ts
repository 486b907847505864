import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ENTITY_TYPES, mergeOverlaps, type DetectOptions, type EntityType } from '../../server/src/engine';
import { covering, dicts, find } from '../helpers/engine';
import { detect } from '../../server/src/engine';
import { tokenize, tokenizeWithRegex } from '../../server/src/engine/detect/tokenize';
import { vinRuns } from '../../server/src/engine/detect/patterns';
import { matchesOf } from '../../server/src/engine/detect/context';
import { mulberry32 } from '../../bench/random.mjs';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../helpers/cli';

/** [text, [[substring, type], …]] — every substring must be covered by one finding of that type. */
const GOLDEN: [string, [string, EntityType][], DetectOptions?][] = [
	['Admitted 10/12/2023 for chest pain.', [['10/12/2023', 'Date']]],
	['Pacemaker placed 7/22, doing well.', [['7/22', 'Date']]],
	['Seen on November 4th by cardiology.', [['November 4th', 'Date']]],
	['Lab drawn 2023-10-12T08:30:00Z.', [['2023-10-12T08:30:00Z', 'Date']]],
	['Surgery 12-Jan-2020 uneventful.', [['12-Jan-2020', 'Date']]],
	['Hospitalisé le 10 Janvier pour une chute.', [['10 Janvier', 'Date']]],
	['Ingresó el 5 de enero de 2021.', [['5 de enero de 2021', 'Date']]],
	['PMH: MI in 1992, CABG \'95.', [['1992', 'Date'], ['95', 'Date']]],
	['Impossible surrogate date 2/31 still counts.', [['2/31', 'Date']]],
	['A 92 yo woman, and age 97 on intake; 101-year-old uncle.', [['92', 'Age'], ['97', 'Age'], ['101', 'Age']]],
	['Call (617) 555-0123 or 617.555.0188 ext 42.', [['(617) 555-0123', 'Phone'], ['617.555.0188 ext 42', 'Phone']]],
	['Fax: 617-555-0100 for records.', [['617-555-0100', 'Fax']]],
	['Page the fellow at pager #54321 tonight.', [['54321', 'Phone']]],
	['Send results to jane.roe@example.org please.', [['jane.roe@example.org', 'Email']]],
	['See https://portal.example.com/records?id=7 and www.example.net.', [['https://portal.example.com/records?id=7', 'Url'], ['www.example.net', 'Url']]],
	['Upload from 192.168.10.45 and fe80::1ff:fe23:4567:890a.', [['192.168.10.45', 'IPAddress'], ['fe80::1ff:fe23:4567:890a', 'IPAddress']]],
	['SSN 123-45-6789 on file.', [['123-45-6789', 'SocialSecurity']]],
	['MRN: 00123456, admitted today.', [['00123456', 'MedicalRecord']]],
	['Insurance member ID: XQ-448812 verified.', [['XQ-448812', 'HealthPlan']]],
	['Billing account # 99812345 closed.', [['99812345', 'Account']]],
	['DEA number AB1234563 on the script.', [['AB1234563', 'License']]],
	['Car VIN 1HGCM82633A004352 in lot.', [['1HGCM82633A004352', 'Vehicle']]],
	['Pump serial number SN-778812-Q replaced.', [['SN-778812-Q', 'Device']]],
	['Retinal scan fingerprint FP-00981 enrolled.', [['FP-00981', 'BioID']]],
	['Reference ID: 88123-A attached.', [['88123-A', 'IDNum']]],
	['Portal username: jdoe1984 reset.', [['jdoe1984', 'Username']]],
	['Lives at 45 Maple Street, Springfield, IL 62704.', [['45 Maple Street', 'Street'], ['62704', 'Zip'], ['Springfield', 'City']]],
	['She moved from Baltimore, Maryland to 12 Elm Road, Towson, MD 21204.', [['Baltimore', 'City'], ['Maryland', 'State'], ['Towson', 'City'], ['MD', 'State'], ['21204', 'Zip']]],
	['Transferred from Calvert Hospital this morning.', [['Calvert', 'Hospital']]],
	['Discussed with Dr. Eleanor Whitfield and Dr. Small.', [['Eleanor Whitfield', 'Doctor'], ['Small', 'Doctor']]],
	['Note written by Marie Munroe, RN.', [['Marie Munroe', 'Doctor']]],
	['Mrs. Okafor is resting. Her daughter Chiamaka visited.', [['Okafor', 'Patient'], ['Chiamaka', 'Patient']]],
	['MR. EDWIN PRZYBYLO IS AN 83 YO MAN.', [['EDWIN PRZYBYLO', 'Patient']]],
	['pt seen by dr healey this am, son david updated.', [['healey', 'Doctor'], ['david', 'Patient']]],
	['He is a retired carpenter who works as a teacher.', [['carpenter', 'Profession'], ['teacher', 'Profession']]],
	['She works at Northwind Traders Inc in town.', [['Northwind Traders Inc', 'Organization']]],
	['Arrived to Quartermain from the ED.', [['Quartermain', 'LocationOther']]],
	['Born in Ecuador, she moved to Portugal.', [['Ecuador', 'CountryOrRegion'], ['Portugal', 'CountryOrRegion']], { minConfidence: 0.4 }],
];

describe('engine golden cases', () => {
	for (const [text, expected, options] of GOLDEN) {
		it(text, () => {
			const findings = find(text, { ages: 'over89', ...options });
			for (const [needle, type] of expected) {
				const f = covering(text, findings, needle);
				assert.ok(f, `${JSON.stringify(needle)} should be found as ${type}; got ${JSON.stringify(findings.map((x) => [text.slice(x.start, x.end), x.type]))}`);
				assert.equal(f.type, type, `${JSON.stringify(needle)} type`);
				assert.ok(f.confidence > 0 && f.confidence <= 1);
				assert.ok(f.detector.length > 0);
			}
		});
	}

	it('a labelled number or date ends with its sentence (the name after it is a name of its own)', () => {
		const text = 'MRN: 4412908. Follow up with Maria Lopez, RN.\nDOB: 3/4/1950; lives alone.\nPhone: 617-555-0101, cell preferred.';
		const fs = find(text);
		const exact = (needle: string, type: string) => {
			const f = covering(text, fs, needle);
			assert.ok(f, `${needle} found`);
			assert.deepEqual([text.slice(f.start, f.end), f.type], [needle, type]);
		};
		exact('4412908', 'MedicalRecord');
		exact('3/4/1950', 'Date');
		exact('617-555-0101', 'Phone');
		assert.ok(['Doctor', 'Patient'].includes(covering(text, fs, 'Maria Lopez')?.type ?? ''), 'the name is a name');
	});

	it('every entity type has at least one golden case', () => {
		const covered = new Set(GOLDEN.flatMap(([, e]) => e.map(([, t]) => t)));
		const missing = ENTITY_TYPES.filter((t) => !covered.has(t));
		assert.deepEqual(missing, []);
	});
});

/**
 * Context rules for names and places that nursing notes write without capitals, titles or full forms (the texts
 * are invented; none comes from a corpus). [text, expected [needle, type], needles that must stay unflagged].
 */
const CONTEXT_CASES: [string, [string, EntityType, number?][], string[]][] = [
	['Pt comfortable overnight. Plan: transfer to ostrovane 4 today, then rehab eval.', [['ostrovane', 'LocationOther']], ['rehab']],
	['PT ADMITTED TO OSTROVANE3 W/ CHF, DIURESED WELL.', [['OSTROVANE3', 'LocationOther']], []],
	['Pt slept well. Plan: OSTROVANE 2 this am, pain control, pulm toilet.', [['OSTROVANE', 'LocationOther']], ['pain']],
	['Started insulin drip per U Delaware protocol this am.', [['U Delaware', 'Hospital']], ['insulin']],
	['Family drove in from the Western Shore overnight.', [['Western Shore', 'LocationOther']], []],
	['Currently lives in a shelter in Dunmarrow area, missed clinic.', [['Dunmarrow', 'City']], ['shelter']],
	['given a brief overview of this rockville maryland facility today', [['rockville', 'City']], []],
	['Seen at Blessington Grove Hospital last year. Today sent to Blessington Grove EW for chest pain.', [['Blessington Grove', 'Hospital'], ['Blessington Grove', 'Hospital', 1]], ['chest']],
	['Sent to rehab (holy name Memorial) today, bed available.', [['holy name Memorial', 'Hospital']], []],
	['resting comfortably, her primary psych team member Halvorsen phoned and explained that she is anxious', [['Halvorsen', 'Patient']], ['phoned']],
	['KCL GIVEN. DRS OKONJO AND FENWICKE AWARE. KEEP DELACROIX FAMILY AWARE OF PLAN.', [['OKONJO', 'Doctor'], ['FENWICKE', 'Doctor'], ['DELACROIX', 'Patient']], ['KCL']],
	['Has one son Rob who is spokesperson. Family: Son, Ed, was updated by team.', [['Rob', 'Patient'], ['Ed', 'Patient']], []],
	['HR 130s with PACs. Dr. o sullivan and Dr. Marsh in room.', [['o sullivan', 'Doctor'], ['Marsh', 'Doctor']], ['PACs']],
	['Cash counted by nsg (d. kowalczyk and p. nguyen). all is well at this time. t. baker rrt', [['d. kowalczyk', 'Doctor'], ['t. baker', 'Doctor']], []],
	['Lives with daughter. Ilse Varnholt cell# 410-555-0199 Home# 410-555-0142 work.', [['Ilse Varnholt', 'Patient']], ['work']],
	['admitted from home in sept. and d/c\'d to rehab.', [['sept', 'Date']], []],
	['Cultures grew e. coli and p. aeruginosa; s. aureus swab negative.', [], ['coli', 'aeruginosa', 'aureus']],
	['GI: OGT. GIVEN CARAFATE-W. OKAFOR AWARE-WILL START PROTONIX. RUN OF VENT BIGEMINY TODAY.', [['OKAFOR', 'Doctor']], ['CARAFATE', 'BIGEMINY']],
	['Voiding well. GU: OOB to commodex3 voiding with stool. Tidal volumes 320 on PSVof 15. Call home 555-201-3344.', [], ['commodex3', 'PSVof', 'Call']],
	['K REPLETED. NOLA VESKARI AND DRS PRZYBYL AND DUNMORE AWARE. PLAN UNCHANGED.', [['NOLA VESKARI', 'Doctor'], ['PRZYBYL', 'Doctor']], ['REPLETED', 'PLAN']],
	['Heparin held and Dr. Ostrand aware; labs and Dr. Ostrand to review.', [['Ostrand', 'Doctor']], ['Heparin', 'labs']],
	['afebrile overnight. social: frank phoned this am; pat visited after lunch. pt called out for help once.', [['frank', 'Patient'], ['pat', 'Patient']], ['called out']],
	['ED called with report at 1400. Family called twice. Pt stayed in chair. Will called back about labs.', [], ['ED', 'Family', 'Pt', 'Will']],
	['3/14.88 admitted to the unit; heparin 1/2.5 mg given.', [['3/14.88', 'Date']], ['1/2.5']],
	['Midline placed in L AC 4/19 without issue; AC 12/5 overnight on the vent.', [['4/19', 'Date']], ['12/5']],
	['Weight 3/22 71.4 kg, up from admission. BP 118/64, wt 6/4 stable.', [['3/22', 'Date']], ['118/64', '6/4']],
	['Vancomycin stopped, final doses 6/14; heparin dose 1/2 given.', [['6/14', 'Date']], ['1/2']],
	['Went back to IR on 5-9 for embolization. On 2-3 L NC overnight, since 7-8 pm calm.', [['5-9', 'Date']], ['2-3', '7-8']],
	['Oriented x2: states it is 1987, knows the place. At 2030 pt asleep.', [['1987', 'Date']], ['2030']],
	['Admitted 3->4 dec, 2001 for sepsis.', [['3', 'Date'], ['4 dec, 2001', 'Date']], []],
	['RETIRED. WIFE IS CEO OF ZENTRIQ. DIRECTOR OF NURSING AWARE. NO ETOH.', [['ZENTRIQ', 'Organization']], ['CEO', 'NURSING']],
	['Husband is the owner of Quillmark Bakery; employee of the State.', [['Quillmark Bakery', 'Organization']], ['State']],
	['ON ARRIVAL TO QMH PT WAS HYPOTENSIVE.', [['QMH', 'Hospital']], ['HYPOTENSIVE']],
];

describe('engine context rules (lower case, ALL CAPS, wards, regions, phone owners)', () => {
	for (const [text, expected, clean] of CONTEXT_CASES) {
		it(text, () => {
			const findings = find(text);
			const got = JSON.stringify(findings.map((x) => [text.slice(x.start, x.end), x.type]));
			for (const [needle, type, nth] of expected) {
				const f = covering(text, findings, needle, nth);
				assert.ok(f, `${JSON.stringify(needle)} should be found as ${type}; got ${got}`);
				assert.equal(f.type, type, `${JSON.stringify(needle)} type; got ${got}`);
			}
			for (const needle of clean) {
				const at = text.indexOf(needle);
				assert.ok(at >= 0);
				assert.ok(!findings.some((f) => f.start < at + needle.length && at < f.end), `${JSON.stringify(needle)} must not be flagged; got ${got}`);
			}
		});
	}
});

describe('engine behaviour', () => {
	it('offsets are UTF-16 code units, also after astral characters', () => {
		const text = '😀 Dr. Whitfield 😀 called 617-555-0123.';
		const fs = find(text);
		const phone = covering(text, fs, '617-555-0123');
		assert.ok(phone);
		assert.equal(text.slice(phone.start, phone.end), '617-555-0123');
		const doc = covering(text, fs, 'Whitfield');
		assert.equal(text.slice(doc!.start, doc!.end), 'Whitfield');
	});

	it('states and countries alone are below the default threshold (not Safe Harbor identifiers) but detected', () => {
		const text = 'She flew home to Canada and then to Ohio.';
		assert.equal(covering(text, find(text), 'Canada'), undefined);
		assert.equal(covering(text, find(text, { minConfidence: 0.4 }), 'Canada')?.type, 'CountryOrRegion');
		assert.equal(covering(text, find(text, { minConfidence: 0.4 }), 'Ohio')?.type, 'State');
	});

	it('ages up to 89 only with ages: all', () => {
		const text = 'A 58 yo man and a 57yo woman.';
		assert.equal(find(text, { ages: 'over89' }).filter((f) => f.type === 'Age').length, 0);
		const all = find(text, { ages: 'all' }).filter((f) => f.type === 'Age');
		assert.deepEqual(all.map((f) => text.slice(f.start, f.end)), ['58', '57']);
	});

	it('allow list removes a finding, deny list adds one', () => {
		const text = 'Dr. Whitfield reviewed the Zephyr protocol.';
		assert.ok(covering(text, find(text), 'Whitfield'));
		assert.equal(covering(text, find(text, { allowList: ['whitfield'] }), 'Whitfield'), undefined);
		assert.equal(covering(text, find(text), 'Zephyr'), undefined);
		const denied = covering(text, find(text, { denyList: [{ text: 'zephyr', type: 'Organization' }] }), 'Zephyr');
		assert.equal(denied?.type, 'Organization');
		assert.equal(denied?.detector, 'deny-list');
	});

	it('deny list matches whole words only', () => {
		const fs = find('Ann went to Annapolis.', { denyList: [{ text: 'Ann', type: 'Patient' }] }).filter((f) => f.detector === 'deny-list');
		assert.equal(fs.length, 1);
		assert.equal(fs[0].start, 0);
	});

	it('overlaps merge into their union so no fragment is left', () => {
		const merged = mergeOverlaps([
			{ start: 0, end: 5, type: 'Patient', confidence: 0.6, detector: 'a' },
			{ start: 3, end: 10, type: 'Hospital', confidence: 0.9, detector: 'b' },
			{ start: 12, end: 14, type: 'Date', confidence: 0.9, detector: 'c' },
		]);
		assert.deepEqual(merged.map((f) => [f.start, f.end, f.type]), [[0, 10, 'Hospital'], [12, 14, 'Date']]);
	});

	it('findings never overlap and stay inside the text', () => {
		const text = 'Dr. John Smith (MRN 1234567) saw Mrs. Jane Doe at 45 Oak Street, Boston, MA 02115 on 3/4/2020, tel 617-555-0100.';
		const fs = find(text);
		for (let i = 0; i < fs.length; i++) {
			assert.ok(fs[i].start >= 0 && fs[i].end <= text.length && fs[i].start < fs[i].end);
			if (i > 0) assert.ok(fs[i - 1].end <= fs[i].start);
		}
	});

	it('minConfidence per type drops weak findings', () => {
		const text = 'Transferred to Quartermain.';
		assert.ok(covering(text, find(text), 'Quartermain'));
		assert.equal(covering(text, find(text, { minConfidenceByType: { LocationOther: 0.99 } }), 'Quartermain'), undefined);
	});

	it('clinical vocabulary and eponyms are not names', () => {
		const text = 'Foley catheter in place. Coumadin held. Parkinson disease stable. Lasix 40 mg given. Swan removed.';
		assert.deepEqual(find(text), []);
	});

	it('empty and whitespace text give nothing', () => {
		assert.deepEqual(find(''), []);
		assert.deepEqual(find('   \n\t'), []);
		assert.equal(dicts.firstNames.size > 1000, true);
	});

	it('BP, ratios and doses are not dates', () => {
		const text = 'BP 120/80, strength 4/5 bilaterally, 1/2 NS at 75 cc/hr, percocet 5/325 x2.';
		assert.deepEqual(find(text).filter((f) => f.type === 'Date'), []);
	});

	it('the fast tokenizer gives the same tokens as the reference regular expression', () => {
		const texts = [
			"O'Neil's note: it’s 12ab ab12 — é (e\u0301), NBSP a\u00a0b, 𝒜bc, tab\there.",
			...readdirSync(join(root, 'samples'), { recursive: true }).map((f) => join(root, 'samples', String(f))).filter((p) => statSync(p).isFile()).map((p) => readFileSync(p, 'utf8')),
		];
		for (const t of texts) assert.deepEqual(tokenize(t), tokenizeWithRegex(t));
	});

	it('matchesOf finds what matchAll finds, empty matches and surrogate pairs included', () => {
		const texts = ['', 'a1 b22 c333', 'x\u{1F600}y\u{1F600}', '\n\nDr. A\nB, MD\n', 'aaa'];
		const patterns = [/\d+/g, /(?:)/g, /(?:)/gu, /\b/g, /a*/g, /(?:^|\n)(\w+)/g, /./gu, /\p{L}*/gu];
		const shape = (ms: Iterable<RegExpMatchArray>) => [...ms].map((m) => [m.index, ...m]);
		for (const re of patterns) for (const t of texts) assert.deepEqual(shape(matchesOf(re, t)), shape(t.matchAll(re)), `${re} on ${JSON.stringify(t)}`);
		assert.throws(() => matchesOf(/a/, 'a'), /global/);
	});

	it('vinRuns finds what the VIN pattern /\\b[A-HJ-NPR-Z0-9]{17}\\b/g finds', () => {
		// random texts of VIN characters, the three letters a VIN leaves out, other word characters and separators,
		// so runs of 16, 17 and 18 characters and runs broken by a non-VIN character all occur
		const seed = Date.now() % 100000;
		const rnd = mulberry32(seed);
		const alphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'.repeat(2) + 'IOQaz_' + ' -.é\n'.repeat(2);
		const reference = (t: string) => [...t.matchAll(/\b[A-HJ-NPR-Z0-9]{17}\b/g)].map((m) => m.index);
		let found = 0;
		for (let k = 0; k < 3000; k++) {
			let t = '';
			const len = Math.floor(rnd() * 60);
			for (let i = 0; i < len; i++) t += alphabet[Math.floor(rnd() * alphabet.length)];
			const want = reference(t);
			found += want.length;
			assert.deepEqual(vinRuns(t), want, `seed ${seed}: ${JSON.stringify(t)}`);
		}
		assert.ok(found > 20, `seed ${seed}: only ${found} VIN-shaped runs generated`);
	});

	it('detect is deterministic', () => {
		const text = 'Mrs. Okafor, 94 yo, seen 3/14/2031 by Dr. Menon at Riverside General Hospital.';
		assert.deepEqual(detect(text, dicts), detect(text, dicts));
	});
});

describe('Spanish profile: facilities, staff fields, addresses', () => {
	const es = (text: string) => detect(text, dicts, { language: 'es' });
	const spans = (text: string) => es(text).map((f) => [f.type, text.slice(f.start, f.end)]);
	/** The findings include `type` over exactly `value`. */
	const has = (got: string[][], type: string, value: string) => assert.ok(got.some(([t, v]) => t === type && v === value), `${type} ${value} in ${JSON.stringify(got)}`);
	it('a facility name starts at its head and stops before the department, the address or the town', () => {
		const text = 'Remitido a Hospital Clínico San Carlos Servicio de Cardiología. Ingresó en el Complejo Hospitalario de Toledo Avenida Barber 30, 45004 Toledo. Control en Centro de Salud Las Águilas.';
		const got = spans(text);
		has(got, 'Hospital', 'Hospital Clínico San Carlos');
		has(got, 'Hospital', 'Complejo Hospitalario de Toledo');
		has(got, 'Hospital', 'Centro de Salud Las Águilas');
		assert.ok(got.some(([t, v]) => t === 'Street' && v.startsWith('Avenida Barber')), JSON.stringify(got));
	});
	it('a staff field stops at the next label; "NºCol" is no name; "C/" is no initial', () => {
		const text = 'Médico: Julia Sorribes Llanes  NºCol: 46 46 12345.\nRemitido por: Dr. Tomás Ibarra Solé C/ Mayor, 12 46001 Valencia';
		const got = spans(text);
		has(got, 'Doctor', 'Julia Sorribes Llanes');
		has(got, 'Doctor', 'Tomás Ibarra Solé');
		has(got, 'Street', 'C/ Mayor, 12');
	});
	it('a duration is no age, the patient\'s age is; a department before "Hospital" is not part of the name', () => {
		const text = 'Paciente de 54 años con dolor desde hace 3 años, 2 años de evolución. Servicio de Urología Hospital Comarcal de Alcañiz.';
		const got = spans(text);
		assert.deepEqual(got.filter(([t]) => t === 'Age').map(([, v]) => v), ['54 años']);
		has(got, 'Hospital', 'Hospital Comarcal de Alcañiz');
		assert.ok(!got.some(([, v]) => v.includes('Servicio') || v.includes('Urología')), JSON.stringify(got));
	});
	it('"Localidad/ Provincia: town, province" gives two places', () => {
		const text = 'Localidad/ Provincia: Alcoy, Alicante.\n';
		const got = spans(text).filter(([t]) => t === 'City').map(([, v]) => v);
		assert.deepEqual(got, ['Alcoy', 'Alicante']);
	});
});
