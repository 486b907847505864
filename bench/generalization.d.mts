export interface NamePools { first: string[]; last: string[]; firstWords: string[]; lastWords: string[]; towns: string[] }
export interface Scored { charRecall: number; precision: number; goldChars: number; byCategory: Record<string, number> }
export interface Spread { mean: number; min: number; max: number; sd: number }
export function namePools(dictionariesJson: string): NamePools;
export function inventedName(rnd: () => number, avoid?: Set<string>): string;
export function swapCorpus(o: { corpus: string; out: string; seed: number; names?: 'census' | 'invented'; pools: NamePools }): number;
export function scoreDocs(textDir: string, goldJsonl: string, scanJsonl: string): Scored;
export function scan(cli: string, dir: string, args?: string[]): string;
export function measureVariant(o: { cli: string; corpus: string; pools: NamePools; seed: number; names: 'census' | 'invented' }): Scored & { seed: number; names: string };
export function summary(xs: number[]): Spread;
export function aggregate(runs: Scored[]): { charRecall: Spread; precision: Spread; byCategory: Record<string, Spread> };
export function formatRun(label: string, r: Scored): string;
export function formatAggregate(label: string, a: { charRecall: Spread; precision: Spread; byCategory: Record<string, Spread> }): string;
