import * as vscode from 'vscode';
import type { FileReview, StatusParams } from '../../server/src/protocol';
import { Commands } from '../../server/src/protocol';
import { DOCUMENT_SELECTOR } from './client';

/**
 * The count of findings in the active editor: always visible in the status bar (as spell checkers show theirs),
 * and a language status item with the counts by type.
 */
export class StatusItem implements vscode.Disposable {
	private readonly item: vscode.LanguageStatusItem;
	private readonly bar: vscode.StatusBarItem;
	private readonly byUri = new Map<string, StatusParams>();
	private readonly emitter = new vscode.EventEmitter<StatusParams>();
	readonly onDidChange = this.emitter.event;
	private readonly subs: vscode.Disposable[] = [];
	private readonly told = new Set<string>();
	private readonly reviews = new Map<string, Pick<FileReview, 'pending' | 'reviewed'>>();

	constructor() {
		this.item = vscode.languages.createLanguageStatusItem('deid.status', DOCUMENT_SELECTOR);
		this.item.name = 'De-identification';
		this.item.text = 'PHI: …';
		this.item.command = { title: 'Show Problems', command: 'workbench.actions.view.problems' };
		this.bar = vscode.window.createStatusBarItem('deid.count', vscode.StatusBarAlignment.Right, 100);
		this.bar.name = 'PHI findings';
		this.subs.push(vscode.window.onDidChangeActiveTextEditor(() => this.render()));
		this.render();
	}

	update(p: StatusParams): void {
		this.byUri.set(p.uri, p);
		if (p.skipped === 'tooLarge') this.explainTooLarge(p.uri);
		this.render();
		this.emitter.fire(p);
	}

	/** The review state of a file (PHI Findings view): shown next to its count. */
	setReview(uri: string, review: Pick<FileReview, 'pending' | 'reviewed'>): void {
		this.reviews.set(uri, { pending: review.pending, reviewed: review.reviewed });
		if (uri === vscode.window.activeTextEditor?.document.uri.toString()) this.render();
	}

	private reviewSuffix(uri: string): string {
		const r = this.reviews.get(uri);
		if (!r) return '';
		return r.pending > 0 ? ` · ${r.pending.toLocaleString()} to review` : r.reviewed ? ' · reviewed' : '';
	}

	/** Once per document and session: why it has no diagnostics, and what to use instead. */
	private explainTooLarge(uri: string): void {
		if (this.told.has(uri)) return;
		this.told.add(uri);
		const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
		const limit = vscode.workspace.getConfiguration('deid', doc?.uri).get<number>('maxFileSizeKb');
		const size = doc ? ` (${Math.ceil(doc.getText().length / 1024).toLocaleString()} KB)` : '';
		const folder = 'De-identify Folder…';
		const settings = 'Open Settings';
		void vscode.window
			.showInformationMessage(
				`This file${size} is larger than deid.maxFileSizeKb (${limit?.toLocaleString() ?? '?'} KB), so it is not scanned in the editor. De-identify Folder… and the deid CLI handle files of any size.`,
				folder,
				settings,
			)
			.then((pick) => {
				if (pick === folder) void vscode.commands.executeCommand(Commands.deidentifyFolder);
				if (pick === settings) void vscode.commands.executeCommand('workbench.action.openSettings', 'deid.maxFileSizeKb');
			});
	}

	get(uri: string): StatusParams | undefined {
		return this.byUri.get(uri);
	}

	private render(): void {
		this.renderLanguageStatus();
		const doc = vscode.window.activeTextEditor?.document;
		if (!doc || vscode.languages.match(DOCUMENT_SELECTOR, doc) === 0) return this.bar.hide();
		const p = this.byUri.get(doc.uri.toString());
		this.bar.text = !p
			? '$(shield) PHI …'
			: p.skipped === 'tooLarge'
				? '$(shield) PHI: not scanned'
				: p.skipped === 'disabled'
					? '$(shield) PHI: off'
					: p.output
						? `$(pass) De-identified ${p.output === 'report' ? 'report' : 'output'}${p.total ? `: ${p.total.toLocaleString()} possible leak(s)` : ''}`
						: `${p.scanning ? '$(sync~spin)' : '$(shield)'} PHI: ${p.total.toLocaleString()}${p.deidentified ? ` (${p.deidentified.toLocaleString()} de-identified)` : ''}${p.scanning ? ` (scanning ${Math.floor((100 * p.scanning.done) / Math.max(1, p.scanning.total))}%)` : ''}${this.reviewSuffix(doc.uri.toString())}`;
		this.bar.tooltip = this.tooltip(p);
		this.bar.backgroundColor = p?.total ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
		this.bar.command = this.item.command;
		this.bar.show();
	}

	/**
	 * One short line per type rather than one long line: the bar item sits at the window's right edge, where a wide
	 * tooltip was cut off.
	 */
	private tooltip(p: StatusParams | undefined): vscode.MarkdownString | string {
		if (!p || p.skipped || !p.total) return this.item.detail ? `De-identification: ${this.item.detail}` : 'De-identification';
		const md = new vscode.MarkdownString(`**De-identification** — ${p.total.toLocaleString()} finding(s)\n\n`);
		const rows = Object.entries(p.counts).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
		md.appendMarkdown(rows.map(([t, c]) => `${t}: ${(c ?? 0).toLocaleString()}`).join('  \n'));
		return md;
	}

	private renderLanguageStatus(): void {
		const uri = vscode.window.activeTextEditor?.document.uri.toString();
		const p = uri ? this.byUri.get(uri) : undefined;
		this.item.busy = false;
		if (!p) {
			this.item.text = 'PHI: …';
			this.item.detail = undefined;
			return;
		}
		if (p.skipped === 'tooLarge') {
			const limit = vscode.workspace.getConfiguration('deid', vscode.window.activeTextEditor?.document.uri).get<number>('maxFileSizeKb');
			this.item.text = 'PHI: not scanned';
			this.item.detail = `File larger than deid.maxFileSizeKb (${limit?.toLocaleString() ?? '?'} KB): use De-identify Folder…`;
			this.item.severity = vscode.LanguageStatusSeverity.Warning;
			this.item.command = { title: 'De-identify Folder…', command: Commands.deidentifyFolder };
			return;
		}
		if (p.skipped === 'disabled') {
			this.item.text = 'PHI: off';
			this.item.detail = 'deid.enable is false';
			this.item.severity = vscode.LanguageStatusSeverity.Information;
			return;
		}
		this.item.severity = p.total ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
		// a large document is scanned in pieces: its count grows until the scan is complete
		const progress = p.scanning ? ` (scanning ${Math.floor((100 * p.scanning.done) / Math.max(1, p.scanning.total))}%)` : '';
		this.item.text = `PHI: ${p.total.toLocaleString()}${progress}`;
		this.item.busy = !!p.scanning;
		this.item.detail = Object.entries(p.counts)
			.sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
			.map(([t, c]) => `${t} ${(c ?? 0).toLocaleString()}`)
			.join(', ') || 'no findings';
		this.item.command = { title: 'Show Problems', command: 'workbench.actions.view.problems' };
	}

	dispose(): void {
		this.item.dispose();
		this.bar.dispose();
		this.emitter.dispose();
		this.subs.forEach((s) => s.dispose());
	}
}
