import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
	applyReview, decide, emptyReview, folderKey, folderKeysOf, parseReview, pathKey, resolveDecisions, scopedRejects, serializeReview, type Finding, type ReviewDecision, type ReviewDigest, type ReviewDocument, type ReviewFileEntry,
} from '../../server/src/engine';

/** A keyed digest that counts its calls (work, not time). */
function counting(): ReviewDigest & { calls: number } {
	const f = ((s: string) => {
		f.calls++;
		return createHmac('sha256', 'test-key').update(s).digest('hex').slice(0, 32);
	}) as ReviewDigest & { calls: number };
	f.calls = 0;
	return f;
}

/** Findings of every occurrence of the given values (a stand-in for the detector). */
function findingsOf(text: string, values: Record<string, Finding['type']>): Finding[] {
	const out: Finding[] = [];
	for (const [v, type] of Object.entries(values)) {
		for (let i = text.indexOf(v); i >= 0; i = text.indexOf(v, i + 1)) out.push({ start: i, end: i + v.length, type, confidence: 0.9, detector: 'test' });
	}
	return out.sort((a, b) => a.start - b.start);
}

const VALUES = { Whitfield: 'Doctor', '617-555-0123': 'Phone', Okafor: 'Patient' } as const;
const NOTE = 'Clinic note, ward four.\nSeen by Dr. Whitfield today.\nCall 617-555-0123 about Mrs. Okafor.\nPlan: rest; kestrel ward.\n';

function decided(text: string, digest: ReviewDigest): ReviewFileEntry {
	const fs = findingsOf(text, VALUES);
	let e = decide(text, fs, undefined, fs.find((f) => f.type === 'Phone')!, 'reject', digest);
	e = decide(text, fs, e, fs.find((f) => f.type === 'Doctor')!, 'changeType', digest, { type: 'Patient' });
	const k = text.indexOf('kestrel');
	e = decide(text, fs, e, { start: k, end: k + 7 }, 'add', digest, { type: 'Hospital' });
	return e;
}

function effective(text: string, entry: ReviewFileEntry, digest: ReviewDigest, rejected = new Map()) {
	const a = applyReview(text, findingsOf(text, VALUES), entry, rejected, digest);
	return { a, got: a.effective.map((f) => [text.slice(f.start, f.end), f.type, f.detector]) };
}

