/**
 * General-purpose vocabulary the detectors reason with: titles, roles, months, units, and a clinical
 * vocabulary (drugs, abbreviations, devices, eponyms) that guards against taking ordinary clinical words for
 * names. Written from general clinical knowledge; nothing here comes from an evaluation corpus.
 */

/** The whitespace-separated words in `text`, in order, as written. */
export function wordList(text: string): string[] {
	return text.split(/\s+/).filter(Boolean);
}

/** A set of the words in `text`, lower-cased. */
function set(text: string): ReadonlySet<string> {
	return new Set(wordList(text).map((w) => w.toLowerCase()));
}

/** Heads of clinical instruments named after a person ("Gail risk score", "Gleason grade", "Ranson criteria"). */
export const INSTRUMENT_HEADS = set('score scores scale criteria classification index grade staging');
/** Words that make the word before them a colour ("rose colored", "amber-tinged sputum"). */
export const COLOUR_DESCRIPTORS = set('colored coloured tinged toned hued');

/** Titles that precede a clinician's name. */
export const DOCTOR_TITLES = set('dr dr. doctor doc drs prof professor dra dra. doctora dres profa profesor profesora');
/** Titles that precede a patient's (or relative's) name. */
export const PERSON_TITLES = set('mr mrs ms miss mister mme madam');
/** Spanish titles, used with the Spanish profile. */
export const PERSON_TITLES_ES = set('sr sra srta don doña dona señor señora señorita');
/** Credentials that follow a clinician's name ("Jane Roe, RN"). */
export const CREDENTIALS = set(
	'rn md np pa do lpn cna rrt rt pt ot slp pharmd dds dmd phd msw lcsw lsw bsn msn aprn crnp cnm cns pa-c fnp anp acnp ' +
		'mph mba facs facp facc frcp dpm od ccrn cnrn arnp snf lisw licsw crt rrt cma rd ld'.replace(/\bpt\b|\bsnf\b/g, ''),
);
/** Roles that precede a clinician's name ("seen by", "attending"). */
export const DOCTOR_ROLES = set(
	'attending resident intern fellow surgeon physician cardiologist neurologist nephrologist oncologist intensivist ' +
		'hospitalist anesthesiologist anesthesia radiologist pulmonologist psychiatrist nurse np rn md pcp consultant ' +
		'pharmacist therapist dietitian nutritionist chaplain coordinator manager cm sw worker provider practitioner caseworker ' +
		'interpreter counselor psychologist',
);
/** Words naming a relative or proxy; the name that follows is a person's. */
export const RELATIONS = set(
	'wife husband son daughter sister brother mother father mom dad niece nephew cousin aunt uncle grandson ' +
		'granddaughter grandmother grandfather grandma grandpa grandchild grandchildren stepson stepdaughter ' +
		'sons daughters brothers sisters nieces nephews cousins dtr dtrs sis bro grandaughter grandsons granddaughters wives husbands ' +
		'fiance fiancee fiancé fiancée partner spouse boyfriend girlfriend friend neighbor neighbour ' +
		'sil dil hcp proxy guardian caregiver sibling children kids in-law son-in-law daughter-in-law ' +
		'esposa esposo hijo hija hermano hermana madre padre sobrino sobrina nieto nieta tio tia tío tía',
);
export const MONTHS: ReadonlyMap<string, number> = new Map([
	...['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'].map(
		(m, i) => [m, i + 1] as [string, number],
	),
	...['jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec'].map(
		(m) => [m, ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].indexOf(m.slice(0, 3)) + 1] as [string, number],
	),
	// Spanish, French, German, Portuguese, Italian month names
	...['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'].map(
		(m, i) => [m, i + 1] as [string, number],
	),
	['setiembre', 9],
	...['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'].map(
		(m, i) => [m, i + 1] as [string, number],
	),
	['fevrier', 2], ['aout', 8], ['decembre', 12],
	...['januar', 'februar', 'märz', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'dezember'].map(
		(m, i) => [m, i + 1] as [string, number],
	),
]);
/** Month words that are also ordinary English words: need a number beside them. */
export const AMBIGUOUS_MONTHS = set('may march mar jan june august aug sept dec mai');
export const WEEKDAYS = set(
	'monday tuesday wednesday thursday friday saturday sunday mon tues wed thurs thur fri sat sun ' +
		'lunes martes miércoles miercoles jueves viernes sábado sabado domingo',
);
/** Units and measure words: a number next to one is a measurement, not a date, phone or age. */
export const UNITS = set(
	'mg mcg ug g kg gm gram grams ml cc l dl mmol meq mm cm m km in inch inches ft feet lb lbs oz unit units u iu ' +
		'mmhg hg bpm hr hrs hour hours min mins minute minutes sec secs second seconds day days wk wks week weeks mo mos ' +
		'month months yr yrs year years x times tab tabs tablet tablets cap caps puff puffs drop drops amp amps vial ' +
		'liter liters litre l/min lpm fio2 peep ps psv cpap bipap % percent degrees deg f c ns d5w lr ' +
		'strength str mcg/kg mg/kg mg/dl meq/l ng pg mm3 ml/hr cc/hr mls ccs gtt gtts bolus boluses sats sat',
);
/** Words before a number that make it a measurement or a score rather than PHI. */
export const MEASURE_CONTEXT = set(
	'bp abp nbp map hr rr sbp dbp cvp pap pcwp ci co svr sao2 spo2 o2 sat sats peep ps fio2 tv vt rate ' +
		'gcs apgar grade strength score scale pain ratio cr bun k na cl co2 glu hct hgb wbc plt inr ptt pt ' +
		'temp t tmax weight wt ht height dose vol volume total uo output input intake drip gtt level levels ' +
		'ph pco2 po2 hco3 lactate lytes lab labs abg vbg cpap bipap psv ips epap ipap vent settings setting simv ac imv ' +
		'pressure support mmv prvc aprv pain cp discomfort rates rated rating sbp ventilation mask flowby flow trial',
);
export const STREET_SUFFIXES = set(
	'street st avenue ave av road rd boulevard blvd lane ln drive dr way court ct place pl terrace ter circle cir ' +
		'highway hwy parkway pkwy square sq trail trl alley plaza loop row path pike turnpike route rte ' +
		'calle avenida avda plaza paseo camino carretera ronda travesía travesia rue chemin allee allée strasse straße',
);
export const HOSPITAL_WORDS = set(
	'hospital hosp hospitals clinic clinics infirmary rehab rehabilitation sanatorium hospice hopital hôpital ' +
		'krankenhaus clínica clinica hospitalario sanatorio policlínica policlinica ambulatorio',
);
/** "Medical Center", "Cancer Centre": a centre word after one of its qualifiers heads a facility's name. */
export const CENTER_WORDS = set('center centre ctr');
export const CENTER_QUALIFIERS = set('medical med health cancer heart rehabilitation rehab surgical trauma nursing');
/** Executive titles: nobody's name ("HUSBAND CEO OF ..."). */
export const EXECUTIVE_TITLES = set('ceo cfo coo cto vp chairman chairwoman chairperson cofounder co-founder');
/** Heads of organisations ("CEO of X"); managers and directors are left out, they head hospital departments. */
export const ORG_HEADS: ReadonlySet<string> = new Set([...EXECUTIVE_TITLES, 'president', 'founder', 'owner', 'employee', 'employees']);
export const ORG_SUFFIXES = set('inc corp corporation company llc ltd llp plc gmbh foundation association university college bank');
/** Professions, English then Spanish (surrogates map each onto another of its own language). */
export const PROFESSIONS_EN: readonly string[] = (
	'teacher professor engineer lawyer attorney accountant carpenter plumber electrician farmer mechanic pilot ' +
		'firefighter police officer policeman soldier veteran nurse physician doctor dentist pharmacist chef cook ' +
		'waiter waitress bartender driver trucker salesman saleswoman manager secretary clerk cashier banker ' +
		'programmer developer architect artist musician writer journalist editor librarian scientist chemist ' +
		'biologist physicist economist miner welder machinist painter janitor custodian housekeeper nanny ' +
		'minister priest pastor rabbi nun contractor builder laborer fisherman sailor marine barber hairdresser ' +
		'cosmetologist realtor broker analyst consultant executive entrepreneur student homemaker retiree'
).split(' ');
export const PROFESSIONS_ES: readonly string[] = (
	'maestro maestra profesor profesora ingeniero ingeniera abogado abogada enfermero enfermera médico medico ' +
		'agricultor albañil albanil camionero conductor carpintero mecánico mecanico cocinero cocinera ' +
		'administrativo administrativa comercial funcionario funcionaria jubilado jubilada estudiante'
).split(' ');
export const PROFESSIONS: ReadonlySet<string> = new Set([...PROFESSIONS_EN, ...PROFESSIONS_ES]);
/**
 * Clinical vocabulary: drugs, abbreviations, devices, eponyms and procedures that must never be taken for a
 * name or place, even when a surname list contains them.
 */
