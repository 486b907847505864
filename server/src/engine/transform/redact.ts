import type { EntityType } from '../types';

export const DEFAULT_REDACTION_FORMAT = '[{TYPE}]';

/** Check an Azure-style redaction format: at most 16 characters, each variable at most once. */
export function validateRedactionFormat(format: string): string | undefined {
	if (format.length === 0 || format.length > 16) return 'The redaction format must have 1 to 16 characters.';
	for (const variable of ['{type}', '{Type}', '{TYPE}', '{len}']) {
		if (format.split(variable).length > 2) return `The variable ${variable} may appear only once in the redaction format.`;
	}
	if (format.startsWith('{len}')) return 'The variable {len} must follow the character it repeats (for example *{len}).';
	return undefined;
}

/**
 * Apply an Azure redaction format: {type} lower case, {Type} as named, {TYPE} upper case, and {len} repeats the
 * character before it to the length of the original value.
 */
export function formatRedaction(format: string, type: EntityType, original: string): string {
	let out = format.replace('{type}', type.toLowerCase()).replace('{Type}', type).replace('{TYPE}', type.toUpperCase());
	const at = out.indexOf('{len}');
	if (at > 0) {
		const repeated = out[at - 1];
		out = out.slice(0, at - 1) + repeated.repeat(Math.max(1, [...original].length)) + out.slice(at + 5);
	}
	return out;
}

/** Same-length mask that keeps line breaks. */
export function maskSameLength(original: string, ch = '*'): string {
	return original.replace(/[^\r\n]/g, ch);
}

export interface Replacement {
	start: number;
	end: number;
	text: string;
}

/** Apply replacements (non-overlapping, any order) to a text. */
export function applyReplacements(text: string, replacements: readonly Replacement[]): string {
	const sorted = [...replacements].sort((a, b) => a.start - b.start);
	let out = '';
	let at = 0;
	for (const r of sorted) {
		if (r.start < at) continue;
		out += text.slice(at, r.start) + r.text;
		at = r.end;
	}
	return out + text.slice(at);
}
