import * as vscode from 'vscode';
import { formatConfidence, type EntityType, type FileReview, type ReviewFinding } from '../../../server/src/protocol';
import { describeFilter, isPending, type ReviewStore } from './store';

export const FINDINGS_VIEW = 'deid.findings';

export type ReviewNode =
	| { kind: 'file'; uri: string }
	| { kind: 'type'; uri: string; type: EntityType }
	| { kind: 'finding'; uri: string; finding: ReviewFinding };

const DECISION_LABEL: Record<string, string> = { accept: 'accepted', reject: 'rejected', changeType: 'type changed', add: 'added' };

function decisionIcon(f: ReviewFinding): vscode.ThemeIcon {
	switch (f.decision) {
		case 'accept':
			return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
		case 'changeType':
			return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
		case 'reject':
			return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
		case 'add':
			return new vscode.ThemeIcon('add', new vscode.ThemeColor('testing.iconPassed'));
		default:
			return new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('list.warningForeground'));
	}
}

export function findingDescription(f: ReviewFinding): string {
	const decision = f.decision
		? f.decision === 'reject' && f.scope && f.scope !== 'file'
			? `rejected (${f.scope})`
			: DECISION_LABEL[f.decision]
		: 'to review';
	return `${f.type} · ${f.decision === 'add' ? 'reviewer' : formatConfidence(f.confidence)} · ${decision}`;
}

/**
 * The PHI Findings tree: file → entity type → finding. Nodes are cached by key so that reveal() and getParent()
 * see the same objects the tree holds.
 */
export class FindingsProvider implements vscode.TreeDataProvider<ReviewNode>, vscode.Disposable {
	private readonly emitter = new vscode.EventEmitter<ReviewNode | undefined>();
	readonly onDidChangeTreeData = this.emitter.event;
	private readonly nodes = new Map<string, ReviewNode>();
	private readonly sub: vscode.Disposable;

	constructor(private readonly store: ReviewStore) {
		// a changed review can move findings between types: refresh from the root (cheap: the tree is lazy)
		this.sub = store.onDidChange((reviews) => {
			// forget the nodes of findings that are gone (edited away, or a file rescanned)
			for (const r of reviews) {
				const ids = new Set(r.findings.map((f) => `x|${r.uri}|${f.id}`));
				for (const key of this.nodes.keys()) if (key.startsWith(`x|${r.uri}|`) && !ids.has(key)) this.nodes.delete(key);
			}
			this.emitter.fire(undefined);
		});
	}

	private node<T extends ReviewNode>(key: string, make: () => T): T {
		let n = this.nodes.get(key) as T | undefined;
		if (!n) this.nodes.set(key, (n = make()));
		return n;
	}

	fileNode(uri: string): ReviewNode {
		return this.node(`f|${uri}`, () => ({ kind: 'file' as const, uri }));
	}

	typeNode(uri: string, type: EntityType): ReviewNode {
		return this.node(`t|${uri}|${type}`, () => ({ kind: 'type' as const, uri, type }));
	}

	findingNode(uri: string, finding: ReviewFinding): ReviewNode {
		const n = this.node(`x|${uri}|${finding.id}`, () => ({ kind: 'finding' as const, uri, finding }));
		// the same finding, with its latest decision and range
		(n as { finding: ReviewFinding }).finding = finding;
		return n;
	}

	private visibleFiles(): FileReview[] {
		return this.store.all().filter((r) => this.store.findings(r).length > 0);
	}