export const CLINICAL = set(`
abg acetaminophen acyclovir adenosine albumin albuterol allopurinol alprazolam alteplase amiodarone amlodipine
amoxicillin amphotericin ampicillin aspirin atenolol ativan atorvastatin atropine augmentin azithromycin bactrim
benadryl bicarb bicarbonate bisacodyl bumex bumetanide calcium captopril carvedilol cefazolin cefepime ceftazidime
ceftriaxone cephalexin cipro ciprofloxacin citalopram clindamycin clonazepam clonidine clopidogrel colace coreg
coumadin cozaar dapto daptomycin decadron demerol dexamethasone dextrose diazepam digoxin dig dilantin dilaudid
diltiazem diphenhydramine dobutamine docusate dopamine doxycycline droperidol dulcolax enalapril enoxaparin
epinephrine epi erythromycin esmolol famotidine fentanyl ferrous flagyl fluconazole flumazenil fluoxetine
fosphenytoin furosemide gabapentin gentamicin glargine glipizide glucagon glyburide haldol haloperidol heparin
hydralazine hydrochlorothiazide hctz hydrocodone hydrocortisone hydromorphone ibuprofen imipenem insulin ipratropium
isoproterenol isordil kayexalate keflex keppra ketamine ketorolac labetalol lactulose lamictal lansoprazole lasix
levaquin levetiracetam levofloxacin levophed levothyroxine lidocaine linezolid lipitor lisinopril lopressor
lorazepam losartan lovenox magnesium mannitol meropenem metformin methadone methylprednisolone metoclopramide
metolazone metoprolol metronidazole midazolam milrinone morphine motrin mucomyst naloxone narcan neosynephrine
nexium nicardipine nifedipine nitro nitroglycerin nitroprusside nipride norepinephrine norvasc ntg nystatin
octreotide olanzapine omeprazole ondansetron oxycodone oxycontin pantoprazole pepcid percocet phenobarbital
phenylephrine phenytoin piperacillin plavix potassium prednisone prilosec procainamide propofol propranolol
protonix quetiapine ranitidine reglan risperidone ropinirole senna seroquel sertraline simvastatin sodium
solumedrol spironolactone sucralfate synthroid tacrolimus tamsulosin terazosin thiamine tobramycin toradol
tramadol trazodone tylenol unasyn valium vancomycin vanco vasopressin vecuronium verapamil versed vitamin
warfarin xanax zantac zithromax zofran zocor zosyn zyprexa flomax neurontin cardizem tpa ceftaz levo albuterol
atrovent combivent advair spiriva precedex cisatracurium nimbex succinylcholine rocuronium etomidate
abx prbc prbcs ffp plt plts cryo ivig tpn ppn npo prn qd bid tid qid qhs qod po iv im sq sc sl pr ng ngt ogt
peg picc cvl aline a-line swan ett trach foley coude pacer ppm icd aicd lvad iabp ecmo crrt cvvh cvvhd hd pd
cpap bipap vent simv prvc cmv ac psv peep fio2 sao2 spo2 etco2 abgs vbg lytes cbc bmp cmp lfts inr ptt pt
bun cr creat wbc hct hgb mcv rdw ck ckmb trop troponin bnp lft tsh ua ucx bcx cxr ekg ecg echo tte tee ct cta
mri mra eeg emg us kub ercp egd ir vqscan vq cabg ptca pci stent cath mi stemi nstemi cad chf copd dm niddm iddm
htn hld cva tia dvt pe afib aflutter svt vt vf pea asystole arf aki ckd esrd uti cap hap vap sepsis sirs ards
gerd gib ugib lgib sbo ileus cirrhosis hcv hbv hiv aids tb mrsa vre cdiff ecoli klebsiella pseudomonas
staph strep enterococcus candida osh ed er icu micu sicu ccu csru nicu picu pacu or ot pt slp rt sw cm pcp ent
gi id renal neuro cards pulm onc heme psych ortho gyn ob uro derm endo rheum pmh hpi ros cc sh fh meds nkda
nka pcn allergies dnr dni dnar cmo hospice fullcode npn nsg nursing pt's pts patient pateint pt. prn s/p h/o
c/o r/o w/ w/o d/c dc'd d/c'd f/u y/o yo lmp edd gp wnl nad perrl perrla eomi rrr ctab ntnd bs bss ls cta
mae aox3 a&ox3 a+ox3 oob ooc bsc bm bms uo gu gtt ggt ngt prn sob doe pnd jvd pmi dp pt pulses edema anasarca
dopplerable palp palpable cap refill diuresis lasix diurese diuresed vasopressors pressors sedation intubated
extubated reintubated weaned suctioned suction secretions sputum hemodynamics hemodynamic afebrile febrile tmax
stable unstable tachy brady tachycardic bradycardic hypotensive hypertensive hypoxic hypoxemic lethargic
obtunded agitated restless anxious confused oriented alert responsive unresponsive sedated comfortable denies
tolerating tolerated titrated titrate weaning plan assessment response action
parkinson parkinson's alzheimer alzheimer's foley hickman groshong swan-ganz ganz babinski kernig brudzinski
murphy murphy's mcburney homans trendelenburg fowler fowler's valsalva heimlich glasgow apgar barthel braden
norton morse bishop wernicke korsakoff cushing cushing's addison addison's graves graves' hashimoto crohn crohn's
hodgkin hodgkin's burkitt kaposi bell's guillain barre guillain-barre huntington huntington's tourette
raynaud raynaud's sjogren wilson's wilms whipple nissen roux billroth hartmann hartmann's kocher pfannenstiel
seldinger allen allen's romberg tinel phalen lachman mcmurray thompson apley finkelstein spurling
lasegue gower gowers cheyne-stokes stokes kussmaul biot korotkoff doppler holter coombs gram giemsa wright
ziehl-neelsen papanicolaou pap miller mac macintosh jackson-pratt jp pleurevac penrose hemovac blake
sengstaken minnesota levin salem dobhoff corpak kangaroo pixie dialysis hemodialysis ultrafiltration
medex bair hugger kinetic rotoprone clinitron sequential scds teds venodyne flexiseal rectal tube
ambu ambubag yankauer passy-muir shiley portex bivona
approx bb imv ext av c-diff vicu cath lab ew sicu tsicu cvicu ccu picu nicu sdu stepdown telemetry tele floor
acu pcu ctu cticu neuro-icu ep ir nuc gen med surg medsurg obs rad ct-sx riss ssri ss reg nph lantus humalog
novolog sliding scale fsbs bs fs accucheck accuchecks cpk cpks lipase amylase ast alt alk phos bili tbili dbili
ldh ptt ggt trig hdl ldl chol a1c hba1c esr crp ammonia lactate lytes mag phos ca iron tibc ferritin b12 folate
le les ue ues rle lle rue lue ble bue rll lll rul lul rml bibasilar bilat bilaterally ant post lat med sup inf
prox dist sob cp dnr oob poss max min mod mild mod-sev sev freq occ rare intermit intermittent pvc pvcs pac pacs
vea svea sr st sb af afl nsr nsvt psvt avb chb lbbb rbbb ivcd ppm rpp pp tv rsbi mv mve sbt rr vt ve cpap
psv ips epap ipap ie fio2 sao2 mmv nc nrb fm ftm hhn neb nebs mdi mdis rt resp lcx lad rca om pda diag lima svg
dx tx rx sx hx fx bx cx px pmhx pshx fhx shx ros exam neg pos wnl nl abnl dtr dtrs perl eom eomi ntnd nabs
hypoactive hyperactive abd soft distended tender nontender guaiac heme occult rbc rbcs wbcs plts inr pt ptt
kcl kphos naphos mgso4 caco3 nahco3 d50 d5 d10 ns 1/2ns lr ivf tf tfs tpn lipids ngt ogt peg jtube gtube dht
pca pcas epidural gtt gtts drip drips bolus prn q1h q2h q4h q6h q8h q12h q24h qam qpm qhs hs ac pc
mrsa vre esbl cdiff flu rsv covid cmv ebv hsv vzv uti cap hap vap ssi bsi clabsi cauti
family pt pts ptt staff team md mds rn rns np nps resident residents intern interns attending fellow fellows
cont con't cont'd contd tol prev tlc oett ett fc bld mn pta dopa neo levo fent midaz vanc tyl asa tng hep lido amio
dilt captopril enalapril zestril perla fick sao chg cco ci svo2 scvo2 mvo2 pcwp pap cvp rap lvedp svr pvr vs vss
hr bp rr sats afeb afebrile temp tmax wt ht bmi gcs rass cam-icu ciwa aline nippv hfnc trach ptx hemothorax
chest tube ct jp hemovac ng og ngt ogt dht peg picc tlc cvl hd hemo ultrafiltration cvvh cvvhdf sled pd rrt
pressors levophed neo vaso dobutamine milrinone nitro nipride esmolol cardizem labetalol hydral apresoline
prbc ffp plts cryo albumin hespan lr ns d5 d5w d51/2ns kvo tko saline flush flushes assymptomatic asymptomatic quinton
paco pao fick carevue flowsheet flowsheets
english spanish russian french italian chinese german portuguese polish greek creole haitian vietnamese korean
japanese arabic hindi urdu farsi hebrew cantonese mandarin tagalog somali amharic swahili yiddish
sbp dbp map diff ij sc subclavian riker ramsay sas bis pyxis omnicell eval ch gd nt rvad lvad biv impella abiomed
maint adeq guiac guaiac angio
lws liws lcws lcs cws lis gravity rij lij rsc lsc ij fem acw cdb pcap mso mso4 cv
bigeminy trigeminy quadrigeminy bigeminal trigeminal
aeruginosa aureus coli pylori cepacia pneumoniae pneumoniea difficile faecalis faecium albicans glabrata marcescens cloacae
baumannii epidermidis maltophilia mirabilis influenzae catarrhalis pyogenes agalactiae viridans fragilis jirovecii
carinii oxytoca aerogenes lugdunensis haemolyticus
nass nhc nif dni cip nuhsa tsi cias
`);

