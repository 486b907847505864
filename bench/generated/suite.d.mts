export interface Rate { chars: number; recall: number; typedRecall: number }
export interface GeneratedResult {
	seed: number;
	documents: number;
	phiChars: number;
	scanSeconds: number;
	charRecall: number;
	typedCharRecall: number;
	precision: number;
	byType: Record<string, Rate>;
	byContext: Record<string, Rate>;
	byStyle: Record<string, Rate>;
	byKind: Record<string, Rate>;
	phiFree: { sentences: number; withFinding: number; share: number; byTemplate: Record<string, number> };
	missedExamples: string[];
	falsePositiveExamples: string[];
}
export function runGenerated(o: { cli: string; dictionaries: string; seed: number; count?: number; sentences?: number; examples?: number }): GeneratedResult;
export function formatGenerated(r: GeneratedResult): string;
