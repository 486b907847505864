/** Compiled once (the bundler turns inline Unicode-property literals into per-call constructors). */
export const HAS_LETTER = /\p{L}/u;
export const DIGITS = /^\d/;
/** A word of a value: its text and the blanks after it. */
export const WORD_SPLIT = /(\s+)/;

/** Case-insensitive, blank-insensitive form of a value: what its surrogate is keyed by. */
export const normalise = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** Write `value` in the case of `template`: all capitals, all lower case, or as given. */
export function applyCase(template: string, value: string): string {
	if (template.length > 1 && template === template.toUpperCase() && template !== template.toLowerCase()) return value.toUpperCase();
	if (template === template.toLowerCase() && template !== template.toUpperCase()) return value.toLowerCase();
	return value;
}
