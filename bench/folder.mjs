// npm run bench:folder [-- --size 200m|1g] — generates a seeded synthetic tree of clinical notes and NDJSON
// (files from 1 KB to 20 MB, fake PHI from the census name lists), de-identifies it with the CLI and reports
// MB/s, files/s and peak RSS; then times `deid scan` over the same tree in characters per second.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from './random.mjs';

const root = join(import.meta.dirname, '..');
const arg = (name, def) => {
	const i = process.argv.indexOf(name);
	return i > 0 ? process.argv[i + 1] : def;
};
const sizeText = arg('--size', '200m');
const target = Number(sizeText.replace(/[kmg]$/i, '')) * { k: 1024, m: 1 << 20, g: 1 << 30 }[sizeText.slice(-1).toLowerCase()];
const seed = Number(arg('--seed', '7'));
const base = join(root, '.bench', `folder-${sizeText}-${seed}`);
const input = join(base, 'in');
const output = join(base, 'out');
const cli = join(root, 'dist', 'cli.js');

function generate() {
	const rnd = mulberry32(seed);
	const dicts = JSON.parse(readFileSync(join(root, 'dist', 'dictionaries.json'), 'utf8'));
	const pick = (list, top = list.length) => list[Math.floor(rnd() * Math.min(top, list.length))];
	const first = () => pick(rnd() < 0.5 ? dicts.firstMale : dicts.firstFemale, 800);
	const last = () => pick(dicts.last, 5000);
	const date = () => `${1 + Math.floor(rnd() * 12)}/${1 + Math.floor(rnd() * 28)}/20${10 + Math.floor(rnd() * 20)}`;
	const phone = () => `${200 + Math.floor(rnd() * 700)}-555-${String(Math.floor(rnd() * 10000)).padStart(4, '0')}`;
	// Like real nursing notes, most sentences carry no PHI (about one in four here; real notes are sparser).
	const clinical = [
		'Neuro: alert and oriented x3, MAE, follows commands, PERRL.',
		'CV: NSR 70s-80s, BP 110s/60s, no ectopy, peripheral pulses palpable.',
		'Resp: 2L NC, sats 96%, lungs clear bilaterally, strong nonproductive cough.',
		'GI/GU: tolerating diet, Foley draining clear yellow urine, Lasix 40 mg IV given with good effect.',
		'Skin: intact, turned q2h, heels elevated; no pressure areas noted.',
		'ID: afebrile, WBC 9.2, continues on vancomycin and zosyn per ID recommendations.',
		'Pain: denies pain at rest, morphine 2 mg IV x1 for repositioning with relief.',
		'Plan: continue current regimen, wean oxygen as tolerated, PT/OT evaluation tomorrow.',
	];
	const para = () => {
		const t = [
			...clinical,
			`Nursing progress note ${date()} 0700-1900. Mrs. ${last()} resting comfortably, seen by Dr. ${last()}.`,
			`Social: daughter ${first()} ${last()} called from ${phone()}; husband ${first()} in to visit.`,
			`MRN: ${Math.floor(1e6 + rnd() * 9e6)}. Follow up with ${first()} ${last()}, RN.`,
			`PMH: CABG ${1980 + Math.floor(rnd() * 40)}, MI '9${Math.floor(rnd() * 10)}, transferred from ${last()} Hospital on ${date()}.`,
		];
		const n = 2 + Math.floor(rnd() * 4);
		let s = '';
		for (let i = 0; i < n; i++) s += t[Math.floor(rnd() * t.length)] + ' ';
		return s.trim() + '\n\n';
	};
	rmSync(base, { recursive: true, force: true });
	let total = 0;
	let files = 0;
	while (total < target) {
		const size = Math.min(Math.round(Math.exp(Math.log(1024) + rnd() * (Math.log(20 << 20) - Math.log(1024)))), target - total + 1024);
		const dir = join(input, `patient-${String(Math.floor(rnd() * 200)).padStart(3, '0')}`);
		mkdirSync(dir, { recursive: true });
		const ndjson = rnd() < 0.2;
		const parts = [];
		let len = 0;
		while (len < size) {
			const p = ndjson ? JSON.stringify({ resourceType: 'Observation', id: `o${files}-${parts.length}`, note: [{ text: para() }] }) + '\n' : para();
			parts.push(p);
			len += p.length;
		}
		writeFileSync(join(dir, `doc-${files}.${ndjson ? 'ndjson' : 'txt'}`), parts.join(''));
		total += len;
		files++;
	}
	writeFileSync(join(base, 'done'), String(total));
	return { total, files };
}

function measure(args) {
	return new Promise((resolve) => {
		const t0 = process.hrtime.bigint();
		const p = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
		let peak = 0;
		let out = '';
		// only the tail is kept (the job's summary): a scan of 1 GB prints far more than a string may hold
		p.stdout.on('data', (d) => (out = (out + d).slice(-4000)));
		const timer = setInterval(() => {
			try {
				const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
				if (m) peak = Math.max(peak, Number(m[1]));
			} catch {
				// exited
			}
		}, 100);
		p.on('exit', (code) => {
			clearInterval(timer);
			resolve({ code, secs: Number(process.hrtime.bigint() - t0) / 1e9, peakMb: peak / 1024, out });
		});
	});
}

if (!existsSync(join(base, 'done'))) {
	console.log(`generating ${sizeText} of synthetic notes (seed ${seed}) in ${input} …`);
	generate();
}
const count = (d) => readdirSync(d, { recursive: true }).filter((f) => statSync(join(d, f)).isFile()).length;
const files = count(input);
const bytes = Number(readFileSync(join(base, 'done'), 'utf8'));
rmSync(output, { recursive: true, force: true });
const job = await measure(['deidentify', input, output, '--operation', 'surrogate']);
const mb = bytes / 1048576;
console.log(`deidentify: ${files} files, ${mb.toFixed(0)} MB in ${job.secs.toFixed(1)} s = ${(mb / job.secs).toFixed(2)} MB/s, ${(files / job.secs).toFixed(1)} files/s, peak RSS ${job.peakMb.toFixed(0)} MB (exit ${job.code})`);
const scan = await measure(['scan', '--json', input]);
console.log(`scan: ${(bytes / scan.secs / 1e6).toFixed(2)} M chars/s (${(bytes / scan.secs / 5000).toFixed(0)}× deid.pl's ~5,000 chars/s), peak RSS ${scan.peakMb.toFixed(0)} MB`);
writeFileSync(join(root, '.bench', `folder-${sizeText}.json`), JSON.stringify({ size: sizeText, seed, files, bytes, deidentify: job, scan }, null, 2));
