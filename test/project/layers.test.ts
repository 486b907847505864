// The import rules between layers (eslint.config.mjs) fire: snippets linted as if they sat in each layer.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import { root } from '../helpers/cli';

interface LintMessage {
	ruleId: string | null;
	severity: number;
	message: string;
}
interface ESLintLike {
	lintText(code: string, options: { filePath: string }): Promise<{ messages: LintMessage[] }[]>;
	lintFiles(patterns: string[]): Promise<{ filePath: string; messages: LintMessage[] }[]>;
}

let eslint: ESLintLike;
before(async () => {
	// Loaded at run time from node_modules, not bundled into the test file.
	const specifier = ['es', 'lint'].join('');
	const { ESLint } = (await import(specifier)) as { ESLint: new (o: { cwd: string }) => ESLintLike };
	eslint = new ESLint({ cwd: root });
});

const LAYER_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);

/** Layer-rule errors for `code` placed at `filePath` (relative to the repository). */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
	const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` });
	return result.messages.filter((m) => m.severity === 2 && m.ruleId && LAYER_RULES.has(m.ruleId)).map((m) => m.message);
}

async function refused(filePath: string, code: string, layer: string): Promise<void> {
	const errors = await layerErrors(filePath, code);
	assert.equal(errors.length, 1, `${filePath}: expected one layer error for ${JSON.stringify(code)}, got ${JSON.stringify(errors)}`);
	assert.match(errors[0], new RegExp(`(^| )${layer}(-depth\\d)?: `));
}

async function allowed(filePath: string, code: string): Promise<void> {
	assert.deepEqual(await layerErrors(filePath, code), [], `${filePath}: ${JSON.stringify(code)} should be allowed`);
}

describe('layer import rules', () => {
	it('the engine imports no LSP, vscode or Node built-in, in any form', async () => {
		await refused('server/src/engine/x.ts', "import { createConnection } from 'vscode-languageserver/node';\nexport const c = createConnection;", 'engine');
		await refused('server/src/engine/x.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;", 'engine');
		await refused('server/src/engine/x.ts', "import { join } from 'path';\nexport const j = join;", 'engine');
		await refused('server/src/engine/x.ts', "import * as vscode from 'vscode';\nexport const v = vscode;", 'engine');
		await refused('server/src/engine/formats/fhir/x.ts', "export { Worker } from 'node:worker_threads';", 'engine');
		await refused('server/src/engine/formats/fhir/x.ts', "declare const require: (id: string) => unknown;\nexport const cp = require('child_process');", 'engine');
		await refused('server/src/engine/detect/x.ts', "export const load = () => import('node:fs/promises');", 'engine');
	});

	it('the engine imports nothing of the server outside it, at any folder depth', async () => {
		await refused('server/src/engine/x.ts', "export { Commands } from '../protocol';", 'engine');
		await refused('server/src/engine/formats/fhir/x.ts', "export { loadDictionaries } from '../../../node/dictionaries';", 'engine');
		await refused('server/src/engine/a/b/x.ts', "export { runFolderJob } from '../../../jobs/folderJob';", 'engine');
		await allowed('server/src/engine/formats/fhir/x.ts', "export { ENTITY_TYPES } from '../types';\nexport { detect } from '../detect';");
		await allowed('server/src/engine/x.ts', "export { ENTITY_TYPES } from './types';");
	});

	it('the engine may use its declared pure packages', async () => {
		await allowed('server/src/engine/formats/fhir/x.ts', "import type * as F from 'fhirpath';\nimport { parse } from 'lossless-json';\nexport type T = typeof F;\nexport const p = parse;");
		await allowed('server/src/engine/formats/fhir/x.ts', "declare const require: (id: string) => unknown;\nexport const m = () => require('fhirpath/fhir-context/r4');");
	});

	it('the server never imports the client or vscode', async () => {
		await refused('server/src/cli.ts', "export async function f() { return import('../../client/src/commands/remoteJobs'); }", 'server');
		await refused('server/src/remote/serve.ts', "export { showRemoteJobs } from '../../../client/src/commands/remoteJobs';", 'server');
		await refused('server/src/features/x.ts', "import * as vscode from 'vscode';\nexport const v = vscode;", 'server');
		await allowed('server/src/remote/serve.ts', "export { DeidClient } from './azure/deidClient';\nexport { detect } from '../engine';");
	});

	it('the client imports of the server only protocol.ts', async () => {
		await refused('client/src/commands/x.ts', "export { ENTITY_TYPES } from '../../../server/src/engine/types';", 'client');
		await refused('client/src/x.ts', "export { runFolderJob } from '../../server/src/jobs/folderJob';", 'client');
		await refused('client/src/x.ts', "export { createConnection } from 'vscode-languageserver/node';", 'client');
		await allowed('client/src/commands/x.ts', "export { ENTITY_TYPES, Commands } from '../../../server/src/protocol';\nexport { LanguageClient } from 'vscode-languageclient/node';");
	});

	it('protocol.ts imports only pure types and the LSP protocol', async () => {
		await refused('server/src/protocol.ts', "export { detect } from './engine/detect';", 'protocol');
		await refused('server/src/protocol.ts', "export { loadDictionaries } from './node/dictionaries';", 'protocol');
		await allowed('server/src/protocol.ts', "export { ENTITY_TYPES } from './engine/types';\nexport { RequestType } from 'vscode-languageserver-protocol';");
	});

	it('the client reaches remote jobs only through protocol.ts, not the Azure client', async () => {
		await refused('client/src/commands/x.ts', "export { DeidClient } from '../../../server/src/remote/azure/deidClient';", 'client');
		await refused('client/src/commands/x.ts', "export const load = () => import('../../../server/src/remote/azure/submit');", 'client');
		await allowed('client/src/commands/x.ts', "export { RemoteJobSubmitRequest, REMOTE_DEID_SCOPE } from '../../../server/src/protocol';");
	});

	it('the Azure client in server/src/remote/azure imports no vscode, LSP or other server code', async () => {
		await refused('server/src/remote/azure/x.ts', "import * as vscode from 'vscode';\nexport const v = vscode;", 'remote-azure');
		await refused('server/src/remote/azure/x.ts', "export { ResponseError } from 'vscode-languageserver';", 'remote-azure');
		await refused('server/src/remote/azure/x.ts', "export { detect } from '../../engine';", 'remote-azure');
		await refused('server/src/remote/azure/x.ts', "export { RemoteJobSubmitRequest } from '../../protocol';", 'remote-azure');
		await allowed('server/src/remote/azure/x.ts', "export { BlobServiceClient } from '@azure/storage-blob';\nexport { readFile } from 'node:fs/promises';\nexport { DeidClient } from './deidClient';");
		await allowed('server/src/features/x.ts', "export { submitFolder } from '../remote/azure/submit';");
	});
});

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('the code keeps to its layers', () => {
	it('the files that crossed layers at #22 break no layer rule now', async () => {
		const files = ['client/src', 'server/src/protocol.ts', 'server/src/cli.ts', 'server/src/remote', 'server/src/features/remoteJobs.ts'];
		const crossings = (await eslint.lintFiles(files)).flatMap((r) =>
			r.messages.filter((m) => m.ruleId && LAYER_RULES.has(m.ruleId)).map((m) => `${relative(root, r.filePath)}: ${m.message}`),
		);
		assert.deepEqual(crossings, []);
	});

	it('one Operation type, declared by the engine', () => {
		const declared = ['server/src', 'client/src'].flatMap((d) => sources(join(root, d))).filter((f) => /\btype Operation\s*=/.test(readFileSync(f, 'utf8')));
		assert.deepEqual(declared.map((f) => relative(root, f)), ['server/src/engine/types.ts']);
	});
});

describe('line length', () => {
	/** max-len errors for `code` placed at `filePath`. */
	async function tooLong(filePath: string, code: string): Promise<number> {
		const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` });
		return result.messages.filter((m) => m.ruleId === 'max-len').length;
	}
	const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');

	it('a word list on one long line is refused in shipped code; wrapped, it is not', async () => {
		assert.equal(await tooLong('server/src/engine/detect/x.ts', `export const WORDS = '${words}';\n`), 1);
		assert.equal(await tooLong('client/src/x.ts', `export const WORDS = ['${words.split(' ').join("', '")}'];\n`), 1);
		const wrapped = `export const WORDS =\n\t'${words.slice(0, 140)}' +\n\t'${words.slice(140)}';\n`;
		assert.equal(await tooLong('server/src/engine/detect/x.ts', wrapped), 0);
	});

	it('a long message in a template literal is allowed', async () => {
		assert.equal(await tooLong('server/src/x.ts', `export const f = (n: number) => \`${words} \${n}\`;\n`), 0);
	});
});
