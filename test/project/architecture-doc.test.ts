// docs/ARCHITECTURE.md stays true of the code: every path it names exists, every backticked name occurs in the
// sources, every `npm run` script and `deid` subcommand is real. A rename that leaves the map behind fails here.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { root } from '../helpers/cli';

const DOC = join(root, 'docs', 'ARCHITECTURE.md');
/** Folders not walked: dependencies, build outputs, tool caches. */
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', '.e2e-tools', '.bench', '.dbg', 'fixtures']);
/** Build outputs: a path under one of these is checked against the build scripts that write it. */
const GENERATED = /^(dist|out|\.bench)(\/|$)/;
/** Outside the repository: the corpora and scorers checkout. Absent on most machines, so named, not checked. */
const EXTERNAL = new Set(['../shared']);
const FILE_EXT = /\.(ts|mts|mjs|js|json|md|ndjson|tap|sh|pack)$/;
const CODE_EXT = /\.(ts|mts|mjs|js|sh)$/;
/** A placeholder the reader fills in: `<name>`, `phi.<Type>`, `register<Name>`. */
const PLACEHOLDER = /[\w.:]*<[^<>\s]*>[\w.]*/g;

/** Every file and folder of the repository, as forward-slash paths (folders end with '/'). */
function tree(dir = root, rel = ''): string[] {
	const out: string[] = [];
	for (const e of readdirSync(dir, { withFileTypes: true })) {
		if (SKIP_DIRS.has(e.name)) continue;
		const p = rel ? `${rel}/${e.name}` : e.name;
		if (e.isDirectory()) out.push(`${p}/`, ...tree(join(dir, e.name), p));
		else out.push(p);
	}
	return out;
}

interface Repo {
	paths: string[];
	/** Source text names may be found in (never the docs, the README or this test). */
	corpus: string;
	/** What the build and bench scripts write, for paths under dist/, out/, .bench/. */
	buildText: string;
	scripts: Record<string, string>;
	usage: string;
}

