import { detect, type DetectOptions, type EntityType, type Finding } from '../../server/src/engine';
import { loadDictionaries } from '../../server/src/node/dictionaries';

export const dicts = loadDictionaries();

export function find(text: string, options: DetectOptions = {}): Finding[] {
	return detect(text, dicts, options);
}

/** The finding that covers `needle` (the nth occurrence) entirely, or undefined. */
export function covering(text: string, findings: Finding[], needle: string, nth = 0): Finding | undefined {
	let at = -1;
	for (let k = 0; k <= nth; k++) at = text.indexOf(needle, at + 1);
	if (at < 0) throw new Error(`fixture does not contain ${JSON.stringify(needle)}`);
	return findings.find((f) => f.start <= at && f.end >= at + needle.length);
}

export function typesOf(findings: Finding[]): EntityType[] {
	return findings.map((f) => f.type);
}
