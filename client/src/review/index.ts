import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Commands, ReviewChangedNotification, type EntityType, type FileReview, type RejectScope, type ReviewFinding } from '../../../server/src/protocol';
import type { StatusItem } from '../status';
import { ReviewCommands, type FindingRef } from './commands';
import { ReviewDecorations } from './decorations';
import { createFindingsView, FINDINGS_VIEW, type ReviewNode } from './findingsView';
import { ReviewStore, type ReviewFilter } from './store';
import { reviewsOfVerify } from './verified';
import { exportReviewAsAnnotations } from './exportAnnotations';
import { onVerified } from '../commands/verifyOutput';

/** What the end-to-end tests wait on. */
export interface ReviewApi {
	get(uri: vscode.Uri): FileReview | undefined;
	/** The findings the view and Next/Previous show for a file: the filter applied, in document order. */
	shown(uri: vscode.Uri): ReviewFinding[];
	onDidChange: vscode.Event<FileReview[]>;
}

/** The PHI Findings view, its commands, the Explorer badges and the status item's review count. */
export function registerReviewUi(client: LanguageClient, status: StatusItem): { disposables: vscode.Disposable[]; api: ReviewApi } {
	const store = new ReviewStore();
	const { view, provider, disposables } = createFindingsView(store);
	const cmds = new ReviewCommands(client, store, provider, view);
	const decorations = new ReviewDecorations(store);
	return {
		api: {
			get: (uri) => store.get(uri.toString()),
			shown: (uri) => {
				const review = store.get(uri.toString());
				return review ? store.findings(review) : [];
			},
			onDidChange: store.onDidChange,
		},
		disposables: [
			store,
			...disposables,
			decorations,
			vscode.window.registerFileDecorationProvider(decorations),
			client.onNotification(ReviewChangedNotification, (r) => store.set(r)),
			// a verify run's suspects open in the view, beside the sources' findings
			onVerified(async ({ result }) => {
				const reviews = await reviewsOfVerify(result);
				store.set(...reviews);
				if (!reviews.length) return;
				await vscode.commands.executeCommand(`${FINDINGS_VIEW}.focus`);
				// scrolled to the first output with suspects, its types and suspects open
				await Promise.resolve(view.reveal(provider.fileNode(reviews[0].uri), { expand: 2, select: false, focus: false })).catch(
					() => undefined,
				);
			}),
			store.onDidChange((reviews) => reviews.forEach((r) => status.setReview(r.uri, r))),
			vscode.commands.registerCommand(Commands.reviewScanWorkspace, () => cmds.scanWorkspace()),
			vscode.commands.registerCommand(Commands.reviewScanFolder, (arg?: vscode.Uri | string) => cmds.scanFolder(arg)),
			vscode.commands.registerCommand(Commands.reviewNext, () => cmds.go(1)),
			vscode.commands.registerCommand(Commands.reviewPrevious, () => cmds.go(-1)),
			vscode.commands.registerCommand(Commands.reviewAccept, (arg?: ReviewNode | FindingRef) => cmds.accept(arg)),
			vscode.commands.registerCommand(Commands.reviewReject, (arg?: ReviewNode | FindingRef, scope?: RejectScope) => cmds.reject(arg, scope)),
			vscode.commands.registerCommand(Commands.reviewChangeType, (arg?: ReviewNode | FindingRef, type?: EntityType) =>
				cmds.changeType(arg, type),
			),
			vscode.commands.registerCommand(Commands.reviewClearDecision, (arg?: ReviewNode | FindingRef) => cmds.clearDecision(arg)),
			vscode.commands.registerCommand(Commands.reviewAddMissed, (type?: EntityType) =>
				cmds.addMissed(typeof type === 'string' ? type : undefined),
			),
			vscode.commands.registerCommand(Commands.reviewMarkFileReviewed, (arg?: ReviewNode | vscode.Uri) => cmds.markFileReviewed(arg)),
			vscode.commands.registerCommand(Commands.reviewFilter, (given?: ReviewFilter) => cmds.filter(given)),
			vscode.commands.registerCommand(Commands.reviewClearFilter, () => cmds.clearFilter()),
			vscode.commands.registerCommand(Commands.reviewExportAnnotations, (args?: Parameters<typeof exportReviewAsAnnotations>[1]) =>
				exportReviewAsAnnotations(client, args),
			),
		],
	};
}
