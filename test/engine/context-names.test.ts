// Names, dates, phones and addresses known by their context, on generated families of cases: census names and
// invented ones in no list, in every case style. Each family must be found; the look-alikes that are no PHI must not.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { detect, type EntityType } from '../../server/src/engine';
import { shiftDate } from '../../server/src/engine/transform/dates';
import { dicts } from '../helpers/engine';

const seed = Number(process.env.DEID_TEST_SEED ?? Date.now() % 100000);
let s = seed;
const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
const cap = (w: string) => w[0].toUpperCase() + w.slice(1).toLowerCase();
const SYLLABLES = ['ka', 'lo', 'mé', 'ri', 'zan', 'tho', 'vel', 'dru', 'pa', 'sé', 'nor', 'qui', 'bä', 'ost', 'ril'];
/** A name in no list: two or three syllables, diacritics included. */
const invented = () => cap(Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => pick(SYLLABLES)).join(''));
const first = () => (rnd() < 0.3 ? invented() : cap(pick(rnd() < 0.5 ? dicts.raw.firstFemale.slice(0, 800) : dicts.raw.firstMale.slice(0, 800))));
const last = () => (rnd() < 0.3 ? invented() : cap(pick(dicts.raw.last.slice(0, 5000))));
const styles: [string, (t: string) => string][] = [['normal', (t) => t], ['upper', (t) => t.toUpperCase()], ['lower', (t) => t.toLowerCase()]];

/** Share of the families' values found (every character inside a finding of one of `types`), with the misses. */
function recall(make: () => { text: string; value: string }, types: EntityType[], n = 120): { share: number; misses: string[] } {
	let hit = 0;
	const misses: string[] = [];
	for (let i = 0; i < n; i++) {
		const [, style] = styles[i % styles.length];
		const { text: raw, value: rawValue } = make();
		const text = style(raw);
		const value = style(rawValue);
		const at = text.indexOf(value);
		const fs = detect(text, dicts, { language: 'en' });
		const covered = [...value].every((c, k) => /\s|[,.]/.test(c) || fs.some((f) => types.includes(f.type) && f.start <= at + k && f.end > at + k));
		if (covered) hit++;
		else if (misses.length < 5) misses.push(`${text.replace(/\n/g, '⏎')} → ${fs.map((f) => `${f.type} "${text.slice(f.start, f.end)}"`).join(', ')}`);
	}
	return { share: hit / n, misses };
}

// Over 120 seeds every family but two (floors set by each) found 98.8% or more on average, 95.0% at worst; the
// floor leaves room for chance.
function expectFamily(name: string, make: () => { text: string; value: string }, types: EntityType[], floor = 0.93): void {
	it(`${name} (seed ${seed})`, () => {
		const r = recall(make, types);
		assert.ok(r.share >= floor, `seed ${seed}: ${name} found ${(r.share * 100).toFixed(1)}%, e.g.\n${r.misses.join('\n')}`);
	});
}

