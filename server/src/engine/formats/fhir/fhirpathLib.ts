// fhirpath.js and its R4 model are loaded on first use rather than at start-up: a thread that never meets FHIR
// (a folder-job worker on notes, the language server on plain text) is spared about 7 MB of heap and 23 MB of
// memory. The bundler still bundles them; only their initialisation waits.
import type * as FhirPath from 'fhirpath';

declare const require: (id: string) => unknown;

let lib: typeof FhirPath | undefined;
let model: unknown;

export function fhirpathLib(): typeof FhirPath {
	return (lib ??= require('fhirpath') as typeof FhirPath);
}

export function r4ModelData(): unknown {
	return (model ??= require('fhirpath/fhir-context/r4'));
}
