/**
 * The contract between the extension (client) and the language server. This is the only server file the
 * client imports: custom requests and notifications, command ids, diagnostic source and codes.
 */
import { NotificationType, ProtocolRequestType, RequestType } from 'vscode-languageserver-protocol';
import type { Range, WorkDoneProgressParams, WorkspaceEdit } from 'vscode-languageserver-protocol';
import type { EntityType, Operation } from './engine/types';

// The engine owns the entity types and operations; the client sees them only through this file.
export { ENTITY_TYPES, type EntityType, type Operation } from './engine/types';

/**
 * Node options the extension starts the language server with (bench/latency.mjs starts it the same way). A young
 * generation of 2 MB semi-spaces and a 1 GB old-generation limit (V8 grows the heap by a smaller factor under a
 * lower limit) keep a 20 MB NDJSON document's server under 300 MB, edits included (266-283 against 338-366 MB with
 * either alone); a 48 MB document still fits.
 */
export const SERVER_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=1024'];

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
	verifyOutput: 'deid.verifyOutput',
	// the PHI Findings view (review)
	reviewScanWorkspace: 'deid.review.scanWorkspace',
	reviewScanFolder: 'deid.review.scanFolder',
	reviewNext: 'deid.review.next',
	reviewPrevious: 'deid.review.previous',
	reviewAccept: 'deid.review.accept',
	reviewReject: 'deid.review.reject',
	reviewChangeType: 'deid.review.changeType',
	reviewClearDecision: 'deid.review.clearDecision',
	reviewAddMissed: 'deid.review.addMissed',
	reviewMarkFileReviewed: 'deid.review.markFileReviewed',
	reviewFilter: 'deid.review.filter',
	reviewClearFilter: 'deid.review.clearFilter',
	reviewExportAnnotations: 'deid.review.exportAnnotations',
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
	/** The wait after the last change before this scan started (the adaptive debounce), in ms. */
	debounceMs?: number;
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

// Remote batch jobs (Azure de-identification service or `deid serve`): the server uploads, submits, polls and
// downloads; the client only collects settings and credentials (SecretStorage, VS Code's Microsoft sign-in)
// and sends them with each request. Credentials are never logged or written by the server. A failure is a
// ResponseError whose message names the service's status and code, never a document or a secret.

/** The scope of Entra ID tokens for the de-identification service. */
export const REMOTE_DEID_SCOPE = 'https://deid.azure.com/.default';
/** The scope of Entra ID tokens for Blob Storage. */
export const REMOTE_STORAGE_SCOPE = 'https://storage.azure.com/.default';

/** How the server authenticates to the service: a static bearer token (`deid serve`) or an Entra ID access token. */
export type RemoteServiceAuth = { kind: 'token'; token: string } | { kind: 'entra'; accessToken: string };
/** How the server reaches Blob Storage. */
export type RemoteStorageAuth = { kind: 'connectionString'; connectionString: string } | { kind: 'sas'; sas: string } | { kind: 'entra'; accessToken: string };

export interface RemoteServiceParams {
	endpoint: string;
	auth: RemoteServiceAuth;
}
export interface RemoteStorageParams {
	containerUrl: string;
	storage: RemoteStorageAuth;
}

export type RemoteJobStatus = 'NotStarted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';
/** What the client shows of a job. */
export interface RemoteJobInfo {
	name: string;
	status: RemoteJobStatus;
	createdAt: string;
	summary?: { successful: number; failed: number; canceled: number; total: number };
}
/** client → server: what a folder would upload (counts only), before the user confirms that documents leave. */
export interface RemoteJobPreflightParams {
	folder: string;
}
export interface RemoteJobPreflightResult {
	files: number;
	bytes: number;
	skipped: number;
	/** Set when the folder cannot be submitted as a whole (over 10,000 documents). */
	refusal?: string;
}
export const RemoteJobPreflightRequest = new RequestType<RemoteJobPreflightParams, RemoteJobPreflightResult, void>('deid/remoteJob/preflight');

/**
 * client → server: upload a folder, run the job, poll, download the outputs into `out` (with
 * `deid-remote-report.json`), delete the uploaded inputs. Work-done progress; cancelling the request cancels the
 * job and still downloads what finished.
 */
