import FITTED from './calibration.json';
import type { Language } from '../types';

/**
 * Confidence calibration. Detectors score candidates on their own scale; a reported finding's confidence is that
 * score mapped through a monotone table fitted by isotonic regression (npm run bench:calibrate) on the
 * development corpora, per language profile: the share of findings with that score that were PHI. Scores below the default threshold
 * (0.5) are candidate scores and stay as they are; scores at or above it map to [0.5, 1], so the default threshold
 * keeps its meaning and a higher threshold (deid.minConfidence, per type) asks for a measured precision.
 */
export interface Calibration {
	/** [highest raw score of a pooled block, its precision] pairs, ascending in both: a step function. */
	knots: [number, number][];
}

const TABLES = FITTED as unknown as Partial<Record<Language, Calibration>>;

export function calibrationFor(language: Language): Calibration {
	return TABLES[language] ?? { knots: [] };
}

/** The calibrated confidence of a raw score: the fitted precision of the first pooled block whose scores reach it. */
export function calibrate(raw: number, table: Calibration): number {
	if (raw < 0.5 || table.knots.length === 0) return raw;
	for (const [x, y] of table.knots) if (raw <= x + 1e-9) return Math.max(0.5, Math.min(1, y));
	return Math.max(0.5, table.knots[table.knots.length - 1][1]);
}
