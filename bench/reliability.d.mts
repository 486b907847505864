/** Gold spans ([start, end)) per text file path. */
export function physionetGold(physionet: string): Map<string, [number, number][]>;
/** `deid scan --json` output with offsets moved to brat's convention (a leading BOM counted). */
export function bratAlignedScan(scanJsonl: string): string;
export function bratGold(dir: string): Map<string, [number, number][]>;
/** [confidence, hit] per finding of `deid scan --json` results. */
export function points(results: { path: string; findings: { start: number; end: number; confidence: number }[] }[], gold: Map<string, [number, number][]>): [number, number][];
/** Expected calibration error (10 bins) of the points with confidences mapped by `map`, and one row per bin. */
export function ece(pts: [number, number][], map: (c: number) => number): { ece: number; rows: string[] };
