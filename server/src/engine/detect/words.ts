/**
 * Word lists that belong to one detector each (the shared vocabulary is in lexicon.ts). Written from general
 * knowledge of clinical and Spanish writing; nothing here comes from an evaluation corpus. Words are kept as
 * written: case and punctuation matter where a detector compares a token's text rather than its lower case.
 */
import { MEASURE_CONTEXT, PERSON_CONTEXT_BEFORE, wordList } from './lexicon';

/** A set of the whitespace-separated words in `text`, as written (lexicon.ts lower-cases its sets). */
function words(text: string): ReadonlySet<string> {
	return new Set(wordList(text));
}

/** Canadian provinces and territories (a US state's abbreviation comes from the dictionaries). */
export const PROVINCES: ReadonlySet<string> = words('AB BC MB NB NL NS NT NU ON PE QC SK YT');

export const ES_WORDS: ReadonlySet<string> = words('el la los las de del que y en con por para una un se es al paciente años presenta sin como fue su');

export const EN_WORDS: ReadonlySet<string> = words('the and of to in with for is was on at pt patient no has this that by from per');

/** Street types written before the name, after the number (French) or first (Spanish, Italian, Portuguese). */
export const FR_TYPES: readonly string[] = wordList('rue avenue boulevard allée chemin impasse quai cours place route');

export const SOUTH_TYPES: readonly string[] = wordList(
	'calle avenida avda. plaza paseo camino carretera ronda travesía via viale piazza corso rua travessa ' +
	'praça',
);

/** Types that are also English words ("2 via PEG", "3 place holders"): never read without case. */
export const ENGLISH_WORDS: ReadonlySet<string> = words('avenue place route cours via plaza corso ronda camino');

export const PLACE_PREPS: ReadonlySet<string> = words('in from to at near of en de desde a');

/** Public institutions and the words that qualify them by their owner or kind ("County Library", "Memorial School"). */
export const INSTITUTION_HEADS: ReadonlySet<string> = words('library museum school church academy cathedral chapel college park cemetery');

export const INSTITUTION_QUALIFIERS: ReadonlySet<string> = words(
	'county public memorial community city regional free elementary middle high municipal baptist methodist ' +
	'catholic presbyterian lutheran episcopal state',
);

export const NAME_PREFIXES: ReadonlySet<string> = words(
	'st st. saint mount mt san santa santo sainte fort ft port new north south east west lake la el los las ' +
	'del de',
);

// Spanish facility names put the head first: "Hospital Universitario de Getafe", "Complejo Hospitalario de Navarra",
// "Centro de Salud San Blas", "Clínica Dr. Peset", "Hospital Universitario 12 de octubre".
export const ES_HEADS: ReadonlySet<string> = words('hospital clínica clinica policlínica policlinica sanatorio hospitalario');

export const ES_CENTER_TAILS: ReadonlySet<string> = words('salud médico medico hospitalario sanitario asistencial');

export const ES_CONNECTORS: ReadonlySet<string> = words('de del la las los el y e i');

/** Words that start what follows a facility name (a department, a floor, an address), never part of it. */
export const ES_STOPS: ReadonlySet<string> = words(
	'servicio unidad sección seccion departamento planta consulta consultas área area calle avenida avda av ' +
	'paseo plaza carretera ctra travesía travesia camino ronda c urgencias cp c.p tel teléfono telefono fax ' +
	'email e correo apartado',
);

export const ES_ABBREVIATIONS: readonly string[] = wordList('dr dra sta sto nstra ntra univ gral prov');

export const ES_STREET_WORDS: ReadonlySet<string> = words(
	'calle avenida avda av paseo pso plaza pza camino carretera ctra ronda travesía travesia glorieta ' +
	'urbanización urbanizacion rambla vía via pasaje callejón callejon',
);

export const ES_NOT_STREET: ReadonlySet<string> = words('hospital servicio unidad dr dra nhc cp nass edad fecha planta');

export const ES_MONTHS: ReadonlySet<string> = words('enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre');

