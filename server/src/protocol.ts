/**
 * The contract between the extension (client) and the language server. This is the only server file the
 * client imports: custom requests and notifications, command ids, diagnostic source and codes.
 */
import { NotificationType, ProtocolRequestType, RequestType } from 'vscode-languageserver-protocol';
import type { Range, WorkDoneProgressParams, WorkspaceEdit } from 'vscode-languageserver-protocol';
import type { EntityType, Operation } from './engine/types';

// The engine owns the entity types and operations; the client sees them only through this file.
export { ENTITY_TYPES, type EntityType, type Operation } from './engine/types';

export const DIAGNOSTIC_SOURCE = 'deid';
/** Diagnostic code of a finding: `phi.<Type>`. */
export const diagnosticCode = (type: EntityType): string => `phi.${type}`;
export const CODE_TOO_LARGE = 'deid.tooLarge';
export const CODE_MALFORMED_LINE = 'deid.malformedLine';
/** A hint on text shown as de-identified (this extension wrote it): no finding is reported inside. */
export const CODE_DEIDENTIFIED = 'deid.deidentified';
/** A hint at the start of a folder job's output or report: what it is and how many leaks were found. */
export const CODE_OUTPUT = 'deid.output';
/** Information at the top of a document whose file name holds possible PHI. */
export const CODE_FILE_NAME = 'deid.fileName';

/** Command ids contributed by the extension (package.json `contributes.commands`). */
export const Commands = {
	deidentifyFolder: 'deid.deidentifyFolder',
	compareWithOriginal: 'deid.compareWithOriginal',
	redactDocument: 'deid.redactDocument',
	markSelectionAsPhi: 'deid.markSelectionAsPhi',
	addToAllowList: 'deid.addToAllowList',
	restartServer: 'deid.restartServer',
	createKey: 'deid.createKey',
	importKey: 'deid.importKey',
	exportKey: 'deid.exportKey',
	rotateKey: 'deid.rotateKey',
	showKeyFingerprint: 'deid.showKeyFingerprint',
	showOutput: 'deid.showOutput',
	submitRemoteJob: 'deid.submitRemoteJob',
	showRemoteJobs: 'deid.showRemoteJobs',
	setRemoteSecret: 'deid.setRemoteSecret',
} as const;

export type AllowListScope = 'folder' | 'workspace' | 'user';

/** What every `phi.*` diagnostic carries in `data`, so code actions never re-run the engine. */
export interface PhiDiagnosticData {
	type: EntityType;
	confidence: number;
	detector: string;
	/** The range lies inside a JSON string literal: replacements must be JSON-escaped. */
	json: boolean;
	/** Document version the finding belongs to. */
	version: number;
}

/** server → client: findings in a document after each validation (counts only, never text). */
export interface StatusParams {
	uri: string;
	version: number;
	total: number;
	counts: Partial<Record<EntityType, number>>;
	/** Why the document was not scanned, if it was not. */
	skipped?: 'tooLarge' | 'disabled';
	elapsedMs: number;
	/** Findings shown as de-identified (text this extension wrote); not in `total`. */
	deidentified?: number;
	/** The document is a folder job's output or report: `total` counts possible leaks only. */
	output?: 'output' | 'report';
	/** Set while a large document is scanned in pieces: characters scanned so far of `total` (diagnostics are partial). */
	scanning?: { done: number; total: number };
}
export const StatusNotification = new NotificationType<StatusParams>('deid/status');

/** client → server: de-identify a folder (or a file) into an output path, with work-done progress. */
export interface DeidentifyFolderParams extends WorkDoneProgressParams {
	input: string;
	output: string;
	operation: Operation;
	redactionFormat?: string;
	copyOther?: boolean;
	/** A policy file of per-type strategies (JSON), validated by the server. */
	policyPath?: string;
	/** Settings scope used for detection options (a folder or file URI). */
	scopeUri?: string;
	/** Write into an output that holds files no earlier run wrote (the user agreed to overwrite them). */
	force?: boolean;
}
export interface DeidentifyFolderResult {
	output: string;
	cancelled: boolean;
	files: number;
	done: number;
	skipped: number;
	failed: number;
	findings: number;
	reportPath?: string;
	durationMs: number;
	/** Failures: relative path and reason (never file content). */
	failures: { path: string; reason: string }[];
	/** Set when the job could not start (bad paths): a message without PHI. */
	error?: string;
	/** 'outputExists': the output holds files no earlier run wrote; the same request with `force` overwrites them. */
	errorCode?: 'outputExists';
	/** What the user should know about the run (an earlier run's outputs replaced, …). */
	notices?: string[];
}
export const DeidentifyFolderRequest = new ProtocolRequestType<DeidentifyFolderParams, DeidentifyFolderResult, never, void, void>('deid/deidentifyFolder');

/** client → server: the edit that applies an operation to every finding in a document. */
export interface DocumentEditParams {
	uri: string;
	operation: Exclude<Operation, 'tag'>;
	/** Only these types (all when absent). */
	types?: EntityType[];
}
export const DocumentEditRequest = new RequestType<DocumentEditParams, WorkspaceEdit | null, void>('deid/documentEdit');

/** client → server: the surrogate key from SecretStorage (hex). Sent over the local connection only; never logged. */
export interface SetKeyParams {
	key: string;
}
export const SetKeyNotification = new NotificationType<SetKeyParams>('deid/setKey');

/** client → server: the ranges an editor shows of a document (on open and on scroll); they are scanned first. */
export interface VisibleRangesParams {
	uri: string;
	ranges: Range[];
}
export const VisibleRangesNotification = new NotificationType<VisibleRangesParams>('deid/visibleRanges');

/** The surrogate key's text format, shared by the CLI and the extension's import and export. */
export { KEY_FORMAT_HELP, parseKeyText } from './keyFormat';
