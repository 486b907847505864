export * from './types';
export * from './dictionaries';
export { detect, finalize, findDenied, guessLanguage, mergeOverlaps, DEFAULT_MIN_CONFIDENCE } from './detect';
export * from './scan';
export * from './ndjson';
export * from './transform';
export { tokenize } from './tokenize';
export { ENGINE_VERSION } from './version';
export * from './deidentify';