export interface RemoteJobSubmitParams extends RemoteServiceParams, RemoteStorageParams, WorkDoneProgressParams {
	folder: string;
	out: string;
	operation: 'Redact' | 'Surrogate';
	redactionFormat?: string;
	surrogateLocale?: string;
	deleteInputs: boolean;
}
export interface RemoteJobSubmitResult {
	jobName: string;
	status: RemoteJobStatus;
	summary?: RemoteJobInfo['summary'];
	downloaded: string[];
	/** Documents the service failed or canceled: relative path and service code (never content). */
	failed: { rel: string; code: string }[];
	skipped: { rel: string; reason: string }[];
	out: string;
}
export const RemoteJobSubmitRequest = new ProtocolRequestType<RemoteJobSubmitParams, RemoteJobSubmitResult, never, void, void>('deid/remoteJob/submit');

/** server → client: the job of a submit request exists (so the client can remember it before it ends). */
export interface RemoteJobCreatedParams {
	/** The submit request's work-done token. */
	workDoneToken?: string | number;
	jobName: string;
}
export const RemoteJobCreatedNotification = new NotificationType<RemoteJobCreatedParams>('deid/remoteJob/created');

/** client → server: the jobs of a service (at most `max`, newest first as the service lists them). */
export interface RemoteJobListParams extends RemoteServiceParams {
	max?: number;
}
export interface RemoteJobListResult {
	jobs: RemoteJobInfo[];
}
export const RemoteJobListRequest = new RequestType<RemoteJobListParams, RemoteJobListResult, void>('deid/remoteJob/list');

/** client → server: one job's state, or cancel or delete it (deleting keeps its blobs). */
export interface RemoteJobActionParams extends RemoteServiceParams {
	name: string;
	action: 'status' | 'cancel' | 'delete';
}
export interface RemoteJobActionResult {
	job?: RemoteJobInfo;
}
export const RemoteJobActionRequest = new RequestType<RemoteJobActionParams, RemoteJobActionResult, void>('deid/remoteJob/action');

/** client → server: download the outputs of a job's succeeded documents into `out`. */
export interface RemoteJobDownloadParams extends RemoteServiceParams, RemoteStorageParams {
	name: string;
	out: string;
}
export interface RemoteJobDownloadResult {
	downloaded: string[];
	failed: { rel: string; code: string }[];
}
export const RemoteJobDownloadRequest = new RequestType<RemoteJobDownloadParams, RemoteJobDownloadResult, void>('deid/remoteJob/download');

/**
 * server → client: a fresh Entra ID access token, when the service or storage refused the one sent (tokens
 * expire during long jobs). `undefined` when the client has none.
 */
export interface RemoteJobTokenParams {
	scope: typeof REMOTE_DEID_SCOPE | typeof REMOTE_STORAGE_SCOPE;
}
export interface RemoteJobTokenResult {
	accessToken?: string;
}
export const RemoteJobTokenRequest = new RequestType<RemoteJobTokenParams, RemoteJobTokenResult, void>('deid/remoteJob/token');

// Review (the PHI Findings view): every finding of a file with the reviewer's decision. Decisions are stored by
// the server in `.deid/review.json` of the file's workspace folder, keyed by offsets and keyed digests of the
// value and its neighbourhood (never text); the folder job and `deid deidentify --review` apply them.

/** A reviewer's decision on one finding. `add`: a span the detector missed, marked as PHI by the reviewer. */
export type ReviewDecisionKind = 'accept' | 'reject' | 'changeType' | 'add';
/** Where a rejection holds: this finding only, or the same value in every file of the folder or workspace. */
export type RejectScope = 'file' | 'folder' | 'workspace';

/** One finding as the findings view shows it. */
export interface ReviewFinding {
	/** Stable while the file changes elsewhere (an anchor key; no text). */
	id: string;
	range: Range;
	/** The type after the reviewer's change, if any. */
	type: EntityType;
	/** The type the detector reported (differs from `type` after changeType; absent for added spans). */
	detectedType?: EntityType;
	confidence: number;
	detector: string;
	decision?: ReviewDecisionKind;
	/** For a rejection: its scope. */
	scope?: RejectScope;
	/** The finding's text, at most 80 characters, for the view's label only: never logged or written. */
	preview: string;
}

/** The findings of one file (open or on disk) with their decisions. */
export interface FileReview {
	uri: string;
	findings: ReviewFinding[];
	/** Every finding has a decision (a file without findings is reviewed once a reviewer marked it so). */
	reviewed: boolean;
	/** Findings without a decision. */
	pending: number;
	/** Why the file could not be scanned (a reason without content). */
	error?: string;
}

