// A seeded generator of clinical documents with gold PHI spans (Azure de-identification entity types), written from
// general knowledge of how clinical documents are laid out — not from any corpus. Values (names, places, numbers,
// dates) are drawn from the census and locale lists of dist/dictionaries.json on every run, so a detector can only
// pass by reading the contexts. Also a PHI-free set: sentences full of eponyms, scores, drugs, devices, units,
// ethnicity words and acronyms that look like names or places but are not PHI.
import { readFileSync } from 'node:fs';
import { mulberry32 } from '../random.mjs';

/** Value pools from the built dictionaries (dist/dictionaries.json). */
export function pools(dictionariesJson) {
	const d = JSON.parse(readFileSync(dictionariesJson, 'utf8'));
	const words = new Set(['10', '20', '35'].flatMap((k) => d.englishWords?.[k] ?? []));
	const alpha = (n) => /^[A-Za-z][A-Za-z'-]+$/.test(n);
	const male = d.firstMale.filter(alpha);
	const female = d.firstFemale.filter(alpha);
	const last = d.last.slice(0, 30000).filter(alpha);
	const isWord = (n) => words.has(n.toLowerCase());
	const accented = (l) => l.filter((n) => /^[\p{L}'-]+$/u.test(n) && /[^\x00-\x7f]/.test(n) && n.toUpperCase().length === n.length && n.toLowerCase().length === n.length);
	const loc = d.locales;
	return {
		male,
		female,
		last,
		wordFirst: [...male, ...female].filter(isWord),
		wordLast: last.filter(isWord),
		accentedFirst: accented([...loc['fr-FR'].female, ...loc['fr-FR'].male, ...loc['de-DE'].female, ...loc['de-DE'].male, ...loc['es-ES'].female, ...loc['es-ES'].male]),
		accentedLast: accented([...loc['de-DE'].last, ...loc['es-ES'].last, ...loc['fr-FR'].last]),
		usCities: d.cities.filter((c) => /^[A-Z][a-z]+( [A-Z][a-z]+)?$/.test(c)).slice(0, 4000),
		states: d.states,
		frCities: loc['fr-FR'].cities.filter((c) => c.toUpperCase().length === c.length),
		deCities: loc['de-DE'].cities.filter((c) => c.toUpperCase().length === c.length),
		esCities: loc['es-ES'].cities.filter((c) => c.toUpperCase().length === c.length),
	};
}

const STREET_WORDS = ['Maple', 'Oak', 'Cedar', 'Pine', 'Elm', 'Washington', 'Lake', 'Hill', 'Park', 'Main', 'Church', 'Mill', 'River', 'Forest', 'Spring', 'Highland', 'Sunset', 'Meadow', 'Ridge', 'Walnut', 'Chestnut', 'Lincoln', 'Jefferson', 'Franklin', 'Willow'];
const STREET_TYPES = ['Street', 'St', 'St.', 'Avenue', 'Ave', 'Road', 'Rd.', 'Drive', 'Dr', 'Lane', 'Ln', 'Boulevard', 'Blvd', 'Court', 'Way', 'Place', 'Terrace'];
const UK_CITIES = ['London', 'Leeds', 'Bristol', 'Manchester', 'Sheffield', 'Nottingham', 'Leicester', 'Cardiff', 'Glasgow', 'Edinburgh', 'Norwich', 'Exeter', 'Brighton', 'Coventry', 'Reading', 'York'];
const HOSPITAL_PATTERNS = [(c) => `${c} General Hospital`, (c) => `${c} Medical Center`, (c) => `${c} Memorial Hospital`, (c) => `St. ${c} Hospital`, (c) => `${c} Community Hospital`, (c) => `${c} Regional Medical Center`, (c) => `University Hospital of ${c}`, (c) => `${c} Children's Hospital`];
const SAINTS = ['Mary', 'Joseph', 'Luke', 'Vincent', 'Francis', 'Elizabeth', 'Anne', 'Jude', 'Michael', 'Catherine'];
const EMAIL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'aol.com', 'comcast.net', 'protonmail.com', 'mail.com'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const RELATIONS = ['wife', 'husband', 'daughter', 'son', 'mother', 'father', 'sister', 'brother', 'partner', 'niece', 'nephew', 'granddaughter', 'grandson', 'aunt', 'uncle', 'friend', 'neighbor', 'fiancée'];
const CREDENTIALS = ['MD', 'M.D.', 'DO', 'RN', 'NP', 'PA-C', 'MBBS', 'PhD', 'RN, BSN', 'FRCP', 'LPN', 'MSW', 'PharmD'];
const ROLES = ['Attending', 'Resident', 'PCP', 'Referring physician', 'Primary nurse', 'Case manager', 'Cardiologist', 'Radiologist', 'Pathologist', 'Social worker'];
const ETHNICITY = ['African American', 'Caucasian', 'Hispanic', 'Asian', 'white', 'Black', 'Latina', 'Native American', 'Pacific Islander', 'Middle Eastern'];

/** Generates `count` documents and the PHI-free sentences from `seed`. */
export function generate({ seed, count, pools: P, phiFreeSentences = count * 4 }) {
	const rnd = mulberry32(seed);
	const pick = (a) => a[Math.floor(rnd() * a.length)];
	const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
	const digits = (n) => Array.from({ length: n }, () => int(0, 9)).join('');
	const chance = (p) => rnd() < p;

	// Names: mostly census, a quarter census names that are English words, some with diacritics.
	const first = () => (chance(0.15) ? pick(P.accentedFirst) : chance(0.25) ? pick(P.wordFirst) : pick(chance(0.5) ? P.male : P.female));
	const last = () => (chance(0.15) ? pick(P.accentedLast) : chance(0.25) ? pick(P.wordLast) : pick(P.last));

	const docs = [];
	for (let di = 0; di < count; di++) {
		const style = chance(0.7) ? 'normal' : chance(0.5) ? 'upper' : 'lower';
		const styleOf = (s) => {
			const v = style === 'upper' ? s.toUpperCase() : style === 'lower' ? s.toLowerCase() : s;
			return v.length === s.length ? v : s;
		};
		let text = '';
		const spans = [];
		const t = (s) => (text += styleOf(s));
		/** Appends a PHI value with its gold type and the context it appears in. */
		const v = (s, type, ctx) => {
			const start = text.length;
			text += styleOf(s);
			spans.push([start, text.length, type, ctx]);
		};
		// Patient, family, clinicians and places of this document.
		const pt = { first: first(), last: last(), sex: chance(0.5) ? 'F' : 'M' };
		const ptAge = chance(0.15) ? int(90, 103) : int(19, 88);
		const doc1 = { first: first(), last: last() };
		const doc2 = { first: first(), last: last() };
		const rel = { first: first(), last: chance(0.5) ? pt.last : last(), relation: pick(RELATIONS) };
		const hospital = pick(HOSPITAL_PATTERNS)(chance(0.3) ? pick(SAINTS) : pick(P.usCities));
		const cityState = () => {
			const [state, abbr] = pick(P.states);
			return { city: pick(P.usCities), state: chance(0.6) ? abbr : state, zip: chance(0.8) ? digits(5) : `${digits(5)}-${digits(4)}` };
		};

		// Contexts, each writing one or more PHI values with the words around them.
		const title = (p, ctx = 'title') => {
			const tt = p === pt ? (pt.sex === 'F' ? pick(['Ms.', 'Mrs.', 'Ms', 'Mrs', 'Miss']) : pick(['Mr.', 'Mr'])) : pick(['Dr.', 'Dr', 'Doctor', 'Prof.']);
			t(tt + ' ');
			const type = p === pt ? 'Patient' : 'Doctor';
			if (chance(0.5)) v(p.last, type, ctx);
			else v(`${p.first} ${p.last}`, type, ctx);
		};
		const fullName = (p, type, ctx) => {
			const r = rnd();
			if (r < 0.6) v(`${p.first} ${p.last}`, type, ctx);
			else if (r < 0.8) v(`${p.last}, ${p.first}`, type, ctx);
			else v(`${p.first} ${pick([...'ABCDEFGHJKLMNPRSTW'])}. ${p.last}`, type, ctx);
		};
		const date = (ctx = 'date') => {
			const y = int(1935, 2025);
			const m = int(1, 12);
			const d = int(1, 28);
			const mm = String(m).padStart(2, '0');
			const dd = String(d).padStart(2, '0');
			const ord = d === 1 || d === 21 ? 'st' : d === 2 || d === 22 ? 'nd' : d === 3 || d === 23 ? 'rd' : 'th';
			const formats = [
				() => `${mm}/${dd}/${y}`,
				() => `${m}/${d}/${String(y).slice(2)}`,
				() => `${y}-${mm}-${dd}`,
				() => `${MONTHS[m - 1]} ${d}, ${y}`,
				() => `${d} ${MONTHS[m - 1]} ${y}`,
				() => `${MONTHS[m - 1].slice(0, 3)} ${d} ${y}`,
				() => `${dd}-${MONTHS[m - 1].slice(0, 3)}-${y}`,
				() => `${d}${ord} of ${MONTHS[m - 1]}, ${y}`,
				() => `${dd}.${mm}.${y}`,
				() => `${m}/${d}`,
				() => `${MONTHS[m - 1]} ${y}`,
				() => `${DAYS[int(0, 6)]}, ${MONTHS[m - 1]} ${d}, ${y}`,
				() => `${MONTHS[m - 1].slice(0, 3)}. ${d}${ord}`,
				() => `${dd}/${mm}/${y}`,
			];
			v(pick(formats)(), 'Date', ctx);
		};
		const phone = (type = 'Phone', ctx = 'phone') => {
			const a = int(201, 989);
			const fmts = [() => `(${a}) ${int(200, 989)}-${digits(4)}`, () => `${a}-${int(200, 989)}-${digits(4)}`, () => `${a}.${int(200, 989)}.${digits(4)}`, () => `+1 ${a} ${int(200, 989)} ${digits(4)}`, () => `+44 20 ${digits(4)} ${digits(4)}`, () => `+49 30 ${digits(7)}`, () => `+33 1 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`, () => `${a}-${int(200, 989)}-${digits(4)} ext. ${digits(3)}`];
			v(pick(fmts)(), type, ctx);
		};
		const email = (p) => v(`${p.first.normalize('NFD').replace(/[^\x00-\x7f]/g, '').toLowerCase()}.${p.last.normalize('NFD').replace(/[^\x00-\x7f]/g, '').toLowerCase()}${chance(0.5) ? digits(2) : ''}@${pick(EMAIL_DOMAINS)}`, 'Email', 'email');
		const usAddress = () => {
			v(`${int(2, 9899)} ${pick(STREET_WORDS)} ${pick(STREET_TYPES)}${chance(0.2) ? `, Apt ${int(1, 40)}${pick(['', 'B', 'C'])}` : ''}`, 'Street', 'address-us');
			t(chance(0.5) ? ', ' : '\n');
			const c = cityState();
			v(c.city, 'City', 'address-us');
			t(', ');
			v(c.state, 'State', 'address-us');
			t(' ');
			v(c.zip, 'Zip', 'address-us');
		};
		const intlAddress = () => {
			const r = int(0, 3);
			if (r === 0) {
				v(`${int(1, 220)} ${pick(STREET_WORDS)} ${pick(['Road', 'Street', 'Lane', 'Close', 'Gardens', 'Crescent'])}`, 'Street', 'address-intl');
				t(', ');
				v(pick(UK_CITIES), 'City', 'address-intl');
				t(' ');
				v(`${pick(['SW', 'NW', 'LS', 'BS', 'M', 'EH', 'G'])}${int(1, 20)} ${int(1, 9)}${pick(['AB', 'XE', 'QT', 'HN', 'DR'])}`, 'Zip', 'address-intl');
				t(', ');
				v(pick(['United Kingdom', 'UK', 'England', 'Scotland']), 'CountryOrRegion', 'address-intl');
			} else if (r === 1) {
				v(`${int(1, 120)} ${pick(['rue', 'avenue', 'boulevard'])} ${pick(['de la République', 'Victor Hugo', 'des Lilas', 'Jean Jaurès', 'du Moulin'])}`, 'Street', 'address-intl');
				t(', ');
				v(digits(5), 'Zip', 'address-intl');
				t(' ');
				v(pick(P.frCities), 'City', 'address-intl');
				t(', ');
				v('France', 'CountryOrRegion', 'address-intl');
			} else if (r === 2) {
				v(`${pick(['Haupt', 'Bahnhof', 'Linden', 'Garten', 'Schiller', 'Goethe'])}${pick(['straße', 'weg', 'allee'])} ${int(1, 150)}`, 'Street', 'address-intl');
				t(', ');
				v(digits(5), 'Zip', 'address-intl');
				t(' ');
				v(pick(P.deCities), 'City', 'address-intl');
				t(', ');
				v(pick(['Germany', 'Deutschland']), 'CountryOrRegion', 'address-intl');
			} else {
				v(`Calle ${pick(['Mayor', 'de Alcalá', 'del Sol', 'Real', 'de la Paz'])} ${int(1, 200)}`, 'Street', 'address-intl');
				t(', ');
				v(digits(5), 'Zip', 'address-intl');
				t(' ');
				v(pick(P.esCities), 'City', 'address-intl');
				t(', ');
				v(pick(['Spain', 'España']), 'CountryOrRegion', 'address-intl');
			}
		};
		const mrn = () => {
			t(pick(['MRN: ', 'MRN ', 'Medical record number: ', 'MR#: ', 'Hospital number: ']));
			v(chance(0.5) ? digits(int(7, 9)) : `${digits(3)}-${digits(2)}-${digits(2)}`, 'MedicalRecord', 'label');
		};
		const account = () => {
			t(pick(['Acct #: ', 'Account: ', 'Account number ', 'Encounter #: ', 'Billing acct: ']));
			v(`${chance(0.3) ? 'A' : ''}${digits(int(8, 10))}`, 'Account', 'label');
		};
		const ssn = () => {
			t(pick(['SSN: ', 'SSN ', 'Social Security No.: ']));
			v(chance(0.8) ? `${int(100, 665)}-${digits(2)}-${digits(4)}` : `${int(100, 665)}${digits(6)}`, 'SocialSecurity', 'label');
		};
		const ageText = () => {
			const a = String(ptAge);
			if (ptAge > 89) v(a, 'Age', 'age');
			else t(a);
		};
		const signature = (p) => {
			t(pick(['— ', '-- ', '', 'Electronically signed by ', 'Dictated by: ', 'Signed: ']));
			v(`${p.first} ${p.last}`, 'Doctor', 'signature');
			t(`, ${pick(CREDENTIALS)}`);
		};
		const cc = () => {
			t('cc: ');
			title(doc2, 'cc');
			t('; ');
			v(`${doc1.first[0]}. ${doc1.last}`, 'Doctor', 'cc');
			t(`, ${pick(CREDENTIALS)}\n`);
		};
		const header = () => {
			t(pick(['Patient: ', 'Patient name: ', 'Name: ', 'PATIENT: ', 'Pt: ']));
			fullName(pt, 'Patient', 'label');
			t('\n' + pick(['DOB: ', 'Date of birth: ', 'D.O.B.: ', 'Born: ']));
			date('label');
			t('\n');
			mrn();
			t('\n');
			if (chance(0.5)) (account(), t('\n'));
		};
		const intro = () => {
			const r = int(0, 4);
			const sex = pt.sex === 'F' ? pick(['woman', 'female', 'F', 'lady']) : pick(['man', 'male', 'M', 'gentleman']);
			if (r === 0) (v(`${pt.first} ${pt.last}`, 'Patient', 'is-a-yo'), t(' is a '), ageText(), t(` yo ${sex} with a history of hypertension and type 2 diabetes.\n`));
			else if (r === 1) (v(pt.last.length > 2 && chance(0.5) ? pt.first : `${pt.first} ${pt.last}`, 'Patient', 'is-a-yo'), t(' is a '), ageText(), t(`-year-old ${sex} who presents with chest pain.\n`));
			else if (r === 2) (title(pt), t(' is a '), ageText(), t(` y.o. ${sex} seen today for follow-up.\n`));
			else if (r === 3) (t('Patient '), v(`${pt.first} ${pt.last}`, 'Patient', 'patient-word'), t(` complains of shortness of breath for 3 days.\n`));
			else (title(pt), t(' was seen today in clinic. Age '), ageText(), t('.\n'));
		};
		const relation = () => {
			const r = int(0, 3);
			if (r === 0) (t(`Her ${rel.relation} `), v(`${rel.first} ${rel.last}`, 'Patient', 'relation'), t(' was at the bedside.\n'));
			else if (r === 1) (t(`Spoke with pt's ${rel.relation}, `), v(rel.first, 'Patient', 'relation'), t(', who agrees with the plan.\n'));
			else if (r === 2) (t(`Emergency contact: `), v(`${rel.first} ${rel.last}`, 'Patient', 'relation'), t(` (${rel.relation}) `), phone('Phone', 'relation'), t('\n'));
			else (t(`${rel.relation[0].toUpperCase()}${rel.relation.slice(1)} `), v(rel.first, 'Patient', 'relation'), t(' called for an update; questions answered.\n'));
		};
		const facility = () => (t(pick(['Admitted to ', 'Transferred from ', 'Seen at ', 'Follow-up at '])), v(hospital, 'Hospital', 'hospital'), t('.\n'));

		// Document kinds: section layouts typical of each.
		const kinds = {
			discharge() {
				t('DISCHARGE SUMMARY\n');
				header();
				t('Admission date: '), date('label'), t('\nDischarge date: '), date('label'), t('\n');
				t('Attending: '), title(doc1, 'label'), t('\n\nHISTORY OF PRESENT ILLNESS:\n');
				intro();
				facility();
				t('HOSPITAL COURSE: Treated with IV antibiotics; blood cultures negative. ');
				relation();
				t('DISCHARGE INSTRUCTIONS: Follow up with '), title(doc2, 'title'), t(' on '), date('date'), t('. Call '), phone(), t(' with questions.\n\n');
				signature(doc1);
				t('\n');
				if (chance(0.5)) cc();
			},
			referral() {
				date('date'), t('\n\n');
				title(doc2, 'letter'), t('\n'), usAddress(), t('\n\n');
				t('Re: '), fullName(pt, 'Patient', 'label'), t(', DOB '), date('label'), t('\n\n');
				t('Dear '), title(doc2, 'letter'), t(',\n\nThank you for seeing '), title(pt), t(', a pleasant '), ageText(), t('-year-old I have followed since '), date('date'), t('. ');
				t('Lives at '), chance(0.5) ? usAddress() : intlAddress(), t('. ');
				relation();
				t('Please reach me at '), phone(), t(' or fax '), phone('Fax', 'fax'), t('.\n\nSincerely,\n\n');
				signature(doc1);
				t('\n'), cc();
			},
			radiology() {
				t('RADIOLOGY REPORT\n'), header();
				t('Exam: CT chest with contrast\nDate of exam: '), date('label'), t('\nOrdering physician: '), fullName(doc2, 'Doctor', 'label'), t('\n');
				t('Comparison: CT from '), date('date'), t(' at '), v(hospital, 'Hospital', 'hospital'), t('.\nFINDINGS: No pulmonary embolism. 4 mm nodule in the right upper lobe.\nIMPRESSION: Stable.\n');
				t('Read by: '), title(doc1, 'label'), t('\n');
			},
			pathology() {
				t('SURGICAL PATHOLOGY REPORT\n'), t('Accession #: '), v(`S${String(int(10, 25))}-${digits(5)}`, 'MedicalRecord', 'label'), t('\n'), header();
				t('Collected: '), date('label'), t('   Received: '), date('label'), t('\n');
				t('Surgeon: '), title(doc2, 'label'), t('\nSPECIMEN: Left breast, core biopsy.\nDIAGNOSIS: Invasive ductal carcinoma, grade 2.\n');
				t('Pathologist: '), fullName(doc1, 'Doctor', 'label'), t(`, ${pick(CREDENTIALS)}\n`);
			},
			ed() {
				t('ED NOTE\n');
				intro();
				t('Arrived by ambulance from home ('), usAddress(), t('). ');
				relation();
				t('Triage nurse: '), v(`${doc2.first} ${doc2.last}`, 'Doctor', 'label'), t(', RN. Seen by '), title(doc1), t(' at 14:20 on '), date('date'), t('.\n');
				ssn(), t('\n');
			},
			nursing() {
				t(pick(['Nursing note', 'NURSING PROGRESS NOTE', 'nsg note']) + ' '), date('date'), t('\n');
				t('Pt '), v(pt.last, 'Patient', 'pt-word'), t(' resting comfortably, VSS. '), relation();
				t('Family: '), v(`${rel.first}`, 'Patient', 'relation'), t(` (${rel.relation}) `), phone('Phone', 'relation'), t('.\n');
				t('Report given to '), v(doc2.first, 'Doctor', 'handoff'), t(', RN. '), t('MD '), v(doc1.last, 'Doctor', 'handoff'), t(' aware.\n');
				signature(doc2), t('\n');
			},
			lab() {
				t('LABORATORY REPORT\n'), header();
				t('Collected: '), date('label'), t('\nOrdering provider: '), title(doc1, 'label'), t('\n');
				t('Na 138 mmol/L  K 4.1 mmol/L  Cr 0.9 mg/dL  Hgb 12.4 g/dL  HbA1c 7.2%\n');
				t('Results called to '), v(`${doc2.first} ${doc2.last}`, 'Doctor', 'label'), t(', RN at '), phone(), t('.\n');
				t('Performing lab: '), v(hospital, 'Hospital', 'hospital'), t(', '), usAddress(), t('\n');
			},
			thread() {
				t('From: '), v(`${pt.first} ${pt.last}`, 'Patient', 'message'), t(' <'), email(pt), t('>\nSent: '), date('date'), t('\nTo: '), title(doc1, 'message'), t('\nSubject: refill\n\n');
				t(`Hi ${pick(['Dr.', 'Doctor'])} `), v(doc1.last, 'Doctor', 'message'), t(`, I'm out of my lisinopril. My ${rel.relation} `), v(rel.first, 'Patient', 'relation'), t(' can pick it up. Thanks, '), v(pt.first, 'Patient', 'message'), t('\n\n');
				t('--- Reply ---\nFrom: '), v(`${doc2.first} ${doc2.last}`, 'Doctor', 'message'), t(', RN\n'), t('Hi '), v(pt.first, 'Patient', 'message'), t(', sent to the pharmacy. Call '), phone(), t(' if needed.\n');
			},
		};
		const kind = pick(Object.keys(kinds));
		kinds[kind]();
		docs.push({ name: `gen-${String(di).padStart(4, '0')}-${kind}.txt`, kind, style, text, spans });
	}
	return { docs, phiFree: phiFreeSet(rnd, phiFreeSentences) };
}

// Sentences with no PHI at all: clinical eponyms, scores, drugs, devices, units, ethnicity words, contractions and
// trial or guideline acronyms, in the places names and places usually go.
const PF_TEMPLATES = [
	(p) => `History of ${p(["Parkinson's disease", "Graves' disease", 'Hodgkin lymphoma', "Crohn's disease", "Addison's disease", "Cushing's syndrome", "Wilson's disease", "Hashimoto's thyroiditis", "Alzheimer's dementia", "Raynaud's phenomenon", "Bell's palsy", "Barrett's esophagus"])}, stable.`,
	(p) => `${p(['Foley', 'Swan-Ganz', 'Hickman', 'Port-a-Cath', 'PICC', 'Groshong', 'Jackson-Pratt', 'Penrose', 'Pleurx'])} ${p(['catheter', 'drain', 'line'])} in place, ${p(['draining well', 'flushed', 'site clean and dry'])}.`,
	(p) => `${p(['Babinski', 'Romberg', 'Murphy', 'McBurney', 'Kernig', 'Brudzinski', 'Homans', 'Tinel', 'Phalen', 'Lachman'])} sign ${p(['negative', 'positive', 'equivocal'])}.`,
	(p) => `${p(['Apgar', 'Glasgow Coma Scale', 'GCS', 'Braden', 'Morse fall', 'Wells', 'CHA2DS2-VASc', 'HAS-BLED', 'APACHE II', 'MELD', 'Child-Pugh'])} score ${p(['8', '9/10', '14', '3', '22'])}.`,
	(p) => `${p(['Framingham', 'ASCVD', 'Gail', 'Ranson', 'CURB-65', 'Bishop', 'Gleason', 'Breslow', 'Karnofsky', 'ECOG'])} ${p(['risk score', 'score', 'criteria', 'grade'])} ${p(['calculated', 'reviewed', 'documented'])}; ${p(['low risk', 'intermediate risk', 'see plan'])}.`,
	(p) => `Started ${p(['metoprolol', 'lisinopril', 'atorvastatin', 'warfarin', 'apixaban', 'furosemide', 'insulin glargine', 'levothyroxine', 'amoxicillin', 'prednisone', 'heparin', 'morphine', 'ondansetron'])} ${p(['25 mg', '10 mg', '40 mg', '5 mg', '20 units', '100 mcg', '500 mg'])} ${p(['PO daily', 'BID', 'q8h', 'IV once', 'at bedtime', 'PRN nausea'])}.`,
	(p) => `${p(['Hgb', 'WBC', 'Plt', 'Na', 'K', 'Cr', 'BUN', 'INR', 'Troponin', 'BNP', 'TSH', 'A1c'])} ${p(['12.1 g/dL', '8.4 x10^9/L', '0.04 ng/mL', '138 mmol/L', '1.2 mg/dL', '2.5', '320 pg/mL'])}, ${p(['down from prior', 'stable', 'trending up', 'within normal limits'])}.`,
	(p) => `${p(['52', '67', '45', '71', '38', '80'])} yo ${p(ETHNICITY)} ${p(['male', 'female', 'man', 'woman'])} with ${p(['CHF', 'COPD', 'CKD stage 3', 'AFib', 'DM2', 'HTN'])}.`,
	(p) => `Patient identifies as ${p(ETHNICITY)}; ${p(['interpreter not needed', 'prefers English', 'Spanish-speaking, interpreter used'])}.`,
	(p) => `"${p(["I'm", "I'm not", "I'm really"])} ${p(['feeling better', 'tired', 'in pain', 'worried about the surgery', 'ready to go home'])}," ${p(['pt states', 'she says', 'he reports'])}.`,
	(p) => `Enrolled in the ${p(['SPRINT', 'ACCORD', 'ALLHAT', 'RECOVERY', 'PARADIGM-HF', 'DAPA-HF', 'EMPA-REG', 'ISCHEMIA', 'COMPASS'])} trial ${p(['arm B', 'per protocol', 'last year'])}.`,
	(p) => `Managed per ${p(['ACC/AHA', 'GOLD', 'KDIGO', 'NCCN', 'IDSA', 'ADA', 'ESC', 'NICE', 'GINA', 'USPSTF'])} guidelines.`,
	(p) => `${p(['Echo', 'CXR', 'CT head', 'MRI L-spine', 'EKG', 'Holter', 'EEG'])}: ${p(['EF 55%', 'no acute process', 'normal sinus rhythm', 'mild degenerative changes', 'no infiltrate'])}.`,
	(p) => `Vitals: BP ${p(['128/76', '142/90', '110/68'])}, HR ${p(['72', '88', '104'])}, T ${p(['37.2 C', '98.6 F', '38.4 C'])}, SpO2 ${p(['97% RA', '94% on 2L NC'])}.`,
	(p) => `${p(['Will', 'May', 'Hope to', 'Plan to'])} ${p(['continue', 'follow up', 'repeat labs', 'titrate'])} ${p(['in 2 weeks', 'tomorrow', 'next visit', 'as tolerated'])}.`,
	(p) => `${p(['Down', 'Turner', 'Marfan', 'Klinefelter', 'Tourette', 'Asperger', 'Guillain-Barre', 'Sjogren', 'Reiter', 'Stevens-Johnson'])} syndrome ${p(['noted', 'suspected', 'ruled out'])}.`,
	(p) => `${p(['Whipple', 'Nissen', 'Hartmann', 'Roux-en-Y', 'Billroth II', 'Ross', 'Bentall', 'Ponseti'])} procedure ${p(['performed', 'planned', 'done years ago'])} without complications.`,
	(p) => `${p(['Gram', 'Ziehl-Neelsen', 'Wright', 'Giemsa', 'Papanicolaou'])} stain ${p(['negative', 'shows GPCs in clusters', 'pending'])}.`,
	(p) => `Used ${p(['Ambu', 'Bair Hugger', 'Yankauer', 'EpiPen', 'CPAP', 'BiPAP', 'Dexcom', 'Omnipod', 'Medtronic pump', 'LifeVest'])} ${p(['as needed', 'overnight', 'without issue'])}.`,
	(p) => `${p(['Mark', 'Bill', 'Rose', 'Will', 'Hope', 'Young', 'Price', 'White', 'Smith'])} ${p(['the incision site', 'to insurance', 'colored rash noted', 'reassess in AM'])}.`,
	(p) => `${p(['Normal', 'Mild', 'Moderate', 'Severe'])} ${p(['aortic stenosis', 'mitral regurgitation', 'LVH', 'tricuspid regurgitation'])}; ${p(['no change', 'progressed', 'new'])} since last study.`,
	(p) => `${p(['Continue', 'Hold', 'Restart'])} ${p(['Coumadin', 'Lasix', 'Zofran', 'Tylenol', 'Motrin', 'Keppra', 'Eliquis', 'Xarelto', 'Lantus', 'Synthroid'])} ${p(['per cardiology', 'until INR < 3', 'for now'])}.`,
];

function phiFreeSet(rnd, n) {
	const p = (a) => a[Math.floor(rnd() * a.length)];
	const out = [];
	for (let i = 0; i < n; i++) {
		const k = Math.floor(rnd() * PF_TEMPLATES.length);
		let s = PF_TEMPLATES[k](p);
		const r = rnd();
		if (r < 0.15) s = s.toUpperCase();
		else if (r < 0.3) s = s.toLowerCase();
		out.push({ template: k, text: s });
	}
	return out;
}
