// Codes of FHIR R4 required bindings (hl7.fhir.r4.core 4.0.1) for the code elements that real exports carry
// most: data types, and the status/kind elements of the common clinical and financial resources. A value of
// such an element outside its value set is not a code the configuration can reason about (it is often free text
// typed into the wrong field), so it is redacted. Code elements not listed here are checked by syntax only.

const VS: Record<string, string> = {
	gender: 'male female other unknown',
	nameUse: 'usual official temp nickname anonymous old maiden',
	addressUse: 'home work temp old billing',
	addressType: 'postal physical both',
	contactSystem: 'phone fax email pager url sms other',
	contactUse: 'home work temp old mobile',
	identifierUse: 'usual official temp secondary old',
	comparator: '< <= >= >',
	narrativeStatus: 'generated extensions additional empty',
	unitsOfTime: 's min h d wk mo a',
	daysOfWeek: 'mon tue wed thu fri sat sun',
	eventTiming: 'MORN MORN.early MORN.late NOON AFT AFT.early AFT.late EVE EVE.early EVE.late NIGHT PHS HS WAKE C CM CD CV AC ACM ACD ACV PC PCM PCD PCV',
	bundleType: 'document message transaction transaction-response batch batch-response history searchset collection',
	searchMode: 'match include outcome',
	httpVerb: 'GET HEAD POST PUT DELETE PATCH',
	observationStatus: 'registered preliminary final amended corrected cancelled entered-in-error unknown',
	diagnosticReportStatus: 'registered partial preliminary final amended corrected appended cancelled entered-in-error unknown',
	encounterStatus: 'planned arrived triaged in-progress onleave finished cancelled entered-in-error unknown',
	encounterLocationStatus: 'planned active reserved completed',
	allergyType: 'allergy intolerance',
	allergyCategory: 'food medication environment biologic',
	allergyCriticality: 'low high unable-to-assess',
	reactionSeverity: 'mild moderate severe',
	medicationRequestStatus: 'active on-hold cancelled completed entered-in-error stopped draft unknown',
	medicationRequestIntent: 'proposal plan order original-order reflex-order filler-order instance-order option',
	requestPriority: 'routine urgent asap stat',
	requestStatus: 'draft active on-hold revoked completed entered-in-error unknown',
	requestIntent: 'proposal plan directive order original-order reflex-order filler-order instance-order option',
	eventStatus: 'preparation in-progress not-done on-hold stopped completed entered-in-error unknown',
	immunizationStatus: 'completed entered-in-error not-done',
	documentReferenceStatus: 'current superseded entered-in-error',
	compositionStatus: 'preliminary final amended entered-in-error',
	financialStatus: 'active cancelled draft entered-in-error',
	claimUse: 'claim preauthorization predetermination',
	remittanceOutcome: 'queued complete error partial',
	accountStatus: 'active inactive entered-in-error on-hold unknown',
	deviceStatus: 'active inactive entered-in-error unknown',
	deviceNameType: 'udi-label-name user-friendly-name patient-reported-name manufacturer-name model-name other',
	udiEntryType: 'barcode rfid manual card self-reported unknown',
	locationStatus: 'active suspended inactive',
	locationMode: 'instance kind',
	carePlanIntent: 'proposal plan order option',
	carePlanActivityStatus: 'not-started scheduled in-progress on-hold completed cancelled stopped unknown entered-in-error',
	careTeamStatus: 'proposed active suspended inactive entered-in-error',
	goalLifecycle: 'proposed planned accepted active on-hold completed cancelled entered-in-error rejected',
	medicationAdministrationStatus: 'in-progress not-done on-hold completed entered-in-error stopped unknown',
	medicationStatementStatus: 'active completed entered-in-error intended stopped on-hold unknown not-taken',
	medicationStatus: 'active inactive entered-in-error',
	linkType: 'replaced-by replaces refer seealso',
	specimenStatus: 'available unavailable unsatisfactory entered-in-error',
	imagingStudyStatus: 'registered available cancelled entered-in-error unknown',
	appointmentStatus: 'proposed pending booked arrived fulfilled cancelled noshow entered-in-error checked-in waitlist',
	participantRequired: 'required optional information-only',
	participationStatus: 'accepted declined tentative needs-action',
	provenanceEntityRole: 'derivation revision quotation source removal',
	groupType: 'person animal practitioner device medication substance',
	flagStatus: 'active inactive entered-in-error',
	questionnaireResponseStatus: 'in-progress completed amended entered-in-error stopped',
	slotStatus: 'busy free busy-unavailable busy-tentative entered-in-error',
};