function loadRepo(): Repo {
	const paths = tree();
	const read = (p: string) => readFileSync(join(root, p), 'utf8');
	const sourceDirs = /^(server\/src|client\/src|shared|scripts|bench|test)\//;
	const sources = paths.filter((p) => !p.endsWith('/') && (sourceDirs.test(p) || /^[^/]+\.(mjs|json)$/.test(p)) && /\.(ts|mts|mjs|js|json|sh)$/.test(p) && p !== 'test/project/architecture-doc.test.ts' && p !== 'package-lock.json');
	const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
	return {
		paths,
		corpus: sources.map(read).join('\n'),
		buildText: ['esbuild.mjs', 'package.json', ...paths.filter((p) => /^(scripts|bench)\/.*\.mjs$/.test(p))].map(read).join('\n'),
		scripts: pkg.scripts,
		usage: read('server/src/cli.ts'),
	};
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const occurs = (text: string, name: string) => new RegExp(`(?<![\\w$])${escape(name)}(?![\\w$])`).test(text);

/** Why a path named by the doc does not hold, or undefined when it does. */
function checkPath(repo: Repo, raw: string): string | undefined {
	const p = raw.replace(/[.,;:)]+$/, '').replace(/^\.\//, '');
	if (p.startsWith('../')) return EXTERNAL.has(p.replace(/\/$/, '')) ? undefined : `${p}: outside the repository`;
	const cut = p.search(/[<*]/);
	const fixed = (cut < 0 ? p : p.slice(0, cut)).replace(/\/$/, '');
	if (GENERATED.test(p)) {
		const stem = /^dist\/([\w-]+)\.js$/.exec(p)?.[1];
		if (repo.buildText.includes(fixed) || (stem && new RegExp(`\\b${stem}:`).test(repo.buildText))) return undefined;
		return `${p}: no build script writes it`;
	}
	const resolves = (suffix: string) => repo.paths.some((f) => f === suffix || f.endsWith(`/${suffix}`));
	if (p.includes('<')) {
		// a file the reader will create: its folder must exist
		const before = p.slice(0, cut);
		const folder = before.slice(0, before.lastIndexOf('/') + 1);
		return !folder || resolves(folder) ? undefined : `${p}: no folder ${folder}`;
	}
	if (p.includes('*')) {
		const re = new RegExp(`(^|/)${p.split('*').map(escape).join('[^/]*')}$`);
		return repo.paths.some((f) => re.test(f)) ? undefined : `${p}: matches no file`;
	}
	// (an import specifier names a module without its extension)
	if (resolves(p) || resolves(`${p}/`) || (!FILE_EXT.test(p) && resolves(`${p}.ts`))) return undefined;
	// a bare non-code file name may be one the code writes (deid-manifest.json)
	if (!p.includes('/') && !CODE_EXT.test(p) && repo.corpus.includes(`'${p}'`)) return undefined;
	return `${p}: no such file or folder`;
}

const isPath = (token: string) => (token.includes('/') && /[\w*>]/.test(token) && !/^\/|\/\//.test(token)) || FILE_EXT.test(token.replace(/[.,;:)]+$/, ''));

/** Why a backticked snippet of the doc does not hold, or undefined when it does. */
function checkSnippet(repo: Repo, snippet: string): string[] {
	const s = snippet.trim();
	const npm = /^npm (?:run (\S+)|(test))$/.exec(s);
	if (npm) return (npm[1] ?? npm[2]) in repo.scripts ? [] : [`${s}: no such npm script`];
	const deid = /^deid (\w+)/.exec(s);
	if (deid) return new RegExp(`\\n\\s+deid ${deid[1]}\\b`).test(repo.usage) ? [] : [`${s}: no such deid subcommand`];
	const tokens = s.split(/[\s(),]+/).filter(Boolean);
	const paths = tokens.filter(isPath);
	if (paths.length) return paths.map((p) => checkPath(repo, p)).filter((x): x is string => !!x);
	const bare = s.replace(/\(\)$/, '');
	if (occurs(repo.corpus, bare)) return [];
	const names = bare.replace(PLACEHOLDER, ' ').match(/[A-Za-z_$][\w$]*(?:[.:-][A-Za-z_$][\w$]*)*/g) ?? [];
	return names.filter((n) => n.length > 1 && !occurs(repo.corpus, n)).map((n) => `${n}: named in \`${s}\` but found in no source`);
}

/** Every claim of a markdown text that does not hold. */
function unresolved(repo: Repo, markdown: string, base = 'docs'): string[] {
	const problems: string[] = [];
	const fences = [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]);
	const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
	for (const block of fences) for (const token of block.split(/[\s,()]+/)) if (isPath(token) && /\w/.test(token)) problems.push(...[checkPath(repo, token)].filter((x): x is string => !!x));
	for (const m of prose.matchAll(/`([^`\n]+)`/g)) problems.push(...checkSnippet(repo, m[1]));
	// relative links: [text](target)
	for (const m of prose.matchAll(/\]\(([^)\s#]+)[^)]*\)/g)) if (!/^[a-z]+:/.test(m[1]) && !existsSync(join(root, base, m[1]))) problems.push(`${m[1]}: broken link`);
	return [...new Set(problems)];
}

describe('docs/ARCHITECTURE.md', () => {
	const repo = loadRepo();

	it('names only files, folders, scripts, commands and identifiers that exist', () => {
		assert.deepEqual(unresolved(repo, readFileSync(DOC, 'utf8')), []);
	});

	it("the README's Layout paragraph is as true, and points here", () => {
		const layout = /^Layout:[\s\S]*?(?=\n\n)/m.exec(readFileSync(join(root, 'README.md'), 'utf8'))?.[0];
		assert.ok(layout, 'README.md has no paragraph starting "Layout:"');
		assert.match(layout, /\]\(docs\/ARCHITECTURE\.md\)/);
		assert.deepEqual(unresolved(repo, layout, '.'), []);
	});

	it('the check itself reports what does not exist and accepts what does', () => {
		const made = [
			'See `server/src/engine/nope.ts`, `noSuchFunction()`, `npm run no-such-script`, `deid nosuch`, `dist/nope.js`,',
			'`../elsewhere`, `detectors/gone.ts`, `missing/<name>.ts`, `bench/*.nomatch` and [a link](./nowhere.md).',
			'```',
			'server/src/ghost/ ──▶ client/src',
			'```',
		].join('\n');
		const found = unresolved(repo, made);
		for (const bad of ['server/src/engine/nope.ts', 'noSuchFunction', 'no-such-script', 'deid nosuch', 'dist/nope.js', '../elsewhere', 'detectors/gone.ts', 'missing/<name>.ts', 'bench/*.nomatch', './nowhere.md', 'server/src/ghost/']) {
			assert.ok(found.some((f) => f.includes(bad)), `${bad} was not reported: ${JSON.stringify(found)}`);
		}
		assert.equal(found.length, 11, JSON.stringify(found));
		const real = 'The engine (`server/src/engine/detect/detect.ts`, `detect/scorer.ts`, `detect()`, `npm run lint`, `deid scan`, `dist/cli.js`, `../shared`, `server/src/features/<name>.ts`, `phi.<Type>`, `deid-manifest.json`, `test/engine/*.test.ts`) [readme](../README.md).';
		assert.deepEqual(unresolved(repo, real), []);
	});
});
