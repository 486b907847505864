// Values a FHIR configuration cannot handle (wrong JSON type, invalid code, unparseable date, unknown element or
// resource type, wrong nesting) are redacted, never kept, by `deid fhir` and `deid deidentify --fhir-config`, and
// no message names them. Planted values are random (seeded: FHIR_TEST_SEED=<n> repeats a run).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FhirAnonymizer, loadFhirConfig, parseJson, stringify } from '../../server/src/engine/formats/fhir';
import { runFhirJob } from '../../server/src/jobs/fhirJob';
import { nodeFhirDeps } from '../../server/src/node/fhirDeps';
import { root, runCli } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'deid-fhir-invalid-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const KEY = join(root, 'test', 'fixtures', 'test.key');
const seed = Number(process.env.FHIR_TEST_SEED) || 1 + Math.floor(Math.random() * 2 ** 31);
const tag = `(FHIR_TEST_SEED=${seed})`;

function mulberry32(a: number): () => number {
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const dicts = JSON.parse(readFileSync(join(root, 'dist', 'dictionaries.json'), 'utf8')) as Record<string, string[]>;
const names = (k: string) => dicts[k].filter((n) => /^[A-Z][a-z]{3,11}$/.test(n));
const LAST = names('last');
const FIRST = [...names('firstMale'), ...names('firstFemale')];

/**
 * Planted values: a name token with a short number (every 4-character piece holds a letter), or free text. A value
 * with a piece that the outputs use anyway (`vocabulary`, lower case) is drawn again.
 */
class Planter {
	readonly planted: string[] = [];
	private readonly rnd: () => number;
	constructor(
		s: number,
		private readonly vocabulary?: string,
	) {
		this.rnd = mulberry32(s);
	}
	private pick(list: string[]): string {
		return list[Math.floor(this.rnd() * list.length)];
	}
	private digits(): string {
		return String(100 + Math.floor(this.rnd() * 900));
	}
	private draw(make: () => string): string {
		if (this.vocabulary === undefined) return make === this.textMaker ? 'Qzx Qzx9' : 'Qzx9';
		for (let tries = 0; ; tries++) {
			assert.ok(tries < 10000, 'no planted value avoids the outputs\' vocabulary');
			const v = make();
			// (digits compared as 0: durations, sizes and counts in reports vary from run to run)
			if (pieces(v.toLowerCase().replace(/\d/g, '0')).some((x) => this.vocabulary!.includes(x))) continue;
			this.planted.push(v);
			return v;
		}
	}
	private readonly tokMaker = () => `${this.pick(LAST)}${this.digits()}${this.pick(FIRST)}`;
	private readonly textMaker = () => `${this.pick(FIRST)} ${this.pick(LAST)}${this.digits()}`;
	tok(): string {
		return this.draw(this.tokMaker);
	}
	text(): string {
		return this.draw(this.textMaker);
	}
}

/** Resources with a planted value in every invalid slot; valid slots hold no planted value. */
function fixture(p: Planter): Record<string, unknown>[] {
	const unknownKey = p.tok().toLowerCase();
	return [
		{
			resourceType: 'Patient',
			id: 'pat-1',
			meta: { lastUpdated: p.text() }, // instant
			active: p.tok(), // boolean: a JSON string
			gender: p.tok(), // code outside its value set
			_gender: p.tok(), // a companion that is not an object
			language: p.tok(), // code: not a language tag
			birthDate: p.text(), // date
			deceasedDateTime: p.tok(), // dateTime
			multipleBirthInteger: p.tok(), // integer: a JSON string
			maritalStatus: p.text(), // a string where an object is expected
			name: [{ use: p.text(), family: { text: p.tok() }, given: [[p.tok()]] }], // keep rule on a free-text code; an object and an array where strings are expected
			identifier: [{ system: p.text(), value: 'MRN-1' }], // uri with spaces
			telecom: [{ system: p.tok(), value: '555-0100', rank: p.tok() }], // code; positiveInt as a string
			photo: [{ contentType: p.text(), size: p.tok(), data: `${p.text()}!` }], // free text in a code; unsignedInt; base64
			[unknownKey]: p.tok(), // unknown element (its name is planted too)
			link: [{ other: { reference: 'Patient/pat-2' }, type: p.tok() }],
			contained: [{ resourceType: p.tok(), id: p.tok(), note: p.text() }], // unknown nested resource type
		},
		{
			resourceType: 'MedicationRequest',
			id: 'mr-1',
			status: p.tok(),
			intent: 'order',
			subject: p.text(), // a string where a Reference is expected
			authoredOn: p.tok(),
			dosageInstruction: [{ doseAndRate: [{ doseQuantity: { value: p.tok(), comparator: p.tok(), code: p.text(), unit: 'mg' } }] }], // decimal; codes
		},
		{ resourceType: 'ImagingStudy', id: 'is-1', status: 'available', subject: { reference: 'Patient/pat-1' }, series: [{ uid: p.text(), modality: { code: 'CT' } }] }, // id
		{ resourceType: 'PractitionerRole', id: 'pr-1', availableTime: [{ daysOfWeek: [p.tok()], availableStartTime: p.tok() }] }, // code; time
		{ resourceType: p.tok(), id: p.tok(), name: p.text() }, // unknown resource type
		{ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: p.tok(), text: p.text() } }, { resource: { resourceType: 'Patient', id: 'pat-2', gender: 'female', active: true } }] },
		{ resourceType: 'Patient', id: 'pat-3', gender: 'male', active: false, birthDate: '1961-04-12', multipleBirthInteger: 2 },
	];
}