/** client → server: the review of one file (scanned now if it is not open). */
export interface ReviewFileParams {
	uri: string;
}
export const ReviewFileRequest = new RequestType<ReviewFileParams, FileReview, void>('deid/review/file');

/** server → client: a file's review changed (an open document was validated, a decision recorded, a folder scan reached it). */
export const ReviewChangedNotification = new NotificationType<FileReview>('deid/review/changed');

/** client → server: scan every text and NDJSON file of a folder for the findings view (worker pool, work-done progress, cancellable). */
export interface ReviewScanFolderParams extends WorkDoneProgressParams {
	/** A folder path (file system). */
	folder: string;
	/** Settings scope used for detection options (a folder URI). */
	scopeUri?: string;
}
export interface ReviewScanFolderResult {
	files: number;
	findings: number;
	cancelled: boolean;
	/** Files not scanned: relative path and reason (never content). */
	failures: { path: string; reason: string }[];
	/** How many of the files were scanned on worker threads (the rest on the server's own thread). */
	onWorkers?: number;
}
/** Each scanned file also arrives as a ReviewChangedNotification. */
export const ReviewScanFolderRequest = new ProtocolRequestType<ReviewScanFolderParams, ReviewScanFolderResult, never, void, void>('deid/review/scanFolder');

/** client → server: record (or, with `clear`, remove) a decision; the result is the file's review afterwards. */
export interface ReviewDecideParams {
	uri: string;
	/** The finding's range, or the span to add. */
	range: Range;
	decision: ReviewDecisionKind | 'clear';
	/** For changeType and add. */
	type?: EntityType;
	/** For reject (default 'file'). */
	scope?: RejectScope;
}
export const ReviewDecideRequest = new RequestType<ReviewDecideParams, FileReview, void>('deid/review/decide');

/** client → server: mark a file reviewed although it has no findings (or unmark it). */
export interface ReviewMarkFileParams {
	uri: string;
	reviewed: boolean;
}
export const ReviewMarkFileRequest = new RequestType<ReviewMarkFileParams, FileReview, void>('deid/review/markFile');

/** client → server: verify a folder job's output: a second, more sensitive pass and a search for replaced values. */
export interface VerifyOutputParams extends WorkDoneProgressParams {
	/** The output folder (file system path), as a folder job wrote it. */
	output: string;
	scopeUri?: string;
}
export interface VerifySuspect {
	range: Range;
	type: EntityType;
	confidence: number;
	/** 'detector': found by the sensitive pass; 'replaced': a value the job replaced is still present. */
	reason: 'detector' | 'replaced';
}
export interface VerifyOutputResult {
	files: number;
	suspects: number;
	/** Suspects per output file (uri), by type and range: never the text. */
	byFile: { uri: string; suspects: VerifySuspect[] }[];
	cancelled: boolean;
	/** Set when the folder is not a folder job's output (no manifest) or cannot be read. */
	error?: string;
}
export const VerifyOutputRequest = new ProtocolRequestType<VerifyOutputParams, VerifyOutputResult, never, void, void>('deid/verifyOutput');

/**
 * client → server: the reviewed files of a workspace folder as an annotated test set for `deid evaluate`: each
 * plain-text file's text and its findings after the decisions (brat `.ann` or `.deid.json`), named by the keyed
 * digest of its path (never the path). The text is the user's own notes: the set holds PHI by design.
 */
export interface ReviewExportParams extends WorkDoneProgressParams {
	/** A workspace folder (file system path) whose `.deid/review.json` holds the decisions. */
	folder: string;
	/** A folder outside it. */
	out: string;
	format: 'brat' | 'json';
}
export interface ReviewExportResult {
	/** Reviewed files written. */
	files: number;
	spans: number;
	/** Files not written: relative path and reason (not reviewed, NDJSON, unreadable; never content). */
	skipped: { path: string; reason: string }[];
	error?: string;
}
export const ReviewExportRequest = new ProtocolRequestType<ReviewExportParams, ReviewExportResult, never, void, void>('deid/review/export');

/** A confidence as users read it: 99.6%, not a rounded-up 100% (scores from 0.5 up are calibrated). Shared by
 * the server's hovers and diagnostics and the client's findings view. */
export function formatConfidence(c: number): string {
	const pct = c * 100;
	return `${pct >= 99 && pct < 100 ? (Math.floor(pct * 10) / 10).toFixed(1) : Math.round(pct)}%`;
}
