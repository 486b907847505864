import * as vscode from 'vscode';
import { pickFolder } from '../folderPick';
import { WorkDoneProgress, type LanguageClient, type Range } from 'vscode-languageclient/node';
import {
	ENTITY_TYPES,
	ReviewDecideRequest,
	ReviewMarkFileRequest,
	ReviewScanFolderRequest,
	type EntityType,
	type FileReview,
	type RejectScope,
	type ReviewDecideParams,
	type ReviewFinding,
	type ReviewScanFolderResult,
} from '../../../server/src/protocol';
import type { FindingsProvider, ReviewNode } from './findingsView';
import { compareFindings, compareUris, isPending, type ReviewFilter, type ReviewStore } from './store';

/** A finding named by a script or test instead of a tree node. */
export interface FindingRef {
	uri: string;
	range: Range;
}

const toRange = (r: Range) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
const fromRange = (r: vscode.Range): Range => ({
	start: { line: r.start.line, character: r.start.character },
	end: { line: r.end.line, character: r.end.character },
});

/** The server predates the review requests (method not found): say so once, plainly. */
function explain(err: unknown, what: string): undefined {
	const code = (err as { code?: number })?.code;
	const message = code === -32601 ? 'the language server does not support review requests' : err instanceof Error ? err.message : String(err);
	void vscode.window.showErrorMessage(`${what}: ${message}`);
	return undefined;
}

/** A file or type node: a decision on it applies to its findings still to review. */
function isGroup(arg: ReviewNode | FindingRef | undefined): boolean {
	return !!arg && 'kind' in arg && arg.kind !== 'finding';
}

export class ReviewCommands {
	constructor(
		private readonly client: LanguageClient,
		private readonly store: ReviewStore,
		private readonly provider: FindingsProvider,
		private readonly view: vscode.TreeView<ReviewNode>,
	) {}

	/** The findings a command applies to: the node it was invoked on, the finding at the cursor, or the tree's selection. */
	private targets(arg: ReviewNode | FindingRef | undefined, pendingOnly = false): { uri: string; finding: ReviewFinding }[] {
		if (arg && 'range' in arg) {
			const f = this.store.get(arg.uri)?.findings.find((x) => toRange(x.range).isEqual(toRange(arg.range)));
			return f ? [{ uri: arg.uri, finding: f }] : [];
		}
		const node = arg ?? this.atCursor() ?? this.view.selection[0];
		if (!node) return [];
		if (node.kind === 'finding') return [{ uri: node.uri, finding: node.finding }];
		const review = this.store.get(node.uri);
		if (!review) return [];
		return this.store
			.findings(review)
			.filter((f) => (node.kind === 'file' || f.type === node.type) && (!pendingOnly || isPending(f)))
			.map((finding) => ({ uri: node.uri, finding }));
	}

	private atCursor(): ReviewNode | undefined {
		const editor = vscode.window.activeTextEditor;
		if (!editor) return undefined;
		const uri = editor.document.uri.toString();
		const pos = editor.selection.start;
		const f = this.store.get(uri)?.findings.find((x) => toRange(x.range).contains(pos) || toRange(x.range).isEqual(editor.selection));
		return f ? this.provider.findingNode(uri, f) : undefined;
	}

	private async decide(params: ReviewDecideParams): Promise<FileReview | undefined> {
		try {
			const review = await this.client.sendRequest(ReviewDecideRequest, params);
			this.store.set(review);
			return review;
		} catch (err) {
			return explain(err, 'PHI review');
		}
	}

	private nothing(): void {
		void vscode.window.showInformationMessage('Put the cursor on a finding, or pick one in the PHI Findings view.');
	}

	async accept(arg?: ReviewNode | FindingRef): Promise<void> {
		const targets = this.targets(arg, isGroup(arg));
		if (!targets.length) return this.nothing();
		for (const t of targets) await this.decide({ uri: t.uri, range: t.finding.range, decision: 'accept' });
	}

	async reject(arg?: ReviewNode | FindingRef, scope?: RejectScope): Promise<void> {
		const targets = this.targets(arg, isGroup(arg));
		if (!targets.length) return this.nothing();
		if (!scope) {
			const pick = await vscode.window.showQuickPick(
				[
					{ label: 'This finding', description: 'not PHI here only', scope: 'file' as RejectScope },
					{ label: 'This folder', description: 'the same value is not PHI in any file of this folder', scope: 'folder' as RejectScope },
					{ label: 'This workspace', description: 'the same value is not PHI anywhere in the workspace', scope: 'workspace' as RejectScope },
				],
				{ title: 'Reject finding (not PHI): scope' },
			);
			if (!pick) return;
			scope = pick.scope;
		}
		for (const t of targets) await this.decide({ uri: t.uri, range: t.finding.range, decision: 'reject', scope });
	}