const EMPTY_CONFIG = JSON.stringify({ fhirVersion: 'R4', fhirPathRules: [], parameters: { dateShiftKey: 'k', cryptoHashKey: 'k' } });

/** Every text a run leaves: output files (reports included), stdout and stderr. */
function runAll(p: Planter, name: string): { haystack: string; outputs: Record<string, string> } {
	const base = join(dir, name);
	const input = join(base, 'in');
	mkdirSync(input, { recursive: true });
	const resources = fixture(p);
	writeFileSync(join(input, 'export.ndjson'), resources.map((r) => JSON.stringify(r)).join('\n') + '\n');
	writeFileSync(join(input, 'one.json'), JSON.stringify(resources[0], null, 2));
	const cfg = join(base, 'empty-config.json');
	writeFileSync(cfg, EMPTY_CONFIG);
	const runs = [
		runCli(['fhir', input, join(base, 'fhir-default'), '--key-file', KEY]),
		runCli(['fhir', input, join(base, 'fhir-empty'), '--config', cfg]),
		runCli(['fhir', join(input, 'export.ndjson'), join(base, 'single.ndjson'), '--key-file', KEY]),
		runCli(['deidentify', input, join(base, 'folder-job'), '--fhir-config', 'default', '--key-file', KEY, '--workers', '0']),
		runCli(['deidentify', input, join(base, 'folder-job-empty'), '--fhir-config', cfg, '--key-file', KEY, '--workers', '0']),
	];
	const outputs: Record<string, string> = {};
	const walk = (p: string) => {
		for (const e of readdirSync(p)) {
			const f = join(p, e);
			if (f === input) continue;
			if (statSync(f).isDirectory()) walk(f);
			else if (f !== cfg) outputs[f.slice(base.length + 1)] = readFileSync(f, 'utf8');
		}
	};
	walk(base);
	// (the paths the CLI prints are the test's own: their folder names must not count as pieces of a planted value)
	runs.forEach((r, i) => (outputs[`run${i}.stdout`] = (r.stdout + '\n' + r.stderr).split(base).join('<out>')));
	// Hashes (hex) are removed: a short piece of a name can occur in one by chance.
	return { haystack: Object.values(outputs).join('\n').toLowerCase().replace(/[0-9a-f]{16,}/g, '#'), outputs };
}