/** Words between a facility's name and its head that belong to the name: "Salem Community Hospital". */
export const FACILITY_TAILS: ReadonlySet<string> = words("general community university children's childrens women's womens county district veterans teaching");

export const DIRECTIONS: ReadonlySet<string> = words('north south east west northern southern eastern western northeast northwest southeast southwest');

export const REGION_NOUNS: ReadonlySet<string> = words('shore coast campus side end county valley hills village bay');

export const AREA_NOUNS: ReadonlySet<string> = words('area region neighborhood neighbourhood county vicinity');

export const MOVE_PREPS: ReadonlySet<string> = words('to at from into in on per @ the');

/** Nouns a number follows that are no ward's name ("transferred to floor 2", "moved to bed 3", "step 2"). */
export const NUMBERED_NOUNS: ReadonlySet<string> = words(
	'bed beds room rooms ward wards floor level stage step phase grade day week month year number unit pod bay station ' +
		'suite area wing section tower building side chair table tier zone team group class type dose part page line lane gate ' +
		'door hall hallway track dock window seat slot cycle round session visit baseline goal rate setting mode channel port ' +
		'lumen drip pump option plan tube size',
);

export const CARE_UNITS: ReadonlySet<string> = words('ew er ed cath icu ccu micu campus');

export const FACILITY_STARTS: ReadonlySet<string> = words('holy sacred samaritan presbyterian baptist methodist adventist lutheran episcopal mercy providence');

export const MOVE_VERBS: ReadonlySet<string> = words(
	'referred brought taken sent tx trans transported came come comes followed seen adm presented flown ' +
	'medflight medflighted airlifted seen treated ambulanced driven go going back return returns transfer ' +
	'xfer xferred d/c dc discharge arrival arrive arrives arriving admission readmitted readmission',
);

export const SENTENCE_OPENERS: ReadonlySet<string> = words('. ! ? : - * ( "');

/** Words after a title that are not names ("Dr. aware", "MS. OOB"). */
export const NOT_NAME_AFTER_TITLE: ReadonlySet<string> = new Set([...PERSON_CONTEXT_BEFORE, ...wordList(
	'aware here came saw note notes order orders said wants will would ordered service team office following ' +
	'follow',
)]);

/** Verbs and auxiliaries that can follow a relation word but are no names ("son will call", "wife is here"). */
export const AUX: ReadonlySet<string> = words(
	'will would can could may might did does do is was are were has had have said says went came called ' +
	'visited states stated feels felt wants wanted agrees agreed present here there at in aware updated ' +
	'notified and or of who that very also both all not to by with at bedside oldest youngest eldest older ' +
	'younger only other another',
);

/** Words right after a name that show it is a clinician being told something ("Dr. Griffin and Swackhamer aware"). */
export const AFTER_CLINICIAN: ReadonlySet<string> = words('aware notified paged informed contacted consulted');

export const CONTACT_VERBS: ReadonlySet<string> = words('called phoned telephoned visited came stayed spoke');

/** Roles right before a clinician's name ("NP Carol", "per RN Patty"). */
export const ROLE_PREFIX: ReadonlySet<string> = words(
	'np rn md dr rrt pharmd resident attending fellow intern nurse caseworker chaplain therapist dietitian nutritionist ' +
		'pharmacist interpreter counselor psychologist',
);

/** Labels of a person's telephone number. */
export const PHONE_LABELS: ReadonlySet<string> = words('cell home mobile phone ph tel pager beeper cellphone work');

/** Words that say who a person is ("Patient James Carter"): they stand before a name, never in it. */
export const PERSON_LABELS: ReadonlySet<string> = words('patient patients pt client resident member subject donor recipient caller veteran paciente');

/** Two-letter credentials that are also other abbreviations (PA line, NP cough, DO). */
export const AMBIGUOUS_CREDENTIALS: ReadonlySet<string> = words('pa np do pt ot rt');

/**
 * Words that name a group of people (ethnicity, nationality, religion) and never one person: "67 yo Latina
 * woman", "identifies as Native American". General knowledge of how notes describe patients, not corpus values.
 */