	async changeType(arg?: ReviewNode | FindingRef, type?: EntityType): Promise<void> {
		const targets = this.targets(arg);
		if (!targets.length) return this.nothing();
		if (!type) {
			const current = targets.length === 1 ? targets[0].finding.type : undefined;
			const pick = await vscode.window.showQuickPick(
				ENTITY_TYPES.filter((t) => t !== current).map((t) => ({ label: t })),
				{ title: current ? `Change type (now ${current})` : 'Change type' },
			);
			if (!pick) return;
			type = pick.label as EntityType;
		}
		for (const t of targets) await this.decide({ uri: t.uri, range: t.finding.range, decision: 'changeType', type });
	}

	async clearDecision(arg?: ReviewNode | FindingRef): Promise<void> {
		const targets = this.targets(arg).filter((t) => t.finding.decision);
		if (!targets.length) return this.nothing();
		for (const t of targets) await this.decide({ uri: t.uri, range: t.finding.range, decision: 'clear' });
	}

	/** "Add Missed PHI": the editor's selection becomes a finding of the chosen type. */
	async addMissed(type?: EntityType): Promise<void> {
		const editor = vscode.window.activeTextEditor;
		if (!editor || editor.selection.isEmpty) {
			void vscode.window.showWarningMessage('Select the missed PHI in the editor first.');
			return;
		}
		const selection = editor.selection;
		if (!type) {
			const pick = await vscode.window.showQuickPick(ENTITY_TYPES.map((t) => ({ label: t })), { title: 'Add missed PHI: type' });
			if (!pick) return;
			type = pick.label as EntityType;
		}
		await this.decide({ uri: editor.document.uri.toString(), range: fromRange(selection), decision: 'add', type });
	}

	async markFileReviewed(arg?: ReviewNode | vscode.Uri, reviewed = true): Promise<void> {
		const uri = arg instanceof vscode.Uri ? arg.toString() : (arg?.uri ?? vscode.window.activeTextEditor?.document.uri.toString());
		if (!uri) return;
		try {
			this.store.set(await this.client.sendRequest(ReviewMarkFileRequest, { uri, reviewed }));
		} catch (err) {
			explain(err, 'PHI review');
		}
	}

	/** Next (or previous) finding without a decision, across files in the view's order; wraps around. */
	async go(direction: 1 | -1): Promise<void> {
		const all: { uri: string; finding: ReviewFinding }[] = [];
		for (const r of this.store.all()) for (const f of this.store.findings(r)) if (isPending(f)) all.push({ uri: r.uri, finding: f });
		if (!all.length) {
			void vscode.window.showInformationMessage(
				this.store.all().length ? 'No findings left to review.' : 'No findings yet: scan the workspace or open a file.',
			);
			return;
		}
		const editor = vscode.window.activeTextEditor;
		const here = editor ? { uri: editor.document.uri.toString(), range: fromRange(editor.selection) } : undefined;
		const cmp = (a: { uri: string; range: Range }, b: { uri: string; range: Range }) => compareUris(a.uri, b.uri) || compareFindings(a, b);
		let target: (typeof all)[number] | undefined;
		if (!here) target = direction > 0 ? all[0] : all[all.length - 1];
		else if (direction > 0) target = all.find((t) => cmp({ uri: t.uri, range: t.finding.range }, here) > 0) ?? all[0];
		else target = [...all].reverse().find((t) => cmp({ uri: t.uri, range: t.finding.range }, here) < 0) ?? all[all.length - 1];
		await vscode.window.showTextDocument(vscode.Uri.parse(target.uri), { selection: toRange(target.finding.range), preview: true });
		if (this.view.visible)
			await Promise.resolve(this.view.reveal(this.provider.findingNode(target.uri, target.finding), { select: true, focus: false })).catch(
				() => undefined,
			);
	}

