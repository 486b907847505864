import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { find } from '../helpers/engine';

// Ordinary clinical language must not be taken for PHI. Written independently of the engine's lexicon: common
// drugs, abbreviations, devices, procedures, eponyms and findings, each in a realistic sentence.
const DRUGS = `acetaminophen albuterol allopurinol amiodarone amlodipine amoxicillin ampicillin aspirin atenolol atorvastatin
azithromycin bumetanide carvedilol cefazolin ceftriaxone cephalexin ciprofloxacin citalopram clopidogrel
dexamethasone diazepam digoxin diltiazem docusate enalapril enoxaparin epinephrine famotidine fentanyl
fluconazole furosemide gabapentin haloperidol heparin hydralazine hydromorphone insulin ipratropium ketorolac
labetalol lactulose levetiracetam levofloxacin levothyroxine lisinopril lorazepam losartan magnesium meropenem
metformin methylprednisolone metoclopramide metoprolol metronidazole midazolam morphine naloxone nitroglycerin
norepinephrine omeprazole ondansetron oxycodone pantoprazole phenylephrine piperacillin potassium prednisone
propofol quetiapine senna simvastatin spironolactone sucralfate tamsulosin thiamine tramadol trazodone
vancomycin vasopressin warfarin zolpidem Coumadin Lasix Tylenol Zofran Protonix Ativan Haldol Lopressor Norvasc
Plavix Lovenox Levophed Keppra Flagyl Zosyn Dilaudid Percocet Seroquel Precedex Neurontin`.split(/\s+/);
const PROCEDURES = `echocardiogram bronchoscopy colonoscopy endoscopy thoracentesis paracentesis intubation extubation
tracheostomy cardioversion catheterization angioplasty hemodialysis ultrafiltration transfusion debridement
laparotomy appendectomy cholecystectomy craniotomy laminectomy arthroplasty amputation biopsy lumbar-puncture
ultrasound radiograph angiogram venogram mammogram`.split(/\s+/);
const EPONYMS = `Foley Parkinson Alzheimer Cushing Addison Graves Hashimoto Crohn Hodgkin Babinski Trendelenburg Fowler
Glasgow Apgar Braden Morse Wernicke Korsakoff Guillain-Barre Huntington Raynaud Whipple Nissen Seldinger Romberg
Doppler Holter Coombs Gram Swan-Ganz Hickman Jackson-Pratt Yankauer Kussmaul Cheyne-Stokes Homans Murphy
McBurney Valsalva Heimlich Korotkoff Tinel Phalen Lachman`.split(/\s+/);
const ABBREVIATIONS = `BP HR RR SpO2 FiO2 PEEP CPAP BiPAP ABG CBC BMP CMP INR PTT BUN WBC HCT PLT CXR EKG ECG CT MRI
ICU CCU MICU SICU ED OR PACU NPO PRN BID TID QID QHS PO IV IM SQ NG OG PEG PICC CVL TPN DNR DNI CABG PCI
MI CHF COPD DM HTN CVA TIA DVT PE AFib UTI ARDS AKI CKD ESRD GERD GI NSR SVT VT VF PVC LBBB RBBB
A&Ox3 MAE PERRL CTAB RRR NTND NKDA`.split(/\s+/);
const FINDINGS = `afebrile tachycardic bradycardic hypotensive hypertensive hypoxic lethargic obtunded diaphoretic
edematous jaundiced cyanotic ecchymosis erythema crackles rhonchi wheezes stridor murmur gallop rub
distended tender guarding rebound melena hematochezia hematuria oliguria anuria dysuria confusion agitation
delirium seizure syncope vertigo dyspnea orthopnea hemoptysis sputum secretions drainage pallor
clubbing asterixis ascites effusion consolidation atelectasis pneumothorax`.split(/\s+/);

const TEMPLATES = {
	drug: (t: string) => `Patient was started on ${t} 40 mg PO daily and tolerated it well.`,
	procedure: (t: string) => `The ${t} was performed without complication; will monitor overnight.`,
	eponym: (t: string) => `Exam notable for ${t} findings; ${t} catheter care per protocol.`,
	abbreviation: (t: string) => `${t} reviewed this morning, stable compared with yesterday.`,
	finding: (t: string) => `On assessment the patient was ${t}, no acute distress otherwise.`,
};

const CASES: [string, string][] = [
	...DRUGS.map((t) => [t, TEMPLATES.drug(t)] as [string, string]),
	...PROCEDURES.map((t) => [t, TEMPLATES.procedure(t)] as [string, string]),
	...EPONYMS.map((t) => [t, TEMPLATES.eponym(t)] as [string, string]),
	...ABBREVIATIONS.map((t) => [t, TEMPLATES.abbreviation(t)] as [string, string]),
	...FINDINGS.map((t) => [t, TEMPLATES.finding(t)] as [string, string]),
];

describe('clinical vocabulary is not PHI', () => {
	it(`covers at least 300 terms (${CASES.length})`, () => {
		assert.ok(CASES.length >= 300, String(CASES.length));
	});
	for (const mode of ['mixed', 'upper', 'lower'] as const) {
		it(`no finding on ${CASES.length} clinical sentences (${mode} case)`, () => {
			const bad: string[] = [];
			for (const [term, sentence] of CASES) {
				const text = mode === 'upper' ? sentence.toUpperCase() : mode === 'lower' ? sentence.toLowerCase() : sentence;
				const fs = find(text);
				if (fs.length) bad.push(`${term}: ${fs.map((f) => `${text.slice(f.start, f.end)}/${f.type}/${f.detector}`).join(', ')}`);
			}
			assert.deepEqual(bad, []);
		});
	}
});
