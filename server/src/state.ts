import type { Connection, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Dictionaries, DocumentFormat, DocumentProblem, EntityType, Finding, KeyedHash } from './engine';
import type { OutputKind } from './services/outputs';
import type { Span, WrittenRanges } from './services/written';
import type { SettingsStore } from './settings';

/** The last scan of one open document. */
export interface ScanEntry {
	version: number;
	format: DocumentFormat;
	findings: Finding[];
	/** json[i]: finding i lies inside a JSON string literal. */
	json: boolean[];
	problems: DocumentProblem[];
	tooLarge: boolean;
	/** Text shown as de-identified (written by this extension): spans, in order; its findings are not in `findings`. */
	quiet?: Span[];
	/** The document is a folder job's output or report: `findings` are the likely leaks left in it. */
	output?: OutputKind;
	/** Types of PHI found in the file's own name. */
	nameTypes?: EntityType[];
	/** Published while a large document is still being scanned: hovers read it, whole-document edits wait. */
	partial?: boolean;
}

/** What the features share; built once in server.ts. */
export interface ServerContext {
	connection: Connection;
	documents: TextDocuments<TextDocument>;
	settings: SettingsStore;
	dicts: () => Dictionaries;
	scans: Map<string, ScanEntry>;
	/** Keyed hash for surrogates (the client's key from SecretStorage; a random one until it arrives). */
	hash: KeyedHash;
	/** The key itself, for folder jobs. */
	key: Uint8Array;
	/** Text the extension's own edits wrote into open documents. */
	written: WrittenRanges;
}

const NDJSON_LANGS = new Set(['ndjson', 'jsonl', 'jsonlines']);

export function formatOf(doc: TextDocument): DocumentFormat {
	if (NDJSON_LANGS.has(doc.languageId)) return 'ndjson';
	return /\.(ndjson|jsonl)$/i.test(doc.uri) ? 'ndjson' : 'text';
}
