// npm run package: production bundles, then a .vsix with @vscode/vsce (offline; bundled, so no node_modules).
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const out = process.argv[2] ?? `${pkg.name}-${pkg.version}.vsix`;
const run = (args) => {
	const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
	if (r.status !== 0) process.exit(r.status ?? 1);
};
run(['esbuild.mjs', '--production']);
run(['node_modules/@vscode/vsce/vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', out]);
console.log(`${out}: ${(statSync(out).size / 1048576).toFixed(2)} MB`);
