import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { collectFiles, PARALLEL_MIN_BYTES, scanWorkers } from '../../server/src/cli/scan';
import { spawnSync } from 'node:child_process';
import { CLI, root } from '../helpers/cli';

/** The CLI with the worker threshold lowered, so a test-sized folder goes to workers as a big one would. */
function runCli(args: string[]): { code: number; stdout: string; stderr: string } {
	const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: root, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, DEID_SCAN_PARALLEL_MIN_BYTES: String(MIN_BYTES) } });
	return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const MIN_BYTES = 64 << 10;

let dir: string;
let folder: string;

// Notes with names, dates, phone numbers and record numbers, in nested folders, with some bad input among them.
before(() => {
	dir = mkdtempSync(join(tmpdir(), 'deid-scan-parallel-'));
	folder = join(dir, 'notes');
	const parts = [
		'Seen by Dr. Alan Brooks on 3/4/2019 at Mercy Hospital; daughter called from 617-555-0123.',
		'Mrs. Helen Carter (MRN 4821390) was transferred from Boston on 12 May 2018.',
		'PMH: MI 2009, CABG 1998. Foley draining clear urine. Lives at 12 Elm Street, Springfield, MA 01103.',
		'Plan: follow up with Dr. Maria Lopez in 2 weeks; email hcarter@example.org.',
		'No acute distress. Lungs clear. Abdomen soft, nontender.',
	];
	let total = 0;
	for (let i = 0; total < MIN_BYTES * 3; i++) {
		const sub = join(folder, `ward-${i % 7}`, `day-${i % 3}`);
		mkdirSync(sub, { recursive: true });
		let text = '';
		for (let k = 0; k < 5 + (i % 40); k++) text += parts[(i + k) % parts.length] + (k % 4 === 3 ? '\n\n' : '\n');
		// a few files whose names hold PHI (reported with line 0)
		writeFileSync(join(sub, i % 50 === 0 ? `Carter_2019-03-04_${i}.txt` : `note-${String(i).padStart(4, '0')}.txt`), text);
		total += text.length;
	}
	writeFileSync(join(folder, 'ward-1', 'binary.txt'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 7]));
	writeFileSync(join(folder, 'ward-2', 'empty.txt'), '');
	writeFileSync(join(folder, 'ward-3', 'records.ndjson'), JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Carter', given: ['Helen'] }], birthDate: '1950-02-03' }) + '\n');
	symlinkSync(join(dir, 'nowhere.txt'), join(folder, 'ward-4', 'broken.txt'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('deid scan on worker threads', () => {
	it('the test folder goes to workers (threshold lowered), --jobs 1, one file or a small input does not', () => {
		const files = collectFiles([folder], () => undefined);
		assert.ok(files.length > 50);
		assert.equal(scanWorkers(2, files, MIN_BYTES), 2);
		assert.equal(scanWorkers(4, files, MIN_BYTES), 4);
		assert.equal(scanWorkers(1, files, MIN_BYTES), 0);
		assert.equal(scanWorkers(4, files.slice(0, 1), MIN_BYTES), 0);
		assert.equal(scanWorkers(4, [{ size: PARALLEL_MIN_BYTES - 1 }, { size: 0 }]), 0);
		assert.equal(scanWorkers(4, [{ size: PARALLEL_MIN_BYTES }, { size: 0 }]), 2);
	});

	for (const json of [false, true]) {
		it(`prints the same bytes, messages and exit code on 1, 2 and 3 threads and by default${json ? ' (--json)' : ''}`, () => {
			const args = (jobs: string[]) => ['scan', ...(json ? ['--json'] : []), ...jobs, folder];
			const one = runCli(args(['--jobs', '1']));
			assert.ok(one.stdout.length > 10000, 'few findings: the folder does not exercise the scan');
			// the bad input is reported as before: exit 2 and a message per file
			assert.equal(one.code, 2, one.stderr);
			assert.match(one.stderr, /binary\.txt: skipped: binary file/);
			assert.match(one.stderr, /broken\.txt: symbolic link not followed/);
			for (const jobs of [['--jobs', '2'], ['--jobs', '3'], []]) {
				const r = runCli(args(jobs));
				assert.equal(r.code, one.code, jobs.join(' '));
				assert.equal(r.stderr, one.stderr, jobs.join(' '));
				assert.ok(r.stdout === one.stdout, `stdout differs with ${jobs.join(' ') || 'the default'}`);
			}
		});
	}

	it('keeps the order of the files (sorted, folder by folder)', () => {
		const r = runCli(['scan', '--json', '--jobs', '3', folder]);
		const paths = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { path: string }).path);
		const expected = collectFiles([folder], () => undefined).map((f) => f.path).filter((p) => !/binary\.txt$/.test(p));
		assert.deepEqual(paths, expected);
	});

	it('refuses a --jobs that is not a whole number from 1 to 64', () => {
		for (const bad of ['0', '-1', '1.5', 'x', '65']) {
			const r = runCli(['scan', '--jobs', bad, folder]);
			assert.equal(r.code, 2);
			assert.match(r.stderr, /--jobs must be a whole number from 1 to 64/);
		}
	});
});
