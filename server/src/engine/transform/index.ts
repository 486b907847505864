// Transforms of found values: redaction labels and masks, format-preserving and dictionary surrogates, date shifts.
export type { Operation } from '../types';
export type { KeyedHash } from './keyed';
export { permuteIndex } from './keyed';
export { applyReplacements, DEFAULT_REDACTION_FORMAT, formatRedaction, maskSameLength, validateRedactionFormat, type Replacement } from './redact';
export { shapeSurrogate } from './fpe';
export { shiftDate } from './dates';
export type { SurrogateContext } from './context';
export { claimDigest, replacedUnits, SURROGATE_UNIT_TYPES } from './claims';
export { splitStreet } from './streets';
export { RESTRICTED_ZIP3, surrogateFor } from './surrogate';