/** Short function words that are never names on their own, whatever the dictionaries say. */
export const STOPWORDS = set(`
a an the and or but nor for so yet of in on at to from by with without into onto over under up down out off
as is am are was were be been being has have had do does did will would shall should can could may might must
this that these those it its he him his she her hers they them their we us our you your i me my mine
not no yes all any some each every both few more most other such only own same than too very just also
then there here when where why how what which who whom whose while if else until about above below after
before between through during again further once per via vs re am pm today tonight tomorrow yesterday
noted states stated says said reports reported given received remains continues continue
i'm i’m i've i’ve i'll i’ll i'd i’d
`);

/** Verbs and phrases after which a capitalised word is likely a person ("discussed with X"). */
export const PERSON_CONTEXT_BEFORE = set(
	'per paged called notified discussed spoke informed aware contacted updated met seen evaluated examined consulted asked told',
);
/** Prepositions after which an unknown capitalised word is likely a place ("transferred to X"). */
export const PLACE_VERBS = set(
	'transferred transfer transfered admitted arrived discharged went sent moved returned lives living resides resident born ' +
		'travelled traveled vacationing visiting',
);

/**
 * Generic words of facility and organisation names: their head nouns ("Hospital", "Library", "Clínica") and the
 * words that qualify them ("Memorial", "County", "Universitario"). A surrogate keeps these and replaces the rest
 * ("Mercy Hospital" → "Dunmore Hospital"), so it stays a facility of the same kind.
 */
