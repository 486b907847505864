// Reliability of reported confidences: gold spans of the development corpora, and the expected calibration error
// of a scan's findings (a finding is a hit when at least half of its non-space characters lie in gold PHI).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Gold spans per file path. */
export function physionetGold(physionet) {
	const m = new Map();
	for (const line of readFileSync(join(physionet, 'gold.jsonl'), 'utf8').trim().split('\n')) {
		const g = JSON.parse(line);
		m.set(join(physionet, 'docs', `${g.patient}-${g.note}.txt`), g.spans.map(([s, e]) => [s, e]));
	}
	return m;
}
/** A file that starts with a byte-order mark: brat offsets count it as a character, deid's offsets do not. */
function startsWithBom(path) {
	try {
		return readFileSync(path).subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]));
	} catch {
		return false;
	}
}
/** A `deid scan --json` output with offsets moved to brat's convention (the shared brat scorer counts a BOM). */
export function bratAlignedScan(scanJsonl) {
	return scanJsonl
		.split('\n')
		.map((line) => {
			if (!line.trim()) return line;
			const r = JSON.parse(line);
			if (!startsWithBom(r.path)) return line;
			return JSON.stringify({ ...r, findings: r.findings.map((f) => ({ ...f, start: f.start + 1, end: f.end + 1 })) });
		})
		.join('\n');
}
/** Gold spans per .txt path, in deid's offsets (a leading byte-order mark not counted). */
export function bratGold(dir) {
	const m = new Map();
	for (const f of readdirSync(dir)) {
		if (!f.endsWith('.ann')) continue;
		const shift = startsWithBom(join(dir, f.replace(/\.ann$/, '.txt'))) ? 1 : 0;
		const spans = [];
		for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
			const [id, info] = line.split('\t');
			if (!id?.startsWith('T') || !info || info.startsWith('SEXO_SUJETO_ASISTENCIA')) continue;
			for (const part of info.slice(info.indexOf(' ') + 1).split(';')) {
				const [s, e] = part.split(' ').map(Number);
				spans.push([s - shift, e - shift]);
			}
		}
		m.set(join(dir, f.replace(/\.ann$/, '.txt')), spans);
	}
	return m;
}
/** [raw score, hit] per reported finding. */
export function points(results, gold) {
	const pts = [];
	for (const r of results) {
		const spans = gold.get(r.path) ?? gold.get(resolve(r.path));
		if (!spans) continue;
		const text = readFileSync(r.path, 'utf8').replace(/^\uFEFF/, '');
		for (const f of r.findings) {
			let n = 0;
			let inGold = 0;
			for (let i = f.start; i < f.end; i++) {
				if (/\s/.test(text[i])) continue;
				n++;
				if (spans.some(([s, e]) => s <= i && i < e)) inGold++;
			}
			pts.push([f.confidence, inGold * 2 >= Math.max(1, n) ? 1 : 0]);
		}
	}
	return pts;
}
export function ece(pts, map) {
	const bins = new Map();
	for (const [c, h] of pts) {
		const y = map(c);
		const b = Math.min(9, Math.floor(y * 10));
		const x = bins.get(b) ?? [0, 0, 0];
		x[0]++;
		x[1] += h;
		x[2] += y;
		bins.set(b, x);
	}
	let e = 0;
	const rows = [];
	for (const [b, [n, h, c]] of [...bins].sort((a, z) => a[0] - z[0])) {
		e += Math.abs(c / n - h / n) * n;
		rows.push(`    ${(b / 10).toFixed(1)}–${((b + 1) / 10).toFixed(1)}: ${String(n).padStart(5)} findings, mean confidence ${(c / n).toFixed(3)}, precision ${(h / n).toFixed(3)}`);
	}
	return { ece: e / pts.length, rows };
}

/**
 * What each detector contributes to a scan: its findings, their non-space characters, how many of those lie in
 * gold PHI, and the share of all gold characters they cover (the merged findings never overlap, so the shares add
 * up to the recall).
 */
export function byDetector(results, gold) {
	const rows = new Map();
	let goldChars = 0;
	for (const r of results) {
		const spans = gold.get(r.path) ?? gold.get(resolve(r.path));
		if (!spans) continue;
		const text = readFileSync(r.path, 'utf8').replace(/^\uFEFF/, '');
		const inGold = new Uint8Array(text.length);
		for (const [s, e] of spans) for (let i = s; i < e && i < text.length; i++) inGold[i] = 1;
		for (let i = 0; i < text.length; i++) if (inGold[i] && !/\s/.test(text[i])) goldChars++;
		for (const f of r.findings) {
			const row = rows.get(f.detector) ?? { findings: 0, chars: 0, goldChars: 0 };
			row.findings++;
			for (let i = f.start; i < f.end; i++) {
				if (/\s/.test(text[i])) continue;
				row.chars++;
				row.goldChars += inGold[i];
			}
			rows.set(f.detector, row);
		}
	}
	return [...rows].sort((a, b) => b[1].goldChars - a[1].goldChars || b[1].chars - a[1].chars).map(([detector, r]) => ({
		detector,
		...r,
		precision: r.chars ? r.goldChars / r.chars : 0,
		recallShare: goldChars ? r.goldChars / goldChars : 0,
	}));
}