describe('names, dates, phones and addresses known by their context', () => {
	expectFamily('labelled names, also surname first and in lower-case notes', () => {
		const surnameFirst = rnd() < 0.4;
		const value = surnameFirst ? `${last()}, ${first()}` : `${first()} ${last()}`;
		return { text: `DISCHARGE SUMMARY\n${pick(['Pt', 'Patient', 'Name', 'Patient name', 'Re'])}: ${value}\nDOB: 3/4/1950\n`, value };
	}, ['Patient']);
	expectFamily('clinicians after role labels, credential left out', () => {
		const value = `${first()} ${last()}`;
		return { text: `${pick(['Ordering physician', 'Pathologist', 'Surgeon', 'Dictated by', 'Signed by', 'Attending'])}: ${value}${pick(['', ', M.D.', ', RN'])}\n`, value };
	}, ['Doctor']);
	expectFamily('the subject of an age ("X is a 67-year-old")', () => {
		const value = rnd() < 0.5 ? first() : `${first()} ${last()}`;
		return { text: `HPI:\n${value} ${pick(['is a', 'was a'])} ${20 + Math.floor(rnd() * 70)}${pick(['-year-old', ' year old', ' yo', ' y.o.'])} ${pick(['woman', 'man', 'F'])} with chest pain.`, value };
	}, ['Patient']);
	expectFamily('a name after "Pt" before what is said of the patient', () => {
		const value = invented();
		return { text: `Nursing note.\nPt ${value} ${pick(['resting comfortably', 'denies pain', 'tolerating diet', 'is alert'])}, VSS.`, value };
	}, ['Patient']);
	expectFamily('greetings, sign-offs and signature lines', () => {
		const value = `${first()} ${last()}`;
		const k = Math.floor(rnd() * 3);
		const text = k === 0 ? `Hi ${value}, sent to the pharmacy.` : k === 1 ? `I am out of my lisinopril. Thanks, ${value}\n` : `Follow up in 2 weeks.\n\n— ${value}, ${pick(['M.D.', 'RN', 'PA-C', 'PharmD'])}\n`;
		return { text, value };
	}, ['Patient', 'Doctor']);
	expectFamily('a relative named after a possessive and a relation, before what is said of them', () => {
		const value = rnd() < 0.5 ? invented() : `${invented()} ${last()}`;
		return { text: `Afebrile. ${pick(['Her', 'His', "Pt's"])} ${pick(['husband', 'daughter', 'son', 'nephew', 'partner'])} ${value} ${pick(['was at the bedside', 'called for an update', 'can pick it up'])}.`, value };
	}, ['Patient']);
	expectFamily('a name no list holds after a relation, a role or a contact verb, or before a credential, in any case', () => {
		const value = rnd() < 0.5 ? invented() : `${invented()} ${invented()}`;
		const k = Math.floor(rnd() * 5);
		const text = [
			`Afebrile. ${pick(['Son', 'Daughter', 'Sister', 'Wife'])} ${value} ${pick(['called back', 'for consent', 'regarding plan'])}.`,
			`Line placed ${pick(['per', 'per NP', 'per Dr.'])} ${value} today.`,
			`Social: case manager spoke with ${value} today.`,
			`Social: ${value} called once about the plan.`,
			`Cont to monitor. ${value} ${pick(['NP', 'RN', 'RRT'])} into eval.`,
		][k];
		return { text, value };
	}, ['Patient', 'Doctor']);
	expectFamily('an initial and a surname after a word of reporting or consulting', () => {
		const value = `${pick(['D', 'W', 'J', 'S', 'K'])}. ${last()}`;
		return { text: `Hr 100s. ${pick(['Reported to', 'Milrinone off as per', 'Spoke with', 'Paged', 'Discussed with'])} ${value}. Will monitor.`, value };
	}, ['Doctor', 'Patient']);
	expectFamily('the signer of a note, and an initial, a surname and a credential in a cc line', () => {
		const f = first();
		const l = last();
		const k = rnd();
		if (k < 0.35) return { text: `Call 740-913-0962 with questions.\n\n${pick(['Electronically signed by', 'Dictated by', 'Reviewed by'])} ${f} ${l}, ${pick(['NP', 'MD', 'FRCP', 'PA-C'])}\n`, value: `${f} ${l}` };
		if (k < 0.7) return { text: `Follow up in 2 weeks.\ncc: Dr. Ames; ${f[0]}. ${l}, ${pick(['M.D.', 'DO', 'PhD', 'RN'])}\n`, value: `${f[0]}. ${l}` };
		return { text: `Hgb 12.4 g/dL.\n${pick(['Results called to', 'Report given to'])} ${f} ${l}, RN at 248.673.2269.\n`, value: `${f} ${l}` };
	}, ['Doctor']);
	expectFamily('message headers', () => {
		const value = `${first()} ${last()}`;
		return { text: `From: ${value} <${value.toLowerCase().replace(/[^a-z]/g, '')}@mail.com>\nSent: March 2, 2019\nTo: Dr. Ames\nSubject: refill\n`, value };
	}, ['Patient']);
	expectFamily('international phone numbers', () => {
		const value = pick([`+49 30 ${1000000 + Math.floor(rnd() * 8999999)}`, `+44 20 ${1000 + Math.floor(rnd() * 8999)} ${1000 + Math.floor(rnd() * 8999)}`, `+33 1 ${10 + Math.floor(rnd() * 89)} ${10 + Math.floor(rnd() * 89)} ${10 + Math.floor(rnd() * 89)} ${10 + Math.floor(rnd() * 89)}`]);
		return { text: `Call ${value} with questions.`, value };
	}, ['Phone']);
	expectFamily('a weekday before a date belongs to it', () => {
		const value = `${pick(['Monday', 'Tuesday', 'Friday', 'Sunday'])}, ${pick(['March', 'July', 'October'])} ${1 + Math.floor(rnd() * 28)}, ${1950 + Math.floor(rnd() * 70)}`;
		return { text: `Discharge date: ${value}\nSeen on ${value} in clinic.`, value };
	}, ['Date']);
	expectFamily('European street addresses with postal code and town', () => {
		const value = pick([`${1 + Math.floor(rnd() * 120)} rue ${last()}`, `Calle ${last()} ${1 + Math.floor(rnd() * 90)}`, `${last()}straße ${1 + Math.floor(rnd() * 90)}`]);
		return { text: `Lives at ${value}, ${10000 + Math.floor(rnd() * 89999)} ${last()}.`, value };
	}, ['Street']);
	it(`US addresses in a note written in lower case: street, town, state and ZIP (seed ${seed})`, () => {
		const misses: string[] = [];
		for (let i = 0; i < 60; i++) {
			const town = `${invented()}${rnd() < 0.3 ? ` ${pick(['falls', 'springs', 'city'])}` : ''}`.toLowerCase();
			const parts = [`${100 + Math.floor(rnd() * 8000)} ${pick(['oak', 'river', 'maple', 'washington'])} ${pick(['st', 'blvd', 'ave', 'road'])}`, town, pick(['sc', 'tn', 'il', 'ny', 'ca']), String(10000 + Math.floor(rnd() * 89999))];
			const text = `arrived by ambulance from home (${parts[0]}, ${parts[1]}, ${parts[2]} ${parts[3]}). pt resting.`;
			const fs = detect(text, dicts, { language: 'en' });
			const types = ['Street', 'City', 'State', 'Zip'] as const;
			parts.forEach((v, k) => {
				const at = text.indexOf(v, k ? text.indexOf(parts[k - 1]) + parts[k - 1].length : 0);
				if (!fs.some((f) => f.type === types[k] && f.start <= at && f.end >= at + v.length)) misses.push(`${types[k]} in ${text}`);
			});
		}
		assert.ok(misses.length <= 6, `seed ${seed}: ${misses.length} parts missed, e.g.\n${misses.slice(0, 5).join('\n')}`);
		// a state abbreviation that is a word, before a number, is no address without its town's comma
		for (const t of ['pt given heparin in 10000 units.', 'given 5000 units sc 12345 times.', 'call me 55512 ok 12345']) {
			assert.deepEqual(detect(t, dicts, { language: 'en' }).filter((f) => ['City', 'State', 'Zip'].includes(f.type)).map((f) => t.slice(f.start, f.end)), [], t);
		}
	});
	expectFamily('hospital names: a saint, "Community", "Children\'s", "University Hospital of" (generic head left out)', () => {
		const town = rnd() < 0.5 ? pick(dicts.raw.cities.slice(0, 3000)).split(' ').map(cap).join(' ') : invented();
		const k = Math.floor(rnd() * 4);
		const [value, head] = k === 0 ? [`${pick(['St.', 'Saint'])} ${town}`, ' Hospital'] : k === 1 ? [`${town} ${pick(['Community', 'General', "Children's", 'Memorial'])}`, pick([' Hospital', ' Medical Center'])] : k === 2 ? [`University Hospital of ${town}`, ''] : [`${town} Regional`, ' Medical Center'];
		return { text: `HPI: chest pain.\n${pick(['Admitted to', 'Transferred from', 'Seen at', 'Performing lab:'])} ${value}${head}.\nHOSPITAL COURSE: stable.`, value };
		// 98.2% on average over 120 seeds (sd 1.5), 92.5% at worst over 161: multi-word towns ("Brasher Falls") vary most
	}, ['Hospital', 'City'], 0.91);
	// "TO GO TO ST. MEDUSA", "accepted by St. Nelliston": a town or facility named after a saint or a mountain keeps
	// its "St." or "Mt.", in every case style, wherever the town itself is found.
	it(`a place after "St." or "Mt." keeps its prefix (seed ${seed})`, () => {
		let found = 0;
		const cut: string[] = [];
		for (let i = 0; i < 120; i++) {
			const [, style] = styles[i % styles.length];
			const town = pick(dicts.raw.cities.slice(0, 3000)).split(' ').map(cap).join(' ');
			const prefix = pick(['St.', 'St', 'Saint', 'Mt.']);
			const raw = `${pick(['Plan: to go to', 'Was accepted by', 'Had a bed at', 'Discharged to'])} ${prefix} ${town} ${pick(['on Tuesday.', 'but cannot leave until Friday.', 'per case worker.'])}`;
			const text = style(raw);
			const at = text.indexOf(style(` ${prefix} ${town} `)) + 1;
			const place = detect(text, dicts, { language: 'en' }).find((f) => ['Hospital', 'City', 'LocationOther'].includes(f.type) && f.end > at + prefix.length + 1 && f.start < at + prefix.length + 1 + town.length);
			if (!place) continue;
			found++;
			if (place.start > at) cut.push(`${text} → ${text.slice(place.start, place.end)}`);
		}
		assert.ok(found >= 40, `seed ${seed}: only ${found} of 120 towns found`);
		assert.ok(cut.length <= found * 0.05, `seed ${seed}: ${cut.length} of ${found} places without their prefix, e.g.\n${cut.slice(0, 5).join('\n')}`);
	});
	it('"St" after a street name ends the street, not a town: "Main St. Albany, NY"', () => {
		for (const text of ['Lives on Main St. Albany, NY.', 'LIVES ON MAIN ST. ALBANY, NY.']) {
			const f = detect(text, dicts, { language: 'en' }).find((x) => x.type === 'City');
			assert.equal(f && text.slice(f.start, f.end).toLowerCase(), 'albany', text);
		}
	});
	// given names that are also everyday words (Ivory, Olive, Winter), where only the sentence says "a name"
	const wordNames = [...dicts.raw.firstFemale.slice(0, 2000), ...dicts.raw.firstMale.slice(0, 2000)].filter((n) => (dicts.englishWords.get(n.toLowerCase()) ?? 99) <= 50 && n.length >= 4);
	expectFamily('a relative set off by commas, opening a clause, or listed with the relation in parentheses', () => {
		const value = rnd() < 0.5 ? cap(pick(wordNames)) : first();
		const relation = pick(['mother', 'brother', 'sister', 'husband', 'friend', 'neighbor']);
		const k = Math.floor(rnd() * 3);
		const text = k === 0 ? `Afebrile. Spoke with pt's ${relation}, ${value}, who agrees with the plan.` : k === 1 ? `Afebrile.\n${cap(relation)} ${value} called for an update; questions answered.` : `Afebrile.\nEmergency contact: ${value} (${relation}) 555-201-3344`;
		return { text, value };
	}, ['Patient']);
	expectFamily('two clinicians after a plural title ("Drs Edmund and Hang"), also names that are words', () => {
		const value = rnd() < 0.5 ? cap(pick(wordNames)) : last();
		return { text: `BP 80s. ${pick(['Drs', 'Drs.', 'DRS'])} ${last()} and ${value} ${pick(['in to see pt', 'aware', 'notified'])}.`, value };
	}, ['Doctor']);
	expectFamily('a country in its own language after a European postal code and town', () => {
		const value = pick(['Deutschland', 'Germany', 'España', 'Spain', 'France', 'Italia', 'Schweiz', 'Österreich', 'Nederland']);
		return { text: `Lives at ${pick(['Lindenweg', 'Hauptstraße', 'Goetheweg'])} ${1 + Math.floor(rnd() * 90)}, ${10000 + Math.floor(rnd() * 89999)} ${last()}, ${value}. Seen today.`, value };
	}, ['CountryOrRegion']);
	expectFamily('encounter and account numbers after their label', () => {
		const value = `A${100000000 + Math.floor(rnd() * 899999999)}`;
		return { text: `MRN: 1234567\n${pick(['Encounter #', 'Account #', 'Acct #', 'Billing acct'])}: ${value}\n`, value };
	}, ['Account']);

	it(`look-alikes are no PHI: therapy notes, units, replies, English street-type words (seed ${seed})`, () => {
		const free = [
			'PT: ambulating with walker, tolerated well.', 'Family: at bedside, updated by RN.', 'Family: wife and daughter visited.',
			'To: ICU\nFrom: ED', 'Thanks, will call back tomorrow.', 'Hi all, the meeting moved.', 'Given 2 via PEG today.',
			'3 place holders were used.', 'Improved during 3 days.', 'Follow-up at the Medical Center.', 'Seen at Lansing Medical Center.',
			'The patient is a 67 year old man.', 'She is a 45 yo woman.', 'Patient is resting comfortably.', 'Pt denies pain.',
			'HI DOCTOR, I\'M OUT OF MY LISINOPRIL.', 'Blood pressure, stable\nChest pain, resolved', 'Dear Sir,',
			'Encounter: office visit', 'Sunday dinner with family.', 'sat in chair for 2 hours on Monday.',
			'Re: follow-up of your visit', 'Her husband is supportive.', 'His wife called today.', 'Her son was at the bedside.',
			'Admitted to the General Hospital.', 'A community hospital.', 'Follow-up at University Hospital.', 'Mother was at the bedside.', 'His wife, who is a nurse, called.', 'Son will call back.',
			'Heparin per protocal.', 'To be seen by tranplant team.', 'Titrated per gluccose results.',
			'Wife visited- updated by RN.', 'His wife, however, called.', 'Her son, too, was updated.', 'His daughter, again, asked about discharge.', 'Her husband, now retired, visits daily.', 'His wife, a nurse, is at the bedside.', 'MS. LITTLE CHANGE NOTED.', 'MS. BETTER THIS AM.', 'MR. MILD, TR TRACE.', 'MS. LONG TERM MEMORY INTACT.', 'MS. SLOW TO RESPOND.', 'MS. STILL LETHARGIC.', 'RN aware.', 'MD notified.', 'NP to follow.', 'Attending still aware of plan.', 'NP ordered labs.', 'MD on call aware.', 'Seen by NP.', 'Wife and son in to visit.', 'Her son and daughter called.', 'Wife, son and daughter at bedside.', 'Daughter in and son to visit.', 'Signed by: attending.', 'Reviewed by the team.', 'Grew S. aureus, per C. diff protocol; E. coli in urine.', 'Per neuro, no change.', 'Updated family at bedside.', 'Seen by cardiology.',
			'Son also called.', 'Wife just left.', 'Daughter still is at the bedside.', 'Son first visited today.', 'Husband never called back.', 'Wife finally went home.', 'Son then called.', 'Daughter herself asked about the plan.', 'Sister soon went home.', 'Son today visited.', 'Wife too was updated.', 'Brother only visited once.',
			'Team aware.', 'Night float aware.', 'Blood bank aware.', 'House staff aware.', 'On call aware.', 'MICU team aware.', 'Vitamin K given, team aware.', 'Will be notified.', 'Pt and family aware.', 'Charge nurse notified.', 'Renal fellow paged.', 'Covering resident notified.', 'Case management aware.', 'Social work notified.', 'Nurse practitioner aware.', 'Primary team paged.', 'MD now aware.', 'RN also aware.', 'MD on call aware.', 'NP just made aware.', 'MD already notified.', 'RN never paged.', 'ETT secured at the 24 cm mark at the lip.', 'Wound 3 cm Long, 2 cm wide.', 'Per therapist, ambulating well.',
		];
		const flagged: string[] = [];
		for (const t of free) {
			for (const [, style] of styles) {
				const text = style(t);
				const fs = detect(text, dicts, { language: 'en' }).filter((f) => ['Patient', 'Doctor', 'Street', 'Account', 'Phone'].includes(f.type));
				if (fs.length) flagged.push(`${text} → ${fs.map((f) => `${f.type} "${text.slice(f.start, f.end)}"`).join(', ')}`);
			}
		}
		assert.deepEqual(flagged, []);
	});

	// Given names that are colours, instruments named after people, verbs that are names (general knowledge).
	const COLOUR_NAMES = ['Rose', 'Amber', 'Ruby', 'Hazel', 'Olive', 'Violet', 'Ginger', 'Coral', 'Jade', 'Scarlett', 'Sienna', 'Rusty'];
	const EPONYMS = ['Gail', 'Gleason', 'Ranson', 'Bishop', 'Glasgow', 'Apgar', 'Wells', 'Norton', 'Morse', 'Braden', 'Fisher', 'Clark', 'Hunt', 'Karnofsky', 'Breslow'];
	const VERB_NAMES = ['Mark', 'Bill', 'Page', 'Chase', 'Drew', 'Pat', 'Grant', 'Will'];

	it(`colours, instruments named after people and a sentence's first verb are no names (seed ${seed})`, () => {
		const flagged: string[] = [];
		for (let i = 0; i < 90; i++) {
			const kind = i % 3;
			const raw =
				kind === 0
					? `${pick(['Urine', 'Sputum', 'Drainage', 'Rash'])} ${pick(['is', 'was', 'noted to be', ''])} ${pick(COLOUR_NAMES).toLowerCase()}${pick([' colored', '-colored', ' coloured', '-tinged', ' tinged'])}.`.replace(/ {2}/g, ' ')
					: kind === 1
						? `${pick(EPONYMS)} ${pick(['score', 'risk score', 'scale', 'criteria', 'grade', 'classification'])} ${pick(['calculated', 'reviewed', 'of 3', 'documented'])}; ${pick(['low risk', 'see plan', 'no change'])}.`
						: `${pick(['Tolerated well.', 'Vitals stable.', ''])} ${pick(VERB_NAMES)} ${pick(['the', 'a', 'this', 'each', 'the'])} ${pick(['incision site', 'resident on call', 'labs at 0600', 'visit to insurance', 'culture', 'wound', 'area dry'])}.`.trim();
			// a colour keeps its capital at the start of a sentence too
			const text = styles[i % styles.length][1](kind === 0 && rnd() < 0.5 ? `${pick(COLOUR_NAMES)}-tinged sputum.` : raw);
			const fs = detect(text, dicts, { language: 'en' }).filter((f) => f.type === 'Patient' || f.type === 'Doctor');
			if (fs.length) flagged.push(`${text} → ${fs.map((f) => `${f.type} "${text.slice(f.start, f.end)}"`).join(', ')}`);
		}
		assert.deepEqual(flagged, [], `seed ${seed}`);
	});
	// The same words are still names where the writing says so (the rules above look only at what follows them);
	// over 120 seeds the family was found 93.8% on average (sd 1.4), 90.0% at worst ("Dr. Will Morse": an auxiliary
	// first), so the floor sits 4 standard deviations below the mean.
	expectFamily('the same words as people: after a title or a label, before a verb', () => {
		// surnames that are also instruments' eponyms too, in every case style ("MRS. RUBY BISHOP")
		const surname = rnd() < 0.5 ? last() : pick(['Bishop', 'Wells', 'Norton', 'Morse', 'Fisher', 'Clark', 'Hunt']);
		const value = `${pick([...COLOUR_NAMES, ...VERB_NAMES])}${rnd() < 0.6 ? ` ${surname}` : ''}`;
		return { text: pick([`Mrs. ${value} called back.`, `Name: ${value}\nDOB: 4/5/1950`, `Seen by Dr. ${value} today.`, `Mr. ${value} is a 67 yo man.`]), value };
	}, ['Patient', 'Doctor'], 0.88);

	// Census surnames that are everyday words (White, Young, Hunt, Price), after a titled census given name: 99.0% on
	// average over 25 seeds (61.8% before such surnames continued the name in notes without case).
	const WORD_SURNAMES = dicts.raw.last.slice(0, 5000).filter((n) => /^[A-Za-z]{3,}$/.test(n) && (dicts.englishWords.get(n.toLowerCase()) ?? 99) <= 35);
	const GIVEN = [...dicts.raw.firstFemale.slice(0, 300), ...dicts.raw.firstMale.slice(0, 300)].filter((n) => (dicts.englishWords.get(n.toLowerCase()) ?? 99) > 35);
	expectFamily('a titled given name and a surname that is a word, in every case style ("DR. JOHN WHITE")', () => {
		const value = `${cap(pick(GIVEN))} ${cap(pick(WORD_SURNAMES))}`;
		return { text: `${pick(['Seen by Dr.', 'Mrs.', 'Mr.', 'Discussed with Dr.', 'Ms.'])} ${value} ${pick(['today.', 'called back.', 'at the bedside.', 'about the plan.'])}`, value };
	}, ['Patient', 'Doctor']);

	// A relative's name in apposition, set off by commas after the relation ("his wife, Chase, at the bedside"): names
	// that are also words, in every case style.
	const WORD_GIVEN = [...dicts.raw.firstFemale.slice(0, 1000), ...dicts.raw.firstMale.slice(0, 1000)].filter((n) => (dicts.englishWords.get(n.toLowerCase()) ?? 99) <= 35);
	expectFamily("a relative's name between commas after the relation, names that are words too", () => {
		const value = cap(pick([...WORD_GIVEN, ...WORD_SURNAMES, ...VERB_NAMES, ...COLOUR_NAMES]));
		const relation = pick(['wife', 'husband', 'son', 'daughter', 'sister', 'brother', 'mother', 'niece']);
		const opener = pick(['Spoke with his', 'Her', "Updated pt's", 'Discussed the plan with her', 'Met his']);
		return { text: `${opener} ${relation}, ${value}, ${pick(['at the bedside.', 'who agrees with the plan.', 'by phone today.', 'and answered questions.'])}`, value };
	}, ['Patient']);

	// "MR. YOUNG IS RESTING": Mr./Ms. with their period before a listed name that is also a word, as the subject of
	// what follows, in notes without case (MR and MS are also mitral regurgitation and mental status).
	expectFamily('Mr. or Ms. with a period before a surname that is a word, as a subject', () => {
		const value = cap(pick(WORD_SURNAMES));
		return { text: `${pick(['Nursing note.', 'Neuro intact.', ''])} ${pick(['Mr.', 'Ms.', 'Mrs.'])} ${value} ${pick(['is resting comfortably.', 'was seen today.', 'has no complaints.', 'called for an update.', 'denies pain.'])}`.trim(), value };
	}, ['Patient']);

	// "NP WHITE MADE AWARE", "seen by np hunt.": a role's abbreviation before a common surname that is also a word,
	// as the subject of what follows or ending the sentence.
	expectFamily("a role's abbreviation before a surname that is a word", () => {
		const value = cap(pick(WORD_SURNAMES));
		const role = pick(['NP', 'RN', 'MD', 'Dr', 'RRT']);
		return { text: pick([`${role} ${value} ${pick(['made aware.', 'aware.', 'notified.', 'called back.', 'paged.'])}`, `Seen by ${role} ${value}.`, `Plan discussed; ${role} ${value} is aware.`]), value };
	}, ['Doctor']);
	// "NP WEARY AWARE": before the clinician being told, any listed name after a role's abbreviation, rare ones too.
	const RARE_WORD_NAMES = dicts.raw.last.slice(5000, 40000).filter((n) => /^[A-Za-z]{3,}$/.test(n) && (dicts.englishWords.get(n.toLowerCase()) ?? 99) <= 50);
	expectFamily("a role's abbreviation before a rarer listed name that is a word, before the clinician being told", () => {
		const value = cap(pick(RARE_WORD_NAMES));
		return { text: `${pick(['BP 80s.', 'PVCs noted.', ''])} ${pick(['NP', 'RN', 'MD', 'Dr', 'RRT'])} ${value} ${pick(['made aware.', 'aware.', 'notified.', 'paged.', 'informed.'])}`.trim(), value };
	}, ['Doctor'], 0.88);

	// "wife Hope and son in to visit": a relative named before another relative joined by "and".
	expectFamily('a relative named before "and" another relative, names that are words too', () => {
		const value = cap(pick([...WORD_GIVEN, ...WORD_SURNAMES, ...VERB_NAMES, ...COLOUR_NAMES]));
		const [a, b] = [pick(['Wife', 'Husband', 'Son', 'Daughter', 'Sister']), pick(['son', 'daughter', 'grandson', 'her husband', 'his wife'])];
		return { text: `${pick(['Afebrile.', 'Social:', 'Family:', ''])} ${a} ${value} and ${b} ${pick(['in to visit.', 'called for an update.', 'at the bedside.'])}`.trim(), value };
	}, ['Patient']);

	// "SON SIN WENT BACK HOME", "oldest son held was in": in a note without case, a listed name right after the
	// relation, names that are words too, as the subject of what follows.
	expectFamily('a relative named right before what is said of them, in notes without case', () => {
		const value = cap(pick([...WORD_GIVEN, ...WORD_SURNAMES, ...VERB_NAMES, ...COLOUR_NAMES]));
		const relation = pick(['wife', 'husband', 'son', 'daughter', 'sister', 'brother', 'mother', 'niece', 'oldest son', 'her daughter']);
		const said = pick(['was in to visit.', 'went home for the night.', 'called for an update.', 'visited this evening.', 'is at the bedside.', 'asked about the plan.', 'will return in the morning.']);
		return { text: `${pick(['Social:', 'Afebrile.', 'Family:', ''])} ${relation} ${value} ${said}`.trim(), value };
	}, ['Patient']);

	// "W. BOOK AWARE", "john white notified": an initial or a given name and a surname that is also a word, right
	// before the clinician being told.
	expectFamily('an initial or a given name and a surname that is a word, before "aware", "notified", "paged"', () => {
		const given = rnd() < 0.5 ? `${pick([...'ABCDEFGHJKLMNPRSTW'])}.` : cap(pick(GIVEN));
		const value = `${given} ${cap(pick(WORD_SURNAMES))}`;
		const told = pick(['aware.', 'made aware.', 'notified.', 'paged.', 'informed.', 'aware of the results.']);
		return { text: `${pick(['Frequent PVCs noted.', 'BP 82/40.', 'K 3.1, repleted.', ''])} ${value} ${told}`.trim(), value };
	}, ['Doctor', 'Patient'], 0.88);

	// "MET W/ CASEWORKER BUCK HEATH", "per chaplain Ann Lowe": the members of the care team other than doctors and
	// nurses before their names, in every case style.
	expectFamily('a name after a care-team role (caseworker, chaplain, social worker, therapist, interpreter)', () => {
		const value = `${first()} ${last()}`;
		const role = pick(['caseworker', 'chaplain', 'social worker', 'therapist', 'dietitian', 'pharmacist', 'interpreter', 'counselor', 'psychologist']);
		return { text: `${pick(['Social: met w/', 'Spoke with', 'Per', 'Family meeting with'])} ${role} ${value}${pick(['.', ' today.', ' re: discharge plan.'])}`, value };
	}, ['Doctor', 'Patient'], 0.88);

	// "nsg (d. crumble and j. edman) verified", "witnessed by K. Price and J. Hunt": two people as initial and surname
	// joined by "and", surnames that are words too.
	expectFamily('two initials and surnames joined by "and", surnames that are words', () => {
		const one = () => `${pick([...'ABCDEGHJKLMNPRSTW'])}. ${cap(pick(WORD_SURNAMES))}`;
		const [a, b] = [one(), one()];
		const text = pick([`Valuables: cash $40. Nsg (${a} and ${b}) verified amt.`, `Consent witnessed by ${a} and ${b}.`, `Count correct per ${a} and ${b}, RN.`]);
		return { text, value: rnd() < 0.5 ? a : b };
	}, ['Doctor', 'Patient'], 0.86);

	// "TRANSFERRED TO FREEDOM 2", "transfer to mammoth 2": a ward named by a word and its floor, after a word of moving.
	expectFamily('a ward named by an everyday word and its floor, after a word of moving', () => {
		const value = cap(pick(WORD_SURNAMES));
		const moved = pick(['transferred to', 'transfer to', 'sent to', 'returned to', 'came from']);
		return { text: `${pick(['Plan:', 'Pt then', 'Will', ''])} ${moved} ${value} ${1 + Math.floor(rnd() * 12)} ${pick(['today.', 'for monitoring.', 'in stable condition.'])}`.trim(), value };
	}, ['LocationOther', 'Hospital', 'City'], 0.85);

	it('a numbered room, bed or floor after a word of moving is no ward name', () => {
		const free = ['Transferred to floor 2 today.', 'Moved to bed 3.', 'Sent to room 12 for the night.', 'Transfer to step 2 of the protocol.', 'Transferred to pod 4.', 'Returned to baseline 2 days ago.', 'Sent to unit 5 in stable condition.'];
		const flagged: string[] = [];
		for (const t of free) {
			for (const [, style] of styles) {
				const text = style(t);
				const fs = detect(text, dicts, { language: 'en' }).filter((f) => ['LocationOther', 'Hospital', 'City'].includes(f.type));
				if (fs.length) flagged.push(`${text} → ${fs.map((f) => `${f.type} "${text.slice(f.start, f.end)}"`).join(', ')}`);
			}
		}
		assert.deepEqual(flagged, []);
	});

	it('a country that ends a sentence leaves the sentence its period; U.K. keeps its own', () => {
		for (const [text, country] of [['Lives at 12 Acacia Gardens, Leeds LS1 4AB, UK. Spoke with her.', 'UK'], ['Lives at 9 Elm St, Albany, NY 12207, USA.', 'USA'], ['Lives at 12 Acacia Gardens, Leeds LS1 4AB, U.K.', 'U.K.']] as const) {
			const c = detect(text, dicts, { language: 'en' }).find((f) => f.type === 'CountryOrRegion');
			assert.equal(c && text.slice(c.start, c.end), country, text);
		}
	});

	it('a date shift moves a written weekday by the same days, in its case and length', () => {
		assert.equal(shiftDate('Monday, July 16, 1981', 3), 'Thursday, July 19, 1981');
		assert.equal(shiftDate('MONDAY, JULY 16, 1981', -1), 'SUNDAY, JULY 15, 1981');
		assert.equal(shiftDate('Fri. 3/4/2022', 7), 'Fri. 3/11/2022');
		assert.equal(shiftDate('Sunday 13 March 2022', 1), 'Monday 14 March 2022');
	});
});
