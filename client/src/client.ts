import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SERVER_NODE_OPTIONS } from '../../server/src/protocol';

export const DOCUMENT_SELECTOR = [
	{ language: 'plaintext' },
	{ language: 'markdown' },
	{ language: 'log' },
	{ language: 'ndjson' },
	{ language: 'jsonl' },
];

/** Settings whose values are lists merged across user, workspace and folder scopes. */
const MERGED_LISTS = ['allowList', 'denyList'] as const;

function mergedSection(scope: vscode.Uri | undefined): Record<string, unknown> {
	const config = vscode.workspace.getConfiguration('deid', scope);
	const section: Record<string, unknown> = JSON.parse(JSON.stringify(config));
	for (const key of MERGED_LISTS) {
		const info = config.inspect<unknown[]>(key);
		const all = [...(info?.globalValue ?? []), ...(info?.workspaceValue ?? []), ...(info?.workspaceFolderValue ?? [])];
		const seen = new Set<string>();
		section[key] = all.filter((v) => {
			const k = JSON.stringify(v);
			if (seen.has(k)) return false;
			seen.add(k);
			return true;
		});
	}
	// deid.fhir.config may be relative to the workspace folder: the server gets an absolute path.
	const fhir = section.fhir as { config?: string } | undefined;
	if (fhir?.config && !path.isAbsolute(fhir.config)) {
		const folder = (scope && vscode.workspace.getWorkspaceFolder(scope)) ?? vscode.workspace.workspaceFolders?.[0];
		if (folder) fhir.config = path.join(folder.uri.fsPath, fhir.config);
	}
	return section;
}

export function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
	const module = context.asAbsolutePath('dist/server.js');
	// glibc gives each thread that compiles or collects garbage its own malloc arena, and an arena keeps its peak.
	// One arena took a folder job over 53 MB of the bench folder (the CLI, two workers) from 434 to 359 MB peak RSS
	// before the bundles were kept within Latin-1; since then the saving is about 10 MB (340 to 325-335 MB), at no
	// measurable cost. Only a process's start can set it; a value the user set is kept, other C libraries ignore it.
	const env = { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '1' };
	const serverOptions: ServerOptions = {
		run: { module, transport: TransportKind.ipc, options: { env, execArgv: [...SERVER_NODE_OPTIONS] } },
		debug: { module, transport: TransportKind.ipc, options: { env, execArgv: [...SERVER_NODE_OPTIONS, '--nolazy', '--inspect=6011'] } },
	};
	const clientOptions: LanguageClientOptions = {
		documentSelector: DOCUMENT_SELECTOR,
		outputChannel: output,
		synchronize: { configurationSection: 'deid' },
		middleware: {
			workspace: {
				// Allow and deny lists are the union of every scope, so "Mark as not PHI (user)" adds to,
				// rather than hides behind, a workspace list.
				configuration: (params, token, next) => {
					return params.items.map((item) => {
						if (item.section !== 'deid') return null;
						const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
						return mergedSection(scope);
					});
					void token;
					void next;
				},
			},
		},
	};
	return new LanguageClient('deid', 'De-identification', serverOptions, clientOptions);
}