export const FACILITY_WORDS = set(
	'hospital hospitals hosp clinic clinics infirmary rehab rehabilitation sanatorium hospice hopital hôpital krankenhaus ' +
		'medical center centre centers health healthcare system systems care services service network institute ' +
		'general memorial regional community county public state university college childrens children\'s women\'s ' +
		'veterans va nursing home homes assisted living residence skilled facility unit department dept ' +
		'library museum school academy church chapel parish temple synagogue mosque cathedral cemetery park garden gardens ' +
		'mall plaza airport station hotel inn motel shelter prison jail penitentiary correctional court courthouse ' +
		'office offices building tower hall center arena stadium zoo beach lake river bridge ' +
		'inc corp corporation company co llc ltd llp plc gmbh group foundation association society bank trust partners ' +
		'pharmacy laboratory laboratories lab labs practice associates surgery surgical cancer heart specialty ' +
		'elementary middle high primary senior ' +
		'clínica clinica hospitalario hospitalaria sanatorio policlínica policlinica ambulatorio universitario universitaria ' +
		'centro centros salud médico medico sanitario residencia hogar geriátrico geriatrico consultorio ' +
		'biblioteca museo escuela colegio instituto iglesia parroquia catedral cementerio parque jardín jardin aeropuerto ' +
		'estación estacion hotel prisión prision cárcel carcel ayuntamiento fundación fundacion asociación asociacion ' +
		'universidad empresa farmacia laboratorio mutua provincial municipal comarcal general regional nacional ' +
		's.a. s.l. sa sl hermanos',
);
/** Little words inside facility and street names ("Hospital of the …", "Calle del Pilar"): kept as written. */
export const NAME_CONNECTORS = set('of the and & for at on in de del la las los el y e d\' da do dos das di');
