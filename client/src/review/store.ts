import * as vscode from 'vscode';
import type { EntityType, FileReview, ReviewFinding } from '../../../server/src/protocol';

/** Which findings the view and next/previous show. */
export interface ReviewFilter {
	/** Empty: every type. */
	types: EntityType[];
	/** 0..1, on the calibrated confidence. */
	minConfidence: number;
}

/** The reviews the server sent, by file URI: the one source for the tree, decorations, status and navigation. */
export class ReviewStore implements vscode.Disposable {
	private readonly files = new Map<string, FileReview>();
	private readonly emitter = new vscode.EventEmitter<FileReview[]>();
	/** Fired with the reviews that changed (also after a filter change, with every review). */
	readonly onDidChange = this.emitter.event;
	filter: ReviewFilter = { types: [], minConfidence: 0 };

	set(...reviews: FileReview[]): void {
		for (const r of reviews) this.files.set(r.uri, r);
		if (reviews.length) this.emitter.fire(reviews);
	}

	get(uri: string): FileReview | undefined {
		return this.files.get(uri);
	}

	all(): FileReview[] {
		return [...this.files.values()].sort((a, b) => compareUris(a.uri, b.uri));
	}

	setFilter(filter: ReviewFilter): void {
		this.filter = filter;
		this.emitter.fire(this.all());
	}

	get filtered(): boolean {
		return this.filter.types.length > 0 || this.filter.minConfidence > 0;
	}

	visible(f: ReviewFinding): boolean {
		// a reviewer's own additions are never hidden by the confidence filter
		if (f.decision !== 'add' && f.confidence < this.filter.minConfidence) return false;
		return this.filter.types.length === 0 || this.filter.types.includes(f.type);
	}

	/** The findings the view shows for a file, in document order. */
	findings(review: FileReview): ReviewFinding[] {
		return review.findings.filter((f) => this.visible(f)).sort(compareFindings);
	}

	dispose(): void {
		this.emitter.dispose();
	}
}

export function compareUris(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

export function compareFindings(a: Pick<ReviewFinding, 'range'>, b: Pick<ReviewFinding, 'range'>): number {
	return (
		a.range.start.line - b.range.start.line ||
		a.range.start.character - b.range.start.character ||
		a.range.end.line - b.range.end.line ||
		a.range.end.character - b.range.end.character
	);
}

export function isPending(f: ReviewFinding): boolean {
	return !f.decision;
}

/** The filter as the view's description shows it, e.g. "Patient, Doctor · ≥ 80%". */
export function describeFilter(filter: ReviewFilter): string {
	const parts: string[] = [];
	if (filter.types.length) parts.push(filter.types.length > 3 ? `${filter.types.length} types` : filter.types.join(', '));
	if (filter.minConfidence > 0) parts.push(`≥ ${Math.round(filter.minConfidence * 100)}%`);
	return parts.join(' · ');
}