/** All pieces of 4 or more characters (it suffices to check those of exactly 4). */
const pieces = (v: string) => Array.from({ length: Math.max(0, v.length - 3) }, (_, i) => v.slice(i, i + 4));

async function jobReport(p: Planter, name: string) {
	const input = join(dir, `${name}-in`);
	mkdirSync(input, { recursive: true });
	const resources = fixture(p);
	writeFileSync(join(input, 'x.ndjson'), resources.map((r) => JSON.stringify(r)).join('\n') + '\n');
	writeFileSync(join(input, 'y.ndjson'), JSON.stringify(resources[6]) + '\n' + JSON.stringify(resources[4]) + '\n');
	const config = loadFhirConfig(EMPTY_CONFIG).config!;
	return runFhirJob({ input, output: join(dir, `${name}-out`), config, dicts: () => dicts as never });
}

/** The words our outputs and reports use whatever the data (a run with fixed values), lower case. */
let vocabulary: Promise<string> | undefined;
const controlVocabulary = () =>
	(vocabulary ??= (async () => {
		const issues = fixture(new Planter(1)).map((r) => new FhirAnonymizer(loadFhirConfig(EMPTY_CONFIG).config!, nodeFhirDeps()).anonymizeWithChanges(parseJson(JSON.stringify(r)), {}, false).issues);
		const texts = [runAll(new Planter(1), 'control').haystack, JSON.stringify(await jobReport(new Planter(1), 'control-report')), JSON.stringify(issues.flat().map((i) => [i.path, i.problem]))];
		return texts.join('\n').toLowerCase().replace(/\d/g, '0');
	})());

describe('FHIR: invalid values are redacted, never kept or quoted', () => {
	it('deid fhir (default and an empty configuration) and deid deidentify --fhir-config leave no planted value or piece of one', async () => {
		const p = new Planter(seed, await controlVocabulary());
		const { haystack, outputs } = runAll(p, 'planted');
		const where = (x: string) => Object.entries(outputs).map(([k, t]) => [k, t.toLowerCase()]).filter(([, t]) => t.includes(x)).map(([k, t]) => `${k}: …${t.slice(Math.max(0, t.indexOf(x) - 40), t.indexOf(x) + 40)}…`);
		for (const v of p.planted) for (const x of pieces(v.toLowerCase())) assert.ok(!haystack.includes(x), `piece '${x}' of planted value ${JSON.stringify(v)} appears in the outputs ${tag}: ${where(x).join('; ')}`);
		// What is valid still comes through, one line in and one line out.
		const emptyLines = outputs[join('fhir-empty', 'export.ndjson')].trimEnd().split('\n').map((l) => JSON.parse(l));
		assert.equal(emptyLines.length, 7, tag);
		assert.deepEqual(emptyLines[6], { resourceType: 'Patient', id: 'pat-3', gender: 'male', active: false, birthDate: '1961-04-12', multipleBirthInteger: 2 }, 'a valid resource is unchanged without rules');
		assert.deepEqual(emptyLines[5].entry, [{ resource: { resourceType: 'Patient', id: 'pat-2', gender: 'female', active: true } }], 'the entry of an unknown type is gone');
		assert.deepEqual(emptyLines[0].meta.security.map((s: { code: string }) => s.code), ['REDACTED'], 'a resource with a redacted value is labelled');
		assert.deepEqual(emptyLines[0].name, undefined);
		assert.deepEqual(emptyLines[0].telecom, [{ value: '555-0100' }]);
		assert.deepEqual(emptyLines[4], { meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'REDACTED', display: 'redacted' }] } });
		const folder = outputs[join('folder-job', 'export.ndjson')].trimEnd().split('\n');
		assert.equal(folder.length, 7, tag);
		assert.equal(JSON.parse(folder[2]).status, 'available');
		assert.match(outputs[join('folder-job', 'one.json')], /^\{\n {2}"resourceType": "Patient"/);
	});

	it('the job report names element paths and types, and counts what was redacted', async () => {
		const p = new Planter(seed + 1, await controlVocabulary());
		const report = await jobReport(p, 'report');
		const [f, g] = report.files;
		assert.equal(f.errors.length + g.errors.length, 0);
		assert.equal(f.resources, 7);
		assert.ok(report.invalidValues >= 30, `${report.invalidValues} ${tag}`);
		const listed = f.invalid.map((i) => `${i.line}:${i.path}: ${i.problem}`);
		assert.ok(listed.includes('1:Patient.gender: invalid code value (code not in the value set of the element)'), listed.join('\n'));
		assert.ok(listed.includes('1:Patient.active: invalid boolean value (not a JSON boolean)'), listed.join('\n'));
		assert.ok(listed.includes('1:Patient: unknown element'), listed.join('\n'));
		assert.deepEqual(g.invalid.at(-1), { line: 2, path: 'resourceType', problem: 'unknown R4 resource type: the whole resource was redacted' });
		assert.match(report.warnings[0], /^x\.ndjson: \d+ invalid value\(s\) redacted \(first: line 1, Patient\.meta\.lastUpdated: invalid instant value/);
		const text = JSON.stringify(report).toLowerCase();
		for (const v of p.planted) for (const x of pieces(v.toLowerCase())) assert.ok(!text.includes(x), `piece '${x}' of ${JSON.stringify(v)} in the report ${tag}`);
	});
});

