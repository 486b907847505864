import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ENTITY_TYPES } from '../../server/src/engine';
import { Commands } from '../../server/src/protocol';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// activate() registers most commands itself and the review UI's through one call into client/src/review
const reviewDir = join(root, 'client', 'src', 'review');
const extensionSource = [join(root, 'client', 'src', 'extension.ts'), ...readdirSync(reviewDir).filter((f) => f.endsWith('.ts')).map((f) => join(reviewDir, f))].map((f) => readFileSync(f, 'utf8')).join('\n');

describe('package.json manifest', () => {
	it('every contributed command has a handler registered in activate()', () => {
		const registered = new Set([...extensionSource.matchAll(/registerCommand\(Commands\.(\w+)/g)].map((m) => (Commands as Record<string, string>)[m[1]]));
		const contributed: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
		assert.ok(contributed.length >= 5);
		for (const id of contributed) assert.ok(registered.has(id), `no handler for ${id}`);
		for (const id of Object.values(Commands)) assert.ok(contributed.includes(id), `${id} is not contributed`);
	});

	it('every command in a menu is contributed', () => {
		const contributed = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
		for (const items of Object.values(pkg.contributes.menus) as { command: string }[][]) for (const i of items) assert.ok(contributed.has(i.command), i.command);
	});

	it('the PHI Findings view: its container, welcome buttons and next/previous keybindings', () => {
		const container = pkg.contributes.viewsContainers.activitybar.find((v: { id: string }) => v.id === 'deid-review');
		assert.equal(container?.title, 'PHI Review');
		assert.ok(pkg.contributes.views['deid-review'].some((v: { id: string }) => v.id === 'deid.findings'));
		const welcome = pkg.contributes.viewsWelcome.find((w: { view: string }) => w.view === 'deid.findings').contents as string;
		for (const id of [Commands.reviewScanWorkspace, Commands.reviewScanFolder]) assert.ok(welcome.includes(`(command:${id})`), id);
		const keys = new Map(pkg.contributes.keybindings.map((k: { command: string; key: string }) => [k.command, k.key]));
		assert.equal(keys.get(Commands.reviewNext), 'ctrl+alt+]');
		assert.equal(keys.get(Commands.reviewPrevious), 'ctrl+alt+[');
		// a command shown in a view title or inline needs an icon
		for (const where of ['view/title', 'view/item/context'])
			for (const i of pkg.contributes.menus[where] as { command: string; group?: string }[])
				if (where === 'view/title' ? i.group?.startsWith('navigation') : i.group?.startsWith('inline'))
					assert.ok(pkg.contributes.commands.find((c: { command: string }) => c.command === i.command).icon, i.command);
	});

	it('every setting has a scope and a markdown description', () => {
		for (const section of pkg.contributes.configuration) {
			for (const [key, p] of Object.entries(section.properties) as [string, Record<string, unknown>][]) {
				assert.ok(key.startsWith('deid.'), key);
				assert.ok(typeof p.scope === 'string', `${key} has no scope`);
				assert.ok(typeof p.markdownDescription === 'string' && (p.markdownDescription as string).length > 20, `${key} has no description`);
			}
		}
	});

	it('the severity setting knows every entity type', () => {
		const sev = pkg.contributes.configuration[0].properties['deid.severity'].properties;
		for (const t of ENTITY_TYPES) assert.ok(sev[t], t);
	});

	it('declares the CLI bin, the client entry point and NDJSON files', () => {
		assert.equal(pkg.main, './dist/client.js');
		assert.equal(pkg.bin.deid, 'dist/cli.js');
		const nd = pkg.contributes.languages.find((l: { id: string }) => l.id === 'ndjson');
		assert.deepEqual(nd.extensions, ['.ndjson', '.jsonl']);
	});

	it('.vscodeignore is an allowlist', () => {
		const lines = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
		assert.equal(lines[0], '**');
		assert.ok(lines.includes('!dist/server.js') && lines.includes('!dist/client.js') && lines.includes('!dist/dictionaries.json'));
	});
});