export const GROUP_WORDS: ReadonlySet<string> = words(
	'african american americans asian black caucasian hispanic latina latino latinx native alaska alaskan ' +
	'pacific islander indian indigenous arab arabic jewish muslim catholic christian hindu buddhist sikh ' +
	'mexican puerto rican cuban dominican haitian jamaican chinese japanese korean vietnamese filipino ' +
	'filipina european middle eastern somali ethiopian nigerian russian polish irish italian portuguese ' +
	'brazilian creole multiracial biracial mixed hmong navajo cherokee samoan hawaiian',
);

/** Nouns that follow an eponym: "Wilson's disease", "Ross procedure", "Ranson score", "Framingham risk score". */
export const EPONYM_HEADS: ReadonlySet<string> = words(
	'disease syndrome sign signs score scale criteria procedure operation classification maneuver manoeuvre ' +
	'test reflex esophagus oesophagus palsy lymphoma sarcoma ulcer triad phenomenon catheter equation formula ' +
	'staging fracture cyst tumor tumour disorder aneurysm node nodes repair shunt incision position ' +
	'guidelines guideline protocol trial study rule rules index law point block method approach grade grading ' +
	'stage class',
);

/** Words that may follow a group word in the same finding ("Latina woman", "LATINA MALE"). */
export const SEX_WORDS: ReadonlySet<string> = words('man woman male female boy girl men women gentleman lady');

export const PERSON_OR_PLACE: ReadonlySet<string> = words('Patient Doctor City LocationOther Organization State');

/** Detectors whose context already says "a person" (a title before the name), which no rule here overrides. */
export const TITLED: ReadonlySet<string> = words('name-title name-credential name-relation deny-list field-label field-name');

/** Clinical events after which a two-digit number is a year ("CABG 81", "MI '92", "CVA in 94 and 00"). */
export const YEAR_EVENTS: ReadonlySet<string> = words(
	'mi ami nstemi stemi cabg cva tia ptca pci avr mvr tvr stent stents dvt pe chole cholecystectomy appy ' +
	'appendectomy turp tah bso hysterectomy mastectomy lumpectomy nephrectomy colectomy thr tkr orif repair ' +
	"redo dx dx'd diagnosed ppm aicd icd pacer cath ablation surgery chf arf esrd hd transplant xrt chemo ca " +
	'cancer fx fracture amputation bka aka cea fem-pop bypass sah ich crani craniotomy laminectomy',
);

export const PARTIAL_DATE_BEFORE: ReadonlySet<string> = words(
	"on since from until till thru through to of dated date day admitted adm discharged dc dc'd started start " +
	'began stopped due by after before last next seen done placed removed changed sent drawn cx cxs cult ' +
	'culture cultures surgery op pod hd dos doa edc lmp edd visit appt appointment f/u fu follow as el del ' +
	'desde hasta día dia fecha the tues wed thurs fri sat sun mon monday tuesday wednesday thursday friday ' +
	'saturday sunday today yesterday am pm and or also x in at for were was is',
);

export const PARTIAL_DATE_NEGATIVE_BEFORE: ReadonlySet<string> = new Set([
	...MEASURE_CONTEXT,
	...wordList('strength str motor power grade murmur score ratio ie i:e gcs stage dose doses tabs pills of x'),
]);

/** Words after which "7-8" is a month and day; the words that may follow it. */
export const HYPHEN_DATE_BEFORE: ReadonlySet<string> = words('on since until till dated el desde hasta');

export const HYPHEN_DATE_AFTER: ReadonlySet<string> = words(
	'for and with at when after by via then where which but he she pt patient was were had y con por para',
);

export const FRACTIONS: ReadonlySet<string> = words('1/2 1/3 2/3 1/4 3/4 1/8 2/2 1/1');

/** Unit words that are also ordinary words after a date ("3/23 in am"). */
export const AMBIGUOUS_UNITS: ReadonlySet<string> = words('in l m f c u g x sat sun mon wed fri day days');

