export * from './config';
export * from './engine';
export { parseJson, stringify, JsonNumber, FhirParseError, type FNode } from './tree';
export { isResourceType } from './model';
export * from './scrubText';
export * from './defaultConfig';
