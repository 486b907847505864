// Commit subjects of at most 72 characters (from the commit that added the commit-msg hook on).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { root } from '../helpers/cli';

const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });

describe('commit messages', () => {
	const added = git('log', '--format=%H', '--diff-filter=A', '--', '.githooks/commit-msg');
	const first = added.status === 0 ? added.stdout.trim().split('\n').pop() : undefined;
	it('subjects are at most 72 characters', { skip: first ? false : 'not a git checkout with the hook' }, () => {
		const subjects = git('log', '--format=%s', `${first}^..HEAD`).stdout.split('\n').filter(Boolean);
		assert.ok(subjects.length >= 1);
		assert.deepEqual(subjects.filter((s) => s.length > 72), []);
	});
});