export const YEAR_TIME_BEFORE: ReadonlySet<string> = words('at @ from until till by around approx approximately about after before til between and since');

export const YEAR_CONTEXT_BEFORE: ReadonlySet<string> = words(
	"in since year yr of dx dx'd diagnosed s/p hx pmh circa ca en año desde born b class spring summer fall " +
	'autumn winter early late mid',
);

export const PHONE_WORDS: ReadonlySet<string> = words(
	'phone ph tel telephone cell cel mobile mob home work office pager pgr beeper bpr page pg ext extension ' +
	'call number num no contact tfno tlf teléfono telefono móvil movil fax facsimile',
);

export const CONTACT_WORDS: ReadonlySet<string> = new Set([...PHONE_WORDS, ...wordList(
	'called calling calls dial dialed dialled reach reached reachable text texted telephoned phoned paged ' +
	'numbers line landline callback cb',
)]);

/** Words that may stand between a contact word and the number ("call her at", "phone number is"). */
export const CONTACT_FILLERS: ReadonlySet<string> = words('at on to him her them me us is was number no back the mom dad wife husband daughter son');

export const ID_FILLERS: ReadonlySet<string> = words('# : . = - no nº n° number num nr is of id º ( /');

export const STOP_VALUES: ReadonlySet<string> = words('is the and not none unknown n/a na');

/** A sentence's first word right before one of these is a verb or an adverb ("Mark the site", "Bill this visit"). */
export const DETERMINERS: ReadonlySet<string> = words('the a an this that these those each every');

export const PLACE_TYPES: ReadonlySet<string> = words('Hospital City LocationOther Street Organization State CountryOrRegion');

/** Verbs before "with", "to" or "by" that a clinician's name follows. */
export const REPORTING: ReadonlySet<string> = words(
	'spoke talked met discussed consult consulted work working reported report given sent referred seen ' +
	'evaluated examined signed dictated reviewed called paged gave handed',
);

export const SIGNING: ReadonlySet<string> = words('signed dictated reviewed transcribed authored attested cosigned verified');

/** Words that open what is said of a patient. */
export const PREDICATE_WORDS: ReadonlySet<string> = words(
	'is was has had resting sleeping lying sitting awake alert remains continues denies reports states ' +
	'complains c/o presents presented arrived tolerating tolerated ambulating agrees refused declined ' +
	'underwent received seen feels appears',
);

/** What a relative is said to do, besides being called or visiting ("son Will went home", "wife Hope asked"). */
export const RELATIVE_VERBS: ReadonlySet<string> = words(
	'went left returned brought drove flew lives lived wishes wished wants wanted asked requested expressed signed gave ' +
		'took plans planned will would',
);

/** Adverbs that stand between a subject and its verb ("son also called", "wife just left"): no name there. */
export const PRE_VERB_ADVERBS: ReadonlySet<string> = words(
	'just already never always soon often usually sometimes once twice frequently rarely earlier previously briefly ' +
		'eventually first last quickly shortly promptly personally herself himself themselves both all each',
);

export const PERSON_WORDS: ReadonlySet<string> = words('patient pt the this our your he she they');

/** Words before a profession ("works as a teacher", "retired carpenter", "occupation: nurse", "jubilado"). */
export const PROFESSION_CUES: ReadonlySet<string> = words('as retired former occupation profession employed job como profesión profesion jubilado jubilada ex');

/**
 * Words set off by commas after a noun that are no appositive name: parenthetical adverbs and discourse words
 * ("his wife, however, called"), and nouns that describe rather than name ("her son, age 45,").
 */
export const PARENTHETICALS: ReadonlySet<string> = words(
	'however too then still later well no ok yes again also now though therefore thus early late home overall ' +
		'instead meanwhile indeed apparently reportedly initially currently recently unfortunately fortunately finally ' +
		'sadly today yesterday tonight present here there alone together alive deceased retired age aged sr jr ' +
		'mom dad nurse doctor',
);
