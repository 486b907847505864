/**
 * NDJSON support: find every string value (never keys) of a JSON line with the exact source span of each
 * decoded character, so findings in a decoded value map back onto the escaped source text.
 */
export interface JsonStringValue {
	/** Decoded value. */
	value: string;
	/** offsets[i] = source offset (in the line) of decoded code unit i; offsets[value.length] = closing quote. */
	offsets: Int32Array;
	/** Nearest enclosing object key, if any. */
	key?: string;
	/** JSON path of the value, e.g. ["name", 0, "family"]. */
	path: (string | number)[];
}

export interface JsonScanError {
	/** Offset in the line where parsing failed. */
	offset: number;
	/** Reason without any of the line's content. */
	message: string;
}

export type JsonScanResult = { ok: true; strings: JsonStringValue[] } | { ok: false; error: JsonScanError };

const MAX_DEPTH = 512;

/** Validates one JSON text and returns its string values. Iterative: deep nesting cannot overflow the stack. */
export function scanJson(src: string): JsonScanResult {
	const strings: JsonStringValue[] = [];
	let i = 0;
	const n = src.length;
	// Stack of containers: for objects we track the current key and whether a key or value is expected.
	type Frame = { kind: 'o'; key?: string; expect: 'key' | 'colon' | 'value' | 'comma' } | { kind: 'a'; index: number; expect: 'value' | 'comma' };
	const stack: Frame[] = [];
	let done = false;
	const fail = (message: string): JsonScanResult => ({ ok: false, error: { offset: Math.min(i, n), message } });
	const ws = () => {
		while (i < n) {
			const c = src.charCodeAt(i);
			if (c === 32 || c === 9 || c === 10 || c === 13) i++;
			else break;
		}
	};
	const path = (): (string | number)[] => stack.map((f) => (f.kind === 'o' ? (f.key ?? '') : f.index));
	const readString = (): { value: string; offsets: Int32Array } | string => {
		// src[i] === '"'
		i++;
		// Most strings hold no escape: their code units map one to one onto the source.
		for (let j = i; j < n; j++) {
			const c = src.charCodeAt(j);
			if (c === 34) {
				const offsets = new Int32Array(j - i + 1);
				for (let k = 0; k < offsets.length; k++) offsets[k] = i + k;
				const value = src.slice(i, j);
				i = j + 1;
				return { value, offsets };
			}
			if (c === 92 || c < 32) break;
		}
		const parts: string[] = [];
		const offs: number[] = [];
		let runStart = i;
		while (i < n) {
			const c = src.charCodeAt(i);
			if (c === 34) {
				if (i > runStart) pushRun(runStart, i);
				const value = parts.join('');
				offs.push(i);
				i++;
				return { value, offsets: Int32Array.from(offs) };
			}
			if (c === 92) {
				if (i > runStart) pushRun(runStart, i);
				const e = src[i + 1];
				const at = i;
				if (e === undefined) return 'unterminated escape';
				if (e === 'u') {
					const hex = src.slice(i + 2, i + 6);
					if (!/^[0-9a-fA-F]{4}$/.test(hex)) return 'invalid \\u escape';
					parts.push(String.fromCharCode(parseInt(hex, 16)));
					offs.push(at);
					i += 6;
				} else {
					const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
					const d = map[e];
					if (d === undefined) return 'invalid escape';
					parts.push(d);
					offs.push(at);
					i += 2;
				}
				runStart = i;
				continue;
			}
			if (c < 32) return 'control character in string';
			i++;
		}
		return 'unterminated string';
		function pushRun(a: number, b: number) {
			parts.push(src.slice(a, b));
			for (let k = a; k < b; k++) offs.push(k);
		}
	};
	const valueDone = () => {
		const top = stack[stack.length - 1];
		if (!top) done = true;
		else top.expect = 'comma';
	};
	ws();
	if (i >= n) return fail('empty line');
	while (i < n) {
		ws();
		if (i >= n) break;
		if (done) return fail('unexpected content after the JSON value');
		const top = stack[stack.length - 1];
		const c = src[i];
		if (top && top.kind === 'o' && top.expect === 'key') {
			if (c === '}' ) {
				stack.pop();
				i++;
				valueDone();
				continue;
			}
			if (c !== '"') return fail('expected a property name');
			const s = readString();
			if (typeof s === 'string') return fail(s);
			top.key = s.value;
			top.expect = 'colon';
			continue;
		}
		if (top && top.kind === 'o' && top.expect === 'colon') {
			if (c !== ':') return fail("expected ':'");
			i++;
			top.expect = 'value';
			continue;
		}
		if (top && top.expect === 'comma') {
			if (c === ',') {
				i++;
				if (top.kind === 'o') top.expect = 'key';
				else {
					top.index++;
					top.expect = 'value';
				}
				ws();
				if (top.kind === 'o' && src[i] === '}') return fail('trailing comma');
				if (top.kind === 'a' && src[i] === ']') return fail('trailing comma');
				continue;
			}
			if ((top.kind === 'o' && c === '}') || (top.kind === 'a' && c === ']')) {
				stack.pop();
				i++;
				valueDone();
				continue;
			}
			return fail(top.kind === 'o' ? "expected ',' or '}'" : "expected ',' or ']'");
		}
		// A value is expected
		if (c === '{' || c === '[') {
			if (stack.length >= MAX_DEPTH) return fail('nesting too deep');
			i++;
			if (c === '{') stack.push({ kind: 'o', expect: 'key' });
			else {
				stack.push({ kind: 'a', index: 0, expect: 'value' });
				ws();
				if (src[i] === ']') {
					stack.pop();
					i++;
					valueDone();
				}
			}
			continue;
		}
		if (c === ']' && top && top.kind === 'a') return fail('unexpected ]');
		if (c === '"') {
			const p = path();
			const s = readString();
			if (typeof s === 'string') return fail(s);
			const owner = [...stack].reverse().find((f) => f.kind === 'o') as { key?: string } | undefined;
			strings.push({ value: s.value, offsets: s.offsets, key: owner?.key, path: p });
			valueDone();
			continue;
		}
		const lit = /^(?:-?(?:0|[1-9]\d{0,400})(?:\.\d{1,400})?(?:[eE][+-]?\d{1,400})?|true|false|null)/.exec(src.slice(i, i + 1300));
		if (!lit) return fail('unexpected character');
		i += lit[0].length;
		valueDone();
	}
	if (!done) return fail('unexpected end of line');
	return { ok: true, strings };
}

/** Escape a replacement so it can stand inside a JSON string literal. */
export function jsonEscape(s: string): string {
	return JSON.stringify(s).slice(1, -1);
}

/** Split a document into lines with their offsets; a trailing \r belongs to the line break. */
export function splitLines(text: string): { start: number; text: string }[] {
	const out: { start: number; text: string }[] = [];
	let start = 0;
	while (start <= text.length) {
		let nl = text.indexOf('\n', start);
		if (nl < 0) nl = text.length;
		let end = nl;
		if (end > start && text.charCodeAt(end - 1) === 13) end--;
		out.push({ start, text: text.slice(start, end) });
		if (nl >= text.length) break;
		start = nl + 1;
	}
	return out;
}