	/** Asks for types and a minimum confidence; `given` sets them directly (tests and scripted use). */
	async filter(given?: ReviewFilter): Promise<void> {
		if (given && Array.isArray(given.types)) return this.store.setFilter({ types: given.types, minConfidence: given.minConfidence ?? 0 });
		const counts = new Map<EntityType, number>();
		for (const r of this.store.all()) for (const f of r.findings) counts.set(f.type, (counts.get(f.type) ?? 0) + 1);
		const current = this.store.filter;
		const types = ENTITY_TYPES.filter((t) => counts.has(t) || current.types.includes(t));
		const pickedTypes = await vscode.window.showQuickPick(
			types.map((t) => ({ label: t, description: `${counts.get(t) ?? 0}`, picked: current.types.includes(t) })),
			{ title: 'Filter findings: types (none picked: every type)', canPickMany: true },
		);
		if (!pickedTypes) return;
		const levels = [0, 0.5, 0.7, 0.8, 0.9, 0.95];
		const pickedLevel = await vscode.window.showQuickPick(
			levels.map((l) => ({
				label: l === 0 ? 'Any confidence' : `≥ ${Math.round(l * 100)}%`,
				level: l,
				picked: l === current.minConfidence,
				description: l === current.minConfidence ? 'current' : undefined,
			})),
			{ title: 'Filter findings: minimum confidence' },
		);
		if (!pickedLevel) return;
		this.store.setFilter({ types: pickedTypes.map((p) => p.label as EntityType), minConfidence: pickedLevel.level });
	}

	clearFilter(): void {
		this.store.setFilter({ types: [], minConfidence: 0 });
	}

	/** Scan folders (closed files too) in the server; each file arrives as a ReviewChangedNotification. */
	async scan(folders: string[]): Promise<ReviewScanFolderResult[]> {
		const results: ReviewScanFolderResult[] = [];
		await vscode.window.withProgress(
			{ location: vscode.ProgressLocation.Notification, title: 'Scanning for PHI', cancellable: true },
			async (progress, cancel) => {
				for (const [i, folder] of folders.entries()) {
					if (cancel.isCancellationRequested) break;
					const token = `deid-review-scan-${Date.now()}-${i}`;
					const prefix = folders.length > 1 ? `${vscode.workspace.asRelativePath(folder, true)}: ` : '';
					let last = 0;
					const sub = this.client.onProgress(WorkDoneProgress.type, token, (v) => {
						if (v.kind === 'end') return;
						const pct = (v.percentage ?? last) / folders.length;
						progress.report({ message: `${prefix}${v.message ?? ''}`, increment: Math.max(0, pct - last) });
						last = Math.max(last, pct);
					});
					try {
						results.push(
							await this.client.sendRequest(
								ReviewScanFolderRequest,
								{ folder, workDoneToken: token, scopeUri: vscode.Uri.file(folder).toString() },
								cancel,
							),
						);
					} catch (err) {
						if (cancel.isCancellationRequested) results.push({ files: 0, findings: 0, cancelled: true, failures: [] });
						else {
							explain(err, 'Scan for PHI');
							return;
						}
					} finally {
						sub.dispose();
					}
				}
			},
		);
		if (!results.length) return results;
		const files = results.reduce((n, r) => n + r.files, 0);
		const findings = results.reduce((n, r) => n + r.findings, 0);
		const failed = results.reduce((n, r) => n + r.failures.length, 0);
		const cancelled = results.some((r) => r.cancelled) || results.length < folders.length;
		void vscode.window.showInformationMessage(
			`${cancelled ? 'Scan for PHI cancelled after' : 'Scanned'} ${files.toLocaleString()} file${files === 1 ? '' : 's'} for PHI: ${findings.toLocaleString()} finding${findings === 1 ? '' : 's'}${failed ? `, ${failed} not scanned` : ''}.`,
		);
		if (findings) void vscode.commands.executeCommand('deid.findings.focus');
		return results;
	}

	async scanWorkspace(): Promise<ReviewScanFolderResult[]> {
		const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
		if (!folders.length) {
			void vscode.window.showWarningMessage('Open a folder first, or use Scan Folder for PHI….');
			return [];
		}
		return this.scan(folders);
	}

	async scanFolder(arg?: vscode.Uri | string): Promise<ReviewScanFolderResult[]> {
		let folder = arg instanceof vscode.Uri ? arg.fsPath : arg;
		if (!folder) {
			folder = await pickFolder({ title: 'Scan Folder for PHI', openLabel: 'Scan for PHI' });
			if (!folder) return [];
		}
		return this.scan([folder]);
	}
}