const BINDINGS: [string, keyof typeof VS][] = [
	['Patient.gender', 'gender'], ['Patient.contact.gender', 'gender'], ['Person.gender', 'gender'], ['Practitioner.gender', 'gender'], ['RelatedPerson.gender', 'gender'],
	['Patient.link.type', 'linkType'],
	['HumanName.use', 'nameUse'], ['Address.use', 'addressUse'], ['Address.type', 'addressType'],
	['ContactPoint.system', 'contactSystem'], ['ContactPoint.use', 'contactUse'], ['Identifier.use', 'identifierUse'],
	['Quantity.comparator', 'comparator'], ['Age.comparator', 'comparator'], ['Count.comparator', 'comparator'], ['Distance.comparator', 'comparator'], ['Duration.comparator', 'comparator'], ['MoneyQuantity.comparator', 'comparator'], ['Narrative.status', 'narrativeStatus'],
	['Timing.repeat.durationUnit', 'unitsOfTime'], ['Timing.repeat.periodUnit', 'unitsOfTime'], ['Timing.repeat.dayOfWeek', 'daysOfWeek'], ['Timing.repeat.when', 'eventTiming'],
	['Bundle.type', 'bundleType'], ['Bundle.entry.search.mode', 'searchMode'], ['Bundle.entry.request.method', 'httpVerb'],
	['Observation.status', 'observationStatus'], ['DiagnosticReport.status', 'diagnosticReportStatus'],
	['Encounter.status', 'encounterStatus'], ['Encounter.statusHistory.status', 'encounterStatus'], ['Encounter.location.status', 'encounterLocationStatus'],
	['AllergyIntolerance.type', 'allergyType'], ['AllergyIntolerance.category', 'allergyCategory'], ['AllergyIntolerance.criticality', 'allergyCriticality'], ['AllergyIntolerance.reaction.severity', 'reactionSeverity'],
	['MedicationRequest.status', 'medicationRequestStatus'], ['MedicationRequest.intent', 'medicationRequestIntent'], ['MedicationRequest.priority', 'requestPriority'],
	['ServiceRequest.status', 'requestStatus'], ['ServiceRequest.intent', 'requestIntent'], ['ServiceRequest.priority', 'requestPriority'],
	['CarePlan.status', 'requestStatus'], ['CarePlan.intent', 'carePlanIntent'], ['CarePlan.activity.detail.status', 'carePlanActivityStatus'],
	['Procedure.status', 'eventStatus'], ['Immunization.status', 'immunizationStatus'],
	['DocumentReference.status', 'documentReferenceStatus'], ['DocumentReference.docStatus', 'compositionStatus'], ['Composition.status', 'compositionStatus'],
	['Claim.status', 'financialStatus'], ['Claim.use', 'claimUse'],
	['ExplanationOfBenefit.status', 'financialStatus'], ['ExplanationOfBenefit.use', 'claimUse'], ['ExplanationOfBenefit.outcome', 'remittanceOutcome'],
	['Coverage.status', 'financialStatus'], ['Account.status', 'accountStatus'],
	['Device.status', 'deviceStatus'], ['Device.deviceName.type', 'deviceNameType'], ['Device.udiCarrier.entryType', 'udiEntryType'],
	['Location.status', 'locationStatus'], ['Location.mode', 'locationMode'], ['Location.hoursOfOperation.daysOfWeek', 'daysOfWeek'],
	['PractitionerRole.availableTime.daysOfWeek', 'daysOfWeek'], ['HealthcareService.availableTime.daysOfWeek', 'daysOfWeek'],
	['CareTeam.status', 'careTeamStatus'], ['Goal.lifecycleStatus', 'goalLifecycle'],
	['MedicationAdministration.status', 'medicationAdministrationStatus'], ['MedicationStatement.status', 'medicationStatementStatus'], ['Medication.status', 'medicationStatus'],
	['Specimen.status', 'specimenStatus'], ['ImagingStudy.status', 'imagingStudyStatus'],
	['Appointment.status', 'appointmentStatus'], ['Appointment.participant.required', 'participantRequired'], ['Appointment.participant.status', 'participationStatus'],
	['Provenance.entity.role', 'provenanceEntityRole'], ['Group.type', 'groupType'], ['Flag.status', 'flagStatus'],
	['QuestionnaireResponse.status', 'questionnaireResponseStatus'], ['Slot.status', 'slotStatus'],
];

let index: Map<string, ReadonlySet<string>> | undefined;

/** The codes allowed at model path `path` (`Patient.gender`), or undefined when the element is not listed. */
export function requiredCodes(path: string): ReadonlySet<string> | undefined {
	if (!index) {
		const sets = new Map<string, ReadonlySet<string>>();
		index = new Map();
		for (const [p, vs] of BINDINGS) {
			let s = sets.get(vs);
			if (!s) sets.set(vs, (s = new Set(VS[vs].split(' '))));
			index.set(p, s);
		}
	}
	return index.get(path);
}
