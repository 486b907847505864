import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { deidentifyDocument, scanDocument, scanJson, splitLines, transformNdjson } from '../../server/src/engine';
import { dicts } from '../helpers/engine';

describe('scanJson', () => {
	it('returns string values, never keys, with their paths', () => {
		const r = scanJson('{"name":"Okafor","tags":["a","b"],"n":1.5e3,"ok":true,"x":null,"o":{"k":"v"}}');
		assert.ok(r.ok);
		assert.deepEqual(r.strings.map((s) => [s.value, s.key, s.path]), [
			['Okafor', 'name', ['name']],
			['a', 'tags', ['tags', 0]],
			['b', 'tags', ['tags', 1]],
			['v', 'k', ['o', 'k']],
		]);
	});

	it('maps decoded characters back through escapes', () => {
		const line = '{"t":"a\\"b\\n\\u00e9\\ud83d\\ude00z"}';
		const r = scanJson(line);
		assert.ok(r.ok);
		const s = r.strings[0];
		assert.equal(s.value, 'a"b\né😀z');
		// each decoded unit points at its own source escape
		assert.equal(line.slice(s.offsets[1], s.offsets[2]), '\\"');
		assert.equal(line.slice(s.offsets[3], s.offsets[4]), '\\n');
		assert.equal(line.slice(s.offsets[4], s.offsets[5]), '\\u00e9');
		assert.equal(line.slice(s.offsets[7], s.offsets[8]), 'z');
		assert.equal(line[s.offsets[8]], '"');
	});

	it('a string without escapes maps each character onto its own source offset; one with a raw control character is still refused', () => {
		const line = '{"k":"Dr. Okafor 😀","n":[1,"x"]}';
		const r = scanJson(line);
		assert.ok(r.ok);
		const [s, x] = r.strings;
		assert.equal(s.value, 'Dr. Okafor 😀');
		assert.deepEqual([...s.offsets], Array.from({ length: s.value.length + 1 }, (_, k) => line.indexOf('Dr.') + k));
		assert.equal(line[s.offsets[s.value.length]], '"');
		assert.deepEqual([x.value, line[x.offsets[0]], line[x.offsets[1]]], ['x', 'x', '"']);
		const bad = scanJson('{"k":"a\tb"}'); // a real tab inside the string
		assert.equal(bad.ok, false);
		if (!bad.ok) assert.match(bad.error.message, /control character/);
	});

	it('rejects malformed lines with a reason and no content', () => {
		for (const bad of ['{"a":', '{"a" 1}', '[1,]', '{"a":"x"} trailing', '{"a":"\\q"}', '', '{"a":"unterminated}']) {
			const r = scanJson(bad);
			assert.equal(r.ok, false, bad);
			if (!r.ok) assert.ok(!r.error.message.includes('unterminated}'));
		}
	});

	it('survives deep nesting without overflowing the stack', () => {
		const deep = '['.repeat(100000) + ']'.repeat(100000);
		const r = scanJson(deep);
		assert.equal(r.ok, false);
	});

	it('splitLines handles CRLF and a missing final newline', () => {
		assert.deepEqual(splitLines('a\r\nbc\nd'), [{ start: 0, text: 'a' }, { start: 3, text: 'bc' }, { start: 6, text: 'd' }]);
	});
});

describe('NDJSON documents', () => {
	const doc = [
		'{"resourceType":"Patient","name":[{"family":"Okafor","given":["Margaret"]}],"birthDate":"1949-07-02"}',
		'not json at all, call 617-555-0123',
		'{"note":"Seen by Dr. Whitfield \\u2014 \\"fine\\"\\nphone 617-555-0188"}',
	].join('\r\n');

	it('finds PHI in string values with exact source ranges; a malformed line is reported', () => {
		const r = scanDocument(doc, 'ndjson', dicts);
		const texts = r.findings.map((f) => doc.slice(f.start, f.end));
		assert.ok(texts.includes('Okafor'));
		assert.ok(texts.includes('Margaret'));
		assert.ok(texts.includes('1949-07-02'));
		assert.ok(texts.includes('Whitfield'));
		assert.ok(texts.includes('617-555-0188'));
		assert.ok(!texts.some((t) => t.includes('resourceType')));
		assert.equal(r.problems.length, 1);
		assert.equal(r.problems[0].line, 1);
	});

	it('de-identified NDJSON stays valid JSON, line for line, and the PHI is gone', () => {
		const r = deidentifyDocument(doc, 'ndjson', dicts, {}, { operation: 'redact', redactionFormat: '[{TYPE}]' });
		const lines = r.output.split('\r\n');
		assert.equal(lines.length, 3);
		JSON.parse(lines[0]);
		JSON.parse(lines[2]);
		for (const phi of ['Okafor', 'Margaret', '1949-07-02', 'Whitfield', '617-555-0188', '617-555-0123']) assert.ok(!r.output.includes(phi), phi);
		assert.match(lines[2], /\\"fine\\"/);
		assert.equal(r.problems.length, 1);
	});
});

describe('transformNdjson (findings decided elsewhere, as a review leaves them)', () => {
	const text = [
		JSON.stringify({ note: 'Seen by Dr. Whitfield on 3/14/2031. Call 617-555-0123.', who: { name: 'Mrs. Okafor' } }),
		'not json: Call 617-555-0188 about Mr. Lindqvist',
		'',
		JSON.stringify({ t: 'caf\u00e9 \u201cquoted\u201d Mr. Brennan\nnext line' }),
	].join('\n') + '\n';
	it('with the scan\'s own findings it writes what deidentifyDocument writes', () => {
		const t = { operation: 'redact' as const };
		const scanned = scanDocument(text, 'ndjson', dicts, {});
		assert.ok(scanned.findings.length >= 5);
		const r = transformNdjson(text, scanned.findings, t);
		assert.equal(r.output, deidentifyDocument(text, 'ndjson', dicts, {}, t).output);
		assert.equal(r.outside, 0);
	});
	it('a span inside a value is replaced, one on a key or JSON syntax is counted and left; lines stay JSON', () => {
		const inValue = text.indexOf('Call 617');
		const onKey = text.indexOf('"who"') + 1;
		const r = transformNdjson(text, [
			{ start: inValue, end: inValue + 4, type: 'IDNum', confidence: 1, detector: 'review' },
			{ start: onKey, end: onKey + 3, type: 'IDNum', confidence: 1, detector: 'review' },
		], { operation: 'redact' });
		assert.equal(r.outside, 1);
		const first = JSON.parse(r.output.split('\n')[0]) as { note: string; who: unknown };
		assert.ok(!first.note.includes('Call') && first.note.includes('617-555-0123'));
		assert.ok(first.who, 'the key is kept');
	});
});
