// `deid fhir` through the real CLI: single resources, bulk NDJSON, folders, configurations, scrubText.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { root, runCli } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'deid-fhir-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const KEY = join(root, 'test', 'fixtures', 'test.key');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const patient = {
	resourceType: 'Patient',
	id: 'pat-1',
	name: [{ use: 'official', family: 'Quillfeather', given: ['Marisol'] }],
	birthDate: '1961-04-12',
	address: [{ line: ['77 Larkspur Lane'], city: 'Wichita', state: 'KS', postalCode: '67216' }],
	telecom: [{ system: 'phone', value: '316-555-0143' }],
	identifier: [{ type: { coding: [{ code: 'MR' }] }, value: 'MRN-448812' }],
	text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Marisol <b>Quillfeather</b> &amp; family, seen 04/12/2019.</p></div>' },
};
const note = 'Marisol Quillfeather (MRN-448812) was seen on 2019-04-12 at her home in Wichita. Call 316-555-0143.';
const docRef = {
	resourceType: 'DocumentReference',
	id: 'doc-1',
	status: 'current',
	subject: { reference: 'Patient/pat-1' },
	date: '2019-04-12T10:00:00Z',
	content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: b64(note), size: Buffer.byteLength(note), hash: 'AAAA' } }],
};

describe('deid fhir', () => {
	const bulk = join(dir, 'in', 'export');
	mkdirSync(bulk, { recursive: true });
	writeFileSync(join(bulk, 'Patient.ndjson'), JSON.stringify(patient) + '\n');
	writeFileSync(join(bulk, 'DocumentReference.ndjson'), [JSON.stringify(docRef), '{not json', JSON.stringify({ ...docRef, id: 'doc-2' }), ''].join('\n'));
	mkdirSync(join(bulk, 'nested'), { recursive: true });
	writeFileSync(join(bulk, 'nested', 'one.json'), JSON.stringify(patient));

	it('bulk NDJSON folder: mirrored, one line in one line out, order kept, no known PHI left, errors by file and line', () => {
		const out = join(dir, 'out1');
		const r = runCli(['fhir', bulk, out, '--key-file', KEY]);
		assert.equal(r.code, 1, 'a malformed line makes the run exit 1');
		assert.match(r.stdout, /DocumentReference\.ndjson:2: /);
		assert.doesNotMatch(r.stdout + r.stderr, /Quillfeather|Marisol|not json/);
		const lines = readFileSync(join(out, 'DocumentReference.ndjson'), 'utf8').trimEnd().split('\n');
		assert.equal(lines.length, 2);
		const docs = lines.map((l) => JSON.parse(l));
		assert.notEqual(docs[0].id, docs[1].id);
		const text = Buffer.from(docs[0].content[0].attachment.data, 'base64').toString('utf8');
		for (const phi of ['Marisol', 'Quillfeather', 'MRN-448812', 'Wichita', '316-555-0143', '2019-04-12']) assert.ok(!text.includes(phi), `attachment still holds ${phi}`);
		assert.match(text, /\[PATIENT\]/);
		assert.equal(docs[0].content[0].attachment.size, Buffer.byteLength(text), 'size follows the new bytes');
		assert.equal(docs[0].content[0].attachment.hash, undefined, 'the hash of the original bytes is removed');
		// The date in text shifts by the same offset as the structured date of the resource.
		const shifted = docs[0].date.slice(0, 10);
		assert.ok(text.includes(shifted), 'text date shifted like DocumentReference.date');
		const pat = JSON.parse(readFileSync(join(out, 'Patient.ndjson'), 'utf8'));
		assert.deepEqual(pat.name, [{ use: 'official' }], 'HumanName.use is kept, the rest redacted');
		assert.equal(pat.address[0].postalCode, '67200');
		assert.equal(pat.address[0].state, 'KS');
		assert.match(pat.id, /^[0-9a-f]{64}$/);
		assert.ok(!pat.text.div.includes('Quillfeather'));
		assert.match(pat.text.div, /^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml"><p>.*<b>.*<\/b> &amp; family, seen .*<\/p><\/div>$/);
		assert.ok(existsSync(join(out, 'nested', 'one.json')));
		assert.match(readFileSync(join(out, 'nested', 'one.json'), 'utf8'), /^\{\n {2}"resourceType": "Patient",\n/, 'a .json input is written pretty');
	});

	it('the folder job (deid deidentify --fhir-config) sends FHIR lines through the configuration and scrubs the rest', () => {
		const out = join(dir, 'folderjob');
		const r = runCli(['deidentify', bulk, out, '--fhir-config', 'default', '--key-file', KEY, '--workers', '0']);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		const lines = readFileSync(join(out, 'DocumentReference.ndjson'), 'utf8').split('\n');
		assert.equal(lines.length, 4, 'one line in, one line out (the malformed line included)');
		const doc = JSON.parse(lines[0]);
		assert.match(doc.id, /^[0-9a-f]{64}$/);
		assert.ok(doc.meta.security.length > 0);
		assert.ok(!Buffer.from(doc.content[0].attachment.data, 'base64').toString('utf8').includes('Wichita'));
		const pretty = readFileSync(join(out, 'nested', 'one.json'), 'utf8');
		assert.match(pretty, /^\{\n {2}"resourceType": "Patient"/);
		assert.ok(!pretty.includes('Quillfeather'));
		const manifest = JSON.parse(readFileSync(join(out, 'deid-manifest.json'), 'utf8'));
		const again = runCli(['deidentify', bulk, out, '--fhir-config', 'default', '--key-file', KEY, '--workers', '0']);
		assert.match(again.stdout, /skipped/, 'a rerun with the same configuration skips unchanged files');
		assert.ok(manifest.detectHash);
	});

	it('the same key gives the same output; --skip-existing leaves existing outputs alone', () => {
		const a = join(dir, 'outA');
		const b = join(dir, 'outB');
		runCli(['fhir', bulk, a, '--key-file', KEY]);
		runCli(['fhir', bulk, b, '--key-file', KEY]);
		assert.equal(readFileSync(join(a, 'Patient.ndjson'), 'utf8'), readFileSync(join(b, 'Patient.ndjson'), 'utf8'));
		writeFileSync(join(b, 'Patient.ndjson'), 'sentinel\n');
		const r = runCli(['fhir', bulk, b, '--key-file', KEY, '--skip-existing']);
		assert.match(r.stdout, /skipped/);
		assert.equal(readFileSync(join(b, 'Patient.ndjson'), 'utf8'), 'sentinel\n');
	});

	it('a Microsoft configuration file is applied as is; an invalid one is rejected with the reason and the rule', () => {
		const cfg = join(dir, 'cfg.json');
		writeFileSync(cfg, '\uFEFF{ // comment\n "fhirVersion": "R4", "fhirPathRules": [ {"path": "nodesByType(\'HumanName\')", "method": "redact"}, ], "parameters": {"cryptoHashKey": "123"} }');
		const single = join(dir, 'in', 'p.json');
		writeFileSync(single, JSON.stringify(patient));
		const out = join(dir, 'p-out.json');
		const r = runCli(['fhir', single, out, '--config', cfg]);
		assert.equal(r.code, 0, r.stderr);
		const o = JSON.parse(readFileSync(out, 'utf8'));
		assert.equal(o.name, undefined, 'HumanName redacted (use included)');
		assert.equal(o.birthDate, '1961-04-12', 'only the configured rules run');
		assert.deepEqual(o.meta.security.map((s: { code: string }) => s.code), ['REDACTED']);
		const bad = join(dir, 'bad.json');
		writeFileSync(bad, JSON.stringify({ fhirPathRules: [{ path: 'Patient.name', method: 'perturb' }] }));
		const e = runCli(['fhir', single, join(dir, 'x.json'), '--config', bad]);
		assert.equal(e.code, 2);
		assert.match(e.stderr, /fhirPathRules\[0\]: perturb needs a numeric 'span'/);
		assert.ok(!existsSync(join(dir, 'x.json')));
	});

	it('the Microsoft sample configuration runs the whole Synthea export without errors', { skip: existsSync(join(root, '..', 'shared', 'conformance')) ? false : '../shared not found' }, () => {
		const r = runCli(['fhir', join(root, '..', 'shared', 'corpora', 'fhir-ndjson', 'sample-bulk-fhir-datasets-10-patients-subset'), join(dir, 'ms'), '--config', join(root, '..', 'shared', 'conformance', 'fhir-anonymizer', 'samples', 'r4-configuration-sample.json')]);
		assert.match(r.stdout, /Anonymized 2396 resources/);
		assert.match(r.stdout, /^ {2}log\.ndjson:1: /m, 'only the export log (not FHIR) fails');
		assert.doesNotMatch(r.stdout, /^ {2}(?!log\.ndjson)/m);
	});

	it('the default configuration leaves no Patient value in the Synthea export (bench/fhir-leaks.mjs)', { skip: existsSync(join(root, '..', 'shared', 'corpora', 'fhir-ndjson')) ? false : '../shared not found' }, () => {
		const r = spawnSync(process.execPath, [join(root, 'bench', 'fhir-leaks.mjs')], { encoding: 'utf8', cwd: root });
		assert.match(r.stdout, /\(0 invalid JSON\), 417 attachments decoded, \d+ Patient values searched → 0 leaks/);
		assert.equal(r.status, 0);
	});
});