describe('FHIR engine: every primitive kind', () => {
	const deps = nodeFhirDeps({ now: () => new Date('2026-11-23T12:00:00Z') });
	const keepAll = () => new FhirAnonymizer(loadFhirConfig(EMPTY_CONFIG).config!, deps);
	const strict = () => new FhirAnonymizer(loadFhirConfig(EMPTY_CONFIG).config!, deps, {}, { invalid: 'raise' });
	const V = 'Okafor4829301 Margaret';
	// [resource with the slot, the slot's path, a valid value that must stay, an invalid value]
	const cases: [string, (x: unknown) => Record<string, unknown>, (o: any) => unknown, unknown, unknown][] = [
		['boolean', (x) => ({ resourceType: 'Patient', active: x }), (o) => o.active, true, V],
		['code (value set)', (x) => ({ resourceType: 'Patient', gender: x }), (o) => o.gender, 'other', 'Okafor4829301'],
		['code (free text)', (x) => ({ resourceType: 'Patient', photo: [{ contentType: x }] }), (o) => o.photo?.[0]?.contentType, 'text/plain; charset=utf-8', V],
		['code (syntax)', (x) => ({ resourceType: 'Patient', language: x }), (o) => o.language, 'en-US', ' Okafor'],
		['date', (x) => ({ resourceType: 'Patient', birthDate: x }), (o) => o.birthDate, '1961-04-12', 'Okafor 1961'],
		['dateTime', (x) => ({ resourceType: 'Patient', deceasedDateTime: x }), (o) => o.deceasedDateTime, '2019-04-12T10:00:00Z', '2019-13-45'],
		['instant', (x) => ({ resourceType: 'Patient', meta: { lastUpdated: x } }), (o) => o.meta?.lastUpdated, '2019-04-12T10:00:00Z', V],
		['time', (x) => ({ resourceType: 'PractitionerRole', availableTime: [{ availableStartTime: x }] }), (o) => o.availableTime?.[0]?.availableStartTime, '08:30:00', '25:00:00'],
		['integer', (x) => ({ resourceType: 'Patient', multipleBirthInteger: x }), (o) => o.multipleBirthInteger, 2, '4829301'],
		['integer (not whole)', (x) => ({ resourceType: 'Patient', multipleBirthInteger: x }), (o) => o.multipleBirthInteger, 2, 4.5],
		['positiveInt', (x) => ({ resourceType: 'Patient', telecom: [{ rank: x }] }), (o) => o.telecom?.[0]?.rank, 1, 0],
		['decimal', (x) => ({ resourceType: 'Observation', status: 'final', code: { text: 'c' }, valueQuantity: { value: x } }), (o) => o.valueQuantity?.value, 1.5, '4829301'],
		['uri', (x) => ({ resourceType: 'Patient', identifier: [{ system: x }] }), (o) => o.identifier?.[0]?.system, 'urn:oid:1.2.3', V],
		['id', (x) => ({ resourceType: 'ImagingStudy', status: 'available', subject: { reference: 'Patient/1' }, series: [{ uid: x, modality: { code: 'CT' } }] }), (o) => o.series?.[0]?.uid, '1.2.840.1', V],
		['string', (x) => ({ resourceType: 'Patient', name: [{ family: x }] }), (o) => o.name?.[0]?.family, 'Okafor', 4829301],
		['base64Binary', (x) => ({ resourceType: 'Patient', photo: [{ data: x }] }), (o) => o.photo?.[0]?.data, 'AAAA', V],
		['object for a primitive', (x) => ({ resourceType: 'Patient', name: [{ family: x }] }), (o) => o.name?.[0]?.family, 'Okafor', { text: V }],
		['primitive for an object', (x) => ({ resourceType: 'Patient', maritalStatus: x }), (o) => o.maritalStatus, { text: 'married' }, V],
		['companion not an object', (x) => ({ resourceType: 'Patient', _birthDate: x }), (o) => o._birthDate, { extension: [{ url: 'http://x', valueString: 'y' }] }, V],
	];
	for (const [kind, make, get, valid, invalid] of cases)
		it(kind, () => {
			const good = keepAll().anonymizeWithChanges(parseJson(JSON.stringify(make(valid))), {}, false);
			assert.deepEqual(good.issues, []);
			assert.deepEqual(JSON.parse(stringify(get(good.output), false) ?? 'null'), valid);
			const bad = keepAll().anonymizeWithChanges(parseJson(JSON.stringify(make(invalid))), {}, false);
			assert.equal(get(bad.output), undefined, `${kind}: the invalid value is gone`);
			assert.equal(bad.issues.length, 1);
			assert.doesNotMatch(bad.issues[0].path + bad.issues[0].problem, /Okafor|4829|Margaret/);
			assert.deepEqual((bad.output.meta as any).security.map((s: { code: string }) => s.code), ['REDACTED']);
			assert.throws(() => strict().anonymize(parseJson(JSON.stringify(make(invalid)))), (e: Error) => !/Okafor|4829|Margaret/.test(e.message));
		});

	it('unknown elements and resource types: redacted, and named by path only', () => {
		const e = keepAll().anonymizeWithChanges({ resourceType: 'Patient', okafor4829301: 'x', contained: [{ resourceType: 'Okafor4829301' }] }, {}, false);
		assert.deepEqual(Object.keys(e.output), ['resourceType', 'meta']);
		assert.deepEqual(e.issues.map((i) => `${i.path}: ${i.problem}`), ['Patient: unknown element', 'Patient.contained: unknown R4 resource type']);
		assert.throws(() => strict().anonymize({ resourceType: 'Okafor4829301' }), (x: Error) => /unknown R4 resource type$/.test(x.message));
		assert.throws(() => strict().anonymize({ resourceType: 'Patient', okafor4829301: 1 }), (x: Error) => /^Patient: unknown element$/.test(x.message));
	});

	it('partial ZIP redaction cuts only digit codes; anything else is redacted whole', () => {
		const cfg = loadFhirConfig(JSON.stringify({ fhirPathRules: [{ path: "nodesByType('Address')", method: 'redact' }], parameters: { enablePartialZipCodesForRedact: true } })).config!;
		const zip = (v: string) => (new FhirAnonymizer(cfg, deps).anonymize({ resourceType: 'Patient', address: [{ postalCode: v }] }) as any).address?.[0]?.postalCode;
		assert.equal(zip('98052-1830'), '98000-0000');
		assert.equal(zip('Okafor4829301'), undefined);
		assert.equal(zip('K1A 0B1'), undefined);
	});
});
