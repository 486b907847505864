import * as vscode from 'vscode';
import type { ReviewStore } from './store';

/** Explorer badges: "✓" on a reviewed file, the number of findings to review on the others. */
export class ReviewDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
	private readonly emitter = new vscode.EventEmitter<vscode.Uri[]>();
	readonly onDidChangeFileDecorations = this.emitter.event;
	private readonly sub: vscode.Disposable;

	constructor(private readonly store: ReviewStore) {
		this.sub = store.onDidChange((reviews) => this.emitter.fire(reviews.map((r) => vscode.Uri.parse(r.uri))));
	}

	provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
		const review = this.store.get(uri.toString());
		if (!review) return undefined;
		if (review.reviewed) {
			const d = new vscode.FileDecoration(
				'✓',
				`PHI review: reviewed (${review.findings.length} finding${review.findings.length === 1 ? '' : 's'} decided)`,
				new vscode.ThemeColor('testing.iconPassed'),
			);
			d.propagate = false;
			return d;
		}
		if (review.pending > 0) {
			// a badge holds at most two characters
			const d = new vscode.FileDecoration(
				review.pending > 99 ? '99' : String(review.pending),
				`PHI review: ${review.pending} finding${review.pending === 1 ? '' : 's'} to review`,
			);
			d.propagate = false;
			return d;
		}
		return undefined;
	}

	dispose(): void {
		this.sub.dispose();
		this.emitter.dispose();
	}
}
