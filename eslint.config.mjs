// ESLint (npm run lint, a step of npm test): typescript-eslint's recommended rules, tuned to the code as it is,
// and the import rules between layers. The layers and their tsconfig files: tsconfig.json.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** npm packages the engine may import: pure JavaScript that runs anywhere (no Node built-ins, no I/O). */
export const ENGINE_PACKAGES = ['fhirpath', 'lossless-json'];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** A relative specifier that leaves a folder `depth` levels above the importing file's folder. */
const leaves = (depth) => `^(\\.\\./){${depth}}\\.\\.(/|$)`;

/**
 * One layer's rule: import specifiers matching any `forbidden` regular expression are errors, in static imports,
 * `export ... from`, `import()` and `require()` alike. ESLint keeps only the last setting of a rule per file, so
 * each file gets exactly one of these.
 */
function layer(name, files, forbidden, message) {
	const regex = forbidden.map((f) => `(?:${f})`).join('|');
	const matches = `/${regex.replace(/\//g, '\\/')}/`;
	const text = `${name}: ${message} (eslint.config.mjs, #22)`;
	return {
		name: `deid/layer/${name}`,
		files,
		rules: {
			'no-restricted-imports': ['error', { patterns: [{ regex, message: text }] }],
			'no-restricted-syntax': [
				'error',
				{ selector: `ImportExpression[source.value=${matches}]`, message: text },
				{ selector: `CallExpression[callee.name='require'][arguments.0.value=${matches}]`, message: text },
			],
		},
	};
}

// Engine files by folder depth, so a relative import may move around inside the engine but not out of it.
const engineLayers = [0, 1, 2, 3].map((depth) =>
	layer(
		`engine${depth ? `-depth${depth}` : ''}`,
		[`server/src/engine/${'*/'.repeat(depth)}*.ts`],
		[`^(?!\\.|(${ENGINE_PACKAGES.map(escape).join('|')})(/|$))`, leaves(depth)],
		`the engine imports only itself and ${ENGINE_PACKAGES.join(', ')}: no Node built-ins, no vscode, no LSP, nothing else of the server`,
	),
);

export default defineConfig([
	// TypeScript only: the .mjs scripts would need Node's globals declared (no `globals` package here).
	globalIgnores(['dist/', 'out/', 'node_modules/', 'test/fixtures/', '.e2e-tools/', '.bench/', '.dbg/', '**/*.d.ts', '**/*.d.mts', '**/*.mjs', '**/*.js']),
	{ name: 'deid/typescript', files: ['**/*.ts'] },
	js.configs.recommended,
	tseslint.configs.recommended,
	{
		name: 'deid/tuning',
		files: ['**/*.ts'],
		rules: {
			// Tuned to the code as it is (#22). Comma sequences as statements are a deliberate idiom in hot loops.
			'@typescript-eslint/no-unused-expressions': 'off',
			// Warnings until their files' owners touch them: a few sites in code being reworked elsewhere.
			'prefer-const': 'warn',
			'no-useless-escape': 'warn',
			// The FHIRPath user-function table needs the engine inside plain functions.
			'@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
			// Dropping fields by destructuring `{ a: _a, ...rest }` is how options are copied without some keys.
			'@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
			// Control characters are exactly what the path, header and text guards look for.
			'no-control-regex': 'off',
		},
	},
	{
		// Shipped code stays readable without scrolling: word lists belong in data modules (engine/detect/words.ts),
		// long conditions are wrapped. Messages in templates and regular expressions may run longer.
		name: 'deid/line-length',
		files: ['server/src/**/*.ts', 'client/src/**/*.ts'],
		rules: { 'max-len': ['error', { code: 160, tabWidth: 4, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }] },
	},
	{
		name: 'deid/tests',
		files: ['test/**/*.ts', 'bench/**/*.ts'],
		rules: {
			// Tests poke at untyped JSON (FHIR resources, LSP payloads) field by field.
			'@typescript-eslint/no-explicit-any': 'off',
		},
	},
	{
		name: 'deid/cli-launcher',
		files: ['server/src/cli/launch.ts'],
		// The launcher require()s a sibling CommonJS bundle chosen at run time, deliberately outside the bundle.
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
	layer('server', ['server/src/**/*.ts'], ['(^|/)client(/|$)', '^vscode$', '(^|/)test(/|$)'], 'the server never imports the client, vscode or tests'),
	// The contract decides what the client sees of the server, so it imports only pure types and the LSP protocol.
	layer('protocol', ['server/src/protocol.ts'], ['^(?!\\./engine/types$|\\./keyFormat$|vscode-languageserver-protocol$)'], 'protocol.ts imports only ./engine/types, ./keyFormat and vscode-languageserver-protocol'),
	...engineLayers,
	// The Azure REST client and blob transfer serve the language server, `deid job` and `deid serve` alike.
	layer(
		'remote-azure',
		['server/src/remote/azure/*.ts'],
		['^vscode', '(^|/)client(/|$)', '(^|/)test(/|$)', leaves(0)],
		'server/src/remote/azure imports only itself, Node built-ins and npm packages: no vscode, no LSP, nothing else of the server',
	),
	layer('client', ['client/src/**/*.ts'], ['(^|/)server/src/(?!protocol$)', '^vscode-languageserver(?!-protocol)', '(^|/)test(/|$)'], 'the client imports of the server only server/src/protocol.ts (and what it re-exports)'),
]);