	getChildren(element?: ReviewNode): ReviewNode[] {
		if (!element) return this.visibleFiles().map((r) => this.fileNode(r.uri));
		const review = this.store.get(element.uri);
		if (!review) return [];
		const findings = this.store.findings(review);
		if (element.kind === 'file') {
			const counts = new Map<EntityType, number>();
			for (const f of findings) counts.set(f.type, (counts.get(f.type) ?? 0) + 1);
			return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t]) => this.typeNode(element.uri, t));
		}
		if (element.kind === 'type') return findings.filter((f) => f.type === element.type).map((f) => this.findingNode(element.uri, f));
		return [];
	}

	getParent(element: ReviewNode): ReviewNode | undefined {
		if (element.kind === 'file') return undefined;
		if (element.kind === 'type') return this.fileNode(element.uri);
		return this.typeNode(element.uri, element.finding.type);
	}

	getTreeItem(element: ReviewNode): vscode.TreeItem {
		const review = this.store.get(element.uri);
		const findings = review ? this.store.findings(review) : [];
		if (element.kind === 'file') {
			const uri = vscode.Uri.parse(element.uri);
			const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.Expanded);
			const pending = findings.filter(isPending).length;
			item.description = `${vscode.workspace.asRelativePath(uri.with({ path: uri.path.replace(/\/[^/]*$/, '') || '/' }), true)} · ${findings.length} finding${findings.length === 1 ? '' : 's'}${pending ? `, ${pending} to review` : review?.reviewed ? ', reviewed' : ''}`;
			item.contextValue = review?.reviewed ? 'file.reviewed' : 'file';
			item.tooltip = review?.error ? `Not scanned: ${review.error}` : undefined;
			item.id = `f|${element.uri}`;
			return item;
		}
		if (element.kind === 'type') {
			const own = findings.filter((f) => f.type === element.type);
			const pending = own.filter(isPending).length;
			const item = new vscode.TreeItem(element.type, vscode.TreeItemCollapsibleState.Expanded);
			item.description = `${own.length}${pending ? ` · ${pending} to review` : ''}`;
			item.iconPath = new vscode.ThemeIcon('symbol-field');
			item.contextValue = 'type';
			item.id = `t|${element.uri}|${element.type}`;
			return item;
		}
		const f = element.finding;
		const item = new vscode.TreeItem(f.preview.replace(/\s+/g, ' '), vscode.TreeItemCollapsibleState.None);
		item.description = findingDescription(f);
		item.iconPath = decisionIcon(f);
		item.contextValue = `finding.${f.decision ?? 'pending'}`;
		item.id = `x|${element.uri}|${f.id}`;
		// the tooltip shows no more text than the label: type, detector and decision only
		item.tooltip = `${f.type}${f.detectedType && f.detectedType !== f.type ? ` (detected as ${f.detectedType})` : ''} · ${f.decision === 'add' ? 'added by the reviewer' : `confidence ${formatConfidence(f.confidence)} · ${f.detector}`} · line ${f.range.start.line + 1}`;
		const range = new vscode.Range(f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character);
		item.command = {
			title: 'Reveal Finding',
			command: 'vscode.open',
			arguments: [vscode.Uri.parse(element.uri), { selection: range, preserveFocus: true } satisfies vscode.TextDocumentShowOptions],
		};
		return item;
	}

	dispose(): void {
		this.sub.dispose();
		this.emitter.dispose();
	}
}

/** The view: the tree, its filter description and the context keys its menus use. */
export function createFindingsView(store: ReviewStore): { view: vscode.TreeView<ReviewNode>; provider: FindingsProvider; disposables: vscode.Disposable[] } {
	const provider = new FindingsProvider(store);
	const view = vscode.window.createTreeView(FINDINGS_VIEW, { treeDataProvider: provider, showCollapseAll: true });
	const render = () => {
		const all = store.all();
		const total = all.reduce((n, r) => n + r.findings.length, 0);
		const shown = all.reduce((n, r) => n + store.findings(r).length, 0);
		const pending = all.reduce((n, r) => n + store.findings(r).filter(isPending).length, 0);
		view.description = store.filtered ? `Filter: ${describeFilter(store.filter)}` : undefined;
		view.badge = pending ? { value: pending, tooltip: `${pending} finding${pending === 1 ? '' : 's'} to review` } : undefined;
		view.message = store.filtered && total > 0 && shown === 0 ? `The filter (${describeFilter(store.filter)}) hides all ${total} findings.` : undefined;
		void vscode.commands.executeCommand('setContext', 'deid.review.filtered', store.filtered);
	};
	render();
	return { view, provider, disposables: [view, provider, store.onDidChange(render)] };
}