describe('review decisions (engine)', () => {
	it('reject drops, changeType retypes, add adds; the others stay pending', () => {
		const d = counting();
		const { a, got } = effective(NOTE, decided(NOTE, d), d);
		assert.deepEqual(got, [
			['Whitfield', 'Patient', 'test'],
			['Okafor', 'Patient', 'test'],
			['kestrel', 'Hospital', 'review'],
		]);
		assert.equal(a.pending, 1);
		assert.equal(a.reviewed, false);
		assert.equal(a.unlocated, 0);
	});

	for (const [name, edit] of [
		['an insertion before', (t: string) => 'New first line.\nAnd another one, longer.\n' + t],
		['a deletion before', (t: string) => t.replace('Clinic note, ward four.\n', '')],
		['an insertion after', (t: string) => t + 'Addendum: nothing else.\n'],
		['a deletion after', (t: string) => t.replace('Plan: rest; kestrel ward.\n', 'Plan: rest; kestrel ward.')],
		// each value's neighbourhood changes: words typed next to Whitfield, the phone and kestrel
		['an edit on their own line right beside the value', (t: string) => t.replace('Seen by Dr. Whitfield today.', 'Seen again by Dr. Whitfield this morning.').replace('Call 617-555-0123 about', 'Phone 617-555-0123 re').replace('rest; kestrel ward.', 'rest at home; kestrel ward, bed 4.')],
	] as const) {
		it(`decisions survive ${name}`, () => {
			const d = counting();
			const entry = decided(NOTE, d);
			const text = edit(NOTE);
			const { a, got } = effective(text, entry, d);
			assert.equal(a.unlocated, 0, name);
			assert.deepEqual(got, [
				['Whitfield', 'Patient', 'test'],
				['Okafor', 'Patient', 'test'],
				['kestrel', 'Hospital', 'review'],
			]);
		});
	}

	it('among repeats of a value, an edited neighbourhood moves the decision to the nearest occurrence no other decision holds', () => {
		const d = counting();
		const text = 'Okafor seen.\nMrs. Okafor called.\nOkafor again.\n';
		const fs = findingsOf(text, { Okafor: 'Patient' });
		let e = decide(text, fs, undefined, fs[1], 'reject', d);
		e = decide(text, fs, e, fs[2], 'changeType', d, { type: 'Doctor' });
		// both decided lines are edited beside the value
		const moved = text.replace('Mrs. Okafor called.', 'Mrs. Okafor has called.').replace('Okafor again.', 'Okafor, again today.');
		const a = applyReview(moved, findingsOf(moved, { Okafor: 'Patient' }), e, new Map(), d);
		assert.equal(a.unlocated, 0);
		const at = (k: number) => moved.split('Okafor', k + 1).join('Okafor').length;
		assert.deepEqual(a.effective.map((f) => [f.start, f.type]), [[at(0), 'Patient'], [at(2), 'Doctor']]);
	});

	it('a decision whose value was edited is not located (and not applied elsewhere)', () => {
		const d = counting();
		const entry = decided(NOTE, d);
		const text = NOTE.replace('617-555-0123', '617-555-0199');
		const { a } = effective(text, entry, d);
		assert.equal(a.unlocated, 1);
		assert.equal(a.located.length, 2);
	});

	it('an added span moves with its text among repeats: the nearest match', () => {
		const d = counting();
		const text = 'ward kestrel one.\nward kestrel two.\n';
		const k = text.indexOf('kestrel', 10);
		const entry = decide(text, [], undefined, { start: k, end: k + 7 }, 'add', d, { type: 'Hospital' });
		const moved = 'x\n' + text;
		const a = applyReview(moved, [], entry, new Map(), d);
		assert.deepEqual(a.effective.map((f) => f.start), [moved.indexOf('kestrel two') ]);
	});

	it('folder and workspace rejects hold by value in the files of their scope only', () => {
		const d = counting();
		const doc: ReviewDocument = emptyReview('00112233aabbccdd');
		const fs = findingsOf(NOTE, VALUES);
		const okafor = fs.find((f) => f.type === 'Patient')!;
		doc.files[pathKey(d, 'notes/a.txt')] = decide(NOTE, fs, undefined, okafor, 'reject', d, { scope: 'folder', folder: folderKey(d, 'notes') });
		const other = 'Mrs. Okafor called.\n';
		const inFolder = scopedRejects(doc, folderKeysOf(d, 'notes/deep/b.txt'));
		const outside = scopedRejects(doc, folderKeysOf(d, 'other/c.txt'));
		assert.deepEqual(applyReview(other, findingsOf(other, VALUES), undefined, inFolder, d).items.map((i) => [i.decision, i.scope]), [['reject', 'folder']]);
		assert.equal(applyReview(other, findingsOf(other, VALUES), undefined, inFolder, d).reviewed, true);
		assert.deepEqual(applyReview(other, findingsOf(other, VALUES), undefined, outside, d).effective.length, 1);
		doc.files[pathKey(d, 'x.txt')] = decide(NOTE, fs, undefined, okafor, 'reject', d, { scope: 'workspace' });
		assert.equal(scopedRejects(doc, folderKeysOf(d, 'other/c.txt')).get(doc.files[pathKey(d, 'x.txt')].decisions[0].value), 'workspace');
	});

	it('the serialized file holds no planted value, path or neighbourhood; it parses back', () => {
		const d = counting();
		const planted = ['Whitfield', '617-555-0123', 'Okafor', 'kestrel', 'Seen by', 'notes/a.txt', 'a.txt'];
		const doc = emptyReview('00112233aabbccdd');
		doc.files[pathKey(d, 'notes/a.txt')] = { ...decided(NOTE, d), reviewed: true };
		const json = serializeReview(doc);
		for (const p of planted) assert.ok(!json.includes(p), `no "${p}" in the review file`);
		const back = parseReview(json);
		assert.deepEqual(back.doc, parseReview(serializeReview(back.doc!)).doc);
		assert.equal(Object.values(back.doc!.files)[0].decisions.length, 3);
	});

	it('a corrupt, foreign or newer file is refused with a reason and no content', () => {
		assert.match(parseReview('{"format":"deid-review",').error!, /not valid JSON/);
		assert.match(parseReview('{"hello":"Okafor"}').error!, /not a vscode-deid review file/);
		assert.match(parseReview('{"format":"deid-review","version":9,"keyFingerprint":"00","files":{}}').error!, /version 9/);
		const bad = parseReview('{"format":"deid-review","version":1,"keyFingerprint":"00112233aabbccdd","files":{"00112233aabbccdd":{"decisions":[{"kind":"explode","start":1,"end":2,"value":"00112233","context":"00112233"}]}}}');
		assert.deepEqual(bad.doc!.files['00112233aabbccdd'].decisions, []);
	});

	it('relocation costs grow linearly on adversarial input (one value repeated, every decision moved)', () => {
		const work = (n: number) => {
			const d = counting();
			const line = 'Mrs. Okafor and Mrs. Okafor again.\n';
			const text = line.repeat(n);
			const fs = findingsOf(text, VALUES);
			// a decision on every finding, and one added span per line
			const decisions: ReviewDecision[] = fs.map((f) => ({ ...anchor(text, f.start, f.end, d), kind: 'reject' }));
			for (let i = 0; i < n; i++) decisions.push({ ...anchor(text, i * line.length + 5, i * line.length + 11, d), kind: 'add', type: 'Patient' });
			const entry: ReviewFileEntry = { decisions };
			const moved = 'A new first line.\n' + text;
			d.calls = 0;
			const r = resolveDecisions(moved, findingsOf(moved, VALUES), entry.decisions, d);
			assert.equal(r.unlocated.length, 0);
			return r.steps + d.calls;
		};
		const small = work(200);
		const big = work(1600);
		// 8x the input: a quadratic relocation would cost 64x
		assert.ok(big / small < 8 * 1.6, `work ratio ${big / small}`);
	});

	it('relocation by value alone stays linear too (every line edited beside its values)', () => {
		const work = (n: number) => {
			const d = counting();
			const line = 'Mrs. Okafor and Mrs. Okafor again.\n';
			const text = line.repeat(n);
			const fs = findingsOf(text, VALUES);
			const decisions: ReviewDecision[] = fs.map((f) => ({ ...anchor(text, f.start, f.end, d), kind: 'reject' }));
			for (let i = 0; i < n; i++) decisions.push({ ...anchor(text, i * line.length + 5, i * line.length + 11, d), kind: 'add', type: 'Patient' });
			const moved = text.replaceAll('Mrs. Okafor and', 'Mrs. Okafor, also');
			d.calls = 0;
			const r = resolveDecisions(moved, findingsOf(moved, VALUES), decisions, d);
			return r.steps + d.calls;
		};
		const small = work(200);
		const big = work(1600);
		assert.ok(big / small < 8 * 1.6, `work ratio ${big / small}`);
	});
});

function anchor(text: string, start: number, end: number, d: ReviewDigest) {
	return decide(text, [{ start, end, type: 'Patient', confidence: 1, detector: 't' }], undefined, { start, end }, 'accept', d).decisions[0];
}
