import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, DidChangeConfigurationNotification } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { registerCodeActions } from './features/codeActions';
import { registerDiagnostics } from './features/diagnostics';
import { registerDocumentEdit } from './features/documentEdit';
import { registerFolderJob } from './features/folderJob';
import { registerHover } from './features/hover';
import { registerReview } from './features/review';
import { WrittenRanges } from './services/written';
import { loadDictionaries } from './node/dictionaries';
import { hmacHash, randomKey } from './node/hash';
import { SettingsStore } from './settings';
import { SetKeyNotification } from './protocol';
import type { ServerContext } from './state';

// Wiring only: every feature lives in features/.
const connection = createConnection(ProposedFeatures.all);
const written = new WrittenRanges();
// The written spans follow every change of a document, so they see the changes themselves, not only the result.
const documents = new TextDocuments<TextDocument>({
	create: (uri, languageId, version, content) => {
		written.opened(uri);
		return TextDocument.create(uri, languageId, version, content);
	},
	update: (doc, changes, version) => written.update(doc, changes, version),
});
const settings = new SettingsStore(connection);
const sessionKey = randomKey();
const ctx: ServerContext = {
	connection,
	documents,
	settings,
	dicts: loadDictionaries,
	scans: new Map(),
	hash: hmacHash(sessionKey),
	key: sessionKey,
	written,
};

connection.onNotification(SetKeyNotification, (p) => {
	if (!/^[0-9a-f]{32,128}$/i.test(p.key)) return;
	ctx.key = Buffer.from(p.key, 'hex');
	ctx.hash = hmacHash(ctx.key);
});

let configurationPush = false;
connection.onInitialize((params) => {
	const caps = params.capabilities;
	settings.setSupported(!!caps.workspace?.configuration);
	configurationPush = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
	loadDictionaries();
	review.initialize(params);
	return {
		capabilities: {
			textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
			codeActionProvider: { codeActionKinds: ['quickfix'] },
			hoverProvider: true,
			workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
		},
		serverInfo: { name: 'deid-language-server', version: '0.1.0' },
	};
});

const diagnostics = registerDiagnostics(ctx);
registerCodeActions(ctx);
registerHover(ctx);
registerDocumentEdit(ctx);
const review = registerReview(ctx);
registerFolderJob(ctx, () => ctx.key, (input) => review.store.forJob(input));
void import('./features/remoteJobs').then((m) => m.registerRemoteJobs(ctx));
void import('./features/verify').then((m) => m.registerVerifyOutput(ctx));

connection.onInitialized(() => {
	review.initialized();
	if (configurationPush) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'deid' });
});
connection.onDidChangeConfiguration(() => {
	settings.clear();
	diagnostics.revalidateAll();
});

process.on('uncaughtException', (err) => connection.console.error(`unexpected error (${err.name}); the server continues`));
documents.listen(connection);
connection.listen();
