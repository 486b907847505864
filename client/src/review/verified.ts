import * as vscode from 'vscode';
import type { FileReview, ReviewFinding, VerifyOutputResult } from '../../../server/src/protocol';

const REASON_DETECTOR: Record<'detector' | 'replaced', string> = { detector: 'verify: sensitive pass', replaced: 'verify: replaced value still present' };

/** The text of a range of `lines`, cut to the view's label length. */
function previewOf(lines: string[], f: { range: ReviewFinding['range'] }): string {
	const { start, end } = f.range;
	const text = start.line === end.line ? (lines[start.line] ?? '').slice(start.character, end.character) : (lines[start.line] ?? '').slice(start.character);
	return text.length > 80 ? text.slice(0, 79) + '…' : text;
}

/**
 * A verify run's suspects as reviews of the output files, so that the findings view lists them beside the
 * findings of the sources (file → type → suspect). The preview is read from the output for the label only.
 */
export async function reviewsOfVerify(result: VerifyOutputResult): Promise<FileReview[]> {
	const reviews: FileReview[] = [];
	for (const file of result.byFile) {
		if (!file.suspects.length) continue;
		let lines: string[] = [];
		try {
			lines = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(file.uri))).split(/\r?\n/);
		} catch {
			/* the label stays empty when the output cannot be read */
		}
		const findings = file.suspects.map((s, i): ReviewFinding => ({
			id: `verify-${i}`,
			range: s.range,
			type: s.type,
			detectedType: s.type,
			confidence: s.confidence,
			detector: REASON_DETECTOR[s.reason],
			preview: previewOf(lines, s),
		}));
		reviews.push({ uri: file.uri, findings, reviewed: false, pending: findings.length });
	}
	return reviews;
}
