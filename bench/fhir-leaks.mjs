// FHIR de-identification check on the Synthea bulk export (../shared/corpora/fhir-ndjson): runs
// `deid fhir` with the default configuration, then searches every output line — and every base64 attachment,
// decoded — for each Patient's name parts, address lines, cities, postal codes, phone numbers, identifier values
// and birth dates (from the input Patient resources). Prints counts only (never the values) and resources/s.
// Usage: node bench/fhir-leaks.mjs [input-folder] [--json out.json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const input = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--json') ?? join(root, '..', 'shared', 'corpora', 'fhir-ndjson', 'sample-bulk-fhir-datasets-10-patients-subset');
if (!existsSync(input)) {
	console.log(`fhir-leaks: ${input} not found; skipped`);
	process.exit(0);
}

export function patientValues(dir) {
	const values = []; // [kind, text]
	for (const f of readdirSync(dir).filter((f) => f.endsWith('.ndjson'))) {
		for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
			if (!line.includes('"Patient"')) continue;
			let r;
			try { r = JSON.parse(line); } catch { continue; }
			if (r.resourceType !== 'Patient') continue;
			for (const n of r.name ?? []) for (const p of [...(n.given ?? []), n.family]) if (p) values.push(['name', p]);
			for (const a of r.address ?? []) {
				for (const l of a.line ?? []) values.push(['address line', l]);
				if (a.city) values.push(['city', a.city]);
				if (a.postalCode && !/^0+$/.test(a.postalCode)) values.push(['postal code', a.postalCode]); // '00000' is what redaction itself writes
			}
			for (const t of r.telecom ?? []) if (t.value) values.push(['phone', t.value]);
			for (const id of r.identifier ?? []) if (id.value) values.push(['identifier', id.value]);
			if (r.birthDate) values.push(['birth date', r.birthDate]);
		}
	}
	return values;
}

function texts(line) {
	const out = [line];
	const walk = (v, parent) => {
		if (Array.isArray(v)) v.forEach((x) => walk(x, parent));
		else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) {
			if (k === 'data' && typeof x === 'string') out.push(Buffer.from(x, 'base64').toString('utf8'));
			walk(x, v);
		}
	};
	walk(JSON.parse(line));
	return out;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const out = mkdtempSync(join(tmpdir(), 'deid-fhir-'));
try {
	const keyFile = join(root, 'test', 'fixtures', 'test.key');
	const t0 = process.hrtime.bigint();
	const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'fhir', input, join(out, 'o'), '--key-file', keyFile], { encoding: 'utf8' });
	const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
	process.stdout.write(r.stdout);
	const values = patientValues(input);
	const patterns = values.map(([kind, v]) => [kind, new RegExp(`(?<![\\p{L}\\p{N}])${escape(v)}(?![\\p{L}\\p{N}])`, 'iu')]);
	let lines = 0, invalid = 0, attachments = 0;
	const leaks = {};
	const oDir = join(out, 'o');
	for (const f of readdirSync(oDir).filter((f) => f.endsWith('.ndjson'))) {
		for (const line of readFileSync(join(oDir, f), 'utf8').split('\n')) {
			if (!line) continue;
			lines++;
			let all;
			try { all = texts(line); } catch { invalid++; continue; }
			attachments += all.length - 1;
			for (const [kind, re] of patterns) if (all.some((t) => re.test(t))) leaks[kind] = (leaks[kind] ?? 0) + 1;
		}
	}
	const resources = Number((r.stdout.match(/Anonymized (\d+) resources/) ?? [])[1] ?? 0);
	const total = Object.values(leaks).reduce((a, b) => a + b, 0);
	const result = { resources, lines, invalidLines: invalid, attachmentsDecoded: attachments, patientValues: values.length, leaks: total, leaksByKind: leaks, seconds: +seconds.toFixed(2), resourcesPerSecond: Math.round(resources / seconds) };
	console.log(`FHIR check: ${lines} output lines (${invalid} invalid JSON), ${attachments} attachments decoded, ${values.length} Patient values searched → ${total} leaks ${JSON.stringify(leaks)}; ${result.resourcesPerSecond} resources/s end to end`);
	if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 2));
	process.exitCode = total || invalid ? 1 : 0;
} finally {
	rmSync(out, { recursive: true, force: true });
}
