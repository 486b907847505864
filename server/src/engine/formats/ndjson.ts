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
	return new JsonScanner(src).scan();
}

/** An open container: for objects, the current key and whether a key, colon, value or comma comes next. */
type Frame = { kind: 'o'; key?: string; expect: 'key' | 'colon' | 'value' | 'comma' } | { kind: 'a'; index: number; expect: 'value' | 'comma' };

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** One pass over a JSON text: each step reads one token where the innermost container expects it. */
class JsonScanner {
	private i = 0;
	private readonly n: number;
	private readonly stack: Frame[] = [];
	/** The top-level value is complete: only white space may follow. */
	private done = false;
	private readonly strings: JsonStringValue[] = [];

	constructor(private readonly src: string) {
		this.n = src.length;
	}

	scan(): JsonScanResult {
		this.ws();
		if (this.i >= this.n) return this.fail('empty line');
		while (this.i < this.n) {
			this.ws();
			if (this.i >= this.n) break;
			if (this.done) return this.fail('unexpected content after the JSON value');
			const error = this.step();
			if (error !== undefined) return this.fail(error);
		}
		if (!this.done) return this.fail('unexpected end of line');
		return { ok: true, strings: this.strings };
	}

	private fail(message: string): JsonScanResult {
		return { ok: false, error: { offset: Math.min(this.i, this.n), message } };
	}

	private ws(): void {
		const { src, n } = this;
		while (this.i < n) {
			const c = src.charCodeAt(this.i);
			if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
			else break;
		}
	}

	/** One token; an error message when it is not what the context allows. */
	private step(): string | undefined {
		const top = this.stack[this.stack.length - 1];
		if (top?.kind === 'o' && top.expect === 'key') return this.key(top);
		if (top?.kind === 'o' && top.expect === 'colon') {
			if (this.src[this.i] !== ':') return "expected ':'";
			this.i++;
			top.expect = 'value';
			return undefined;
		}
		if (top?.expect === 'comma') return this.afterValue(top);
		return this.value(top);
	}

	private key(top: Frame & { kind: 'o' }): string | undefined {
		const c = this.src[this.i];
		if (c === '}') {
			this.stack.pop();
			this.i++;
			this.valueDone();
			return undefined;
		}
		if (c !== '"') return 'expected a property name';
		const s = this.readString();
		if (typeof s === 'string') return s;
		top.key = s.value;
		top.expect = 'colon';
		return undefined;
	}

	/** After a value inside a container: a comma, or the container's end. */
	private afterValue(top: Frame): string | undefined {
		const c = this.src[this.i];
		if (c === ',') {
			this.i++;
			if (top.kind === 'o') top.expect = 'key';
			else {
				top.index++;
				top.expect = 'value';
			}
			this.ws();
			if (top.kind === 'o' && this.src[this.i] === '}') return 'trailing comma';
			if (top.kind === 'a' && this.src[this.i] === ']') return 'trailing comma';
			return undefined;
		}
		if ((top.kind === 'o' && c === '}') || (top.kind === 'a' && c === ']')) {
			this.stack.pop();
			this.i++;
			this.valueDone();
			return undefined;
		}
		return top.kind === 'o' ? "expected ',' or '}'" : "expected ',' or ']'";
	}

	/** A value: a container opens, a string is kept with its path, a number or literal is skipped. */
	private value(top: Frame | undefined): string | undefined {
		const { src, stack } = this;
		const c = src[this.i];
		if (c === '{' || c === '[') {
			if (stack.length >= MAX_DEPTH) return 'nesting too deep';
			this.i++;
			if (c === '{') stack.push({ kind: 'o', expect: 'key' });
			else {
				stack.push({ kind: 'a', index: 0, expect: 'value' });
				this.ws();
				if (src[this.i] === ']') {
					stack.pop();
					this.i++;
					this.valueDone();
				}
			}
			return undefined;
		}
		if (c === ']' && top && top.kind === 'a') return 'unexpected ]';
		if (c === '"') {
			const path = stack.map((f) => (f.kind === 'o' ? (f.key ?? '') : f.index));
			const s = this.readString();
			if (typeof s === 'string') return s;
			const owner = [...stack].reverse().find((f) => f.kind === 'o') as { key?: string } | undefined;
			this.strings.push({ value: s.value, offsets: s.offsets, key: owner?.key, path });
			this.valueDone();
			return undefined;
		}
		const lit = /^(?:-?(?:0|[1-9]\d{0,400})(?:\.\d{1,400})?(?:[eE][+-]?\d{1,400})?|true|false|null)/.exec(src.slice(this.i, this.i + 1300));
		if (!lit) return 'unexpected character';
		this.i += lit[0].length;
		this.valueDone();
		return undefined;
	}

	private valueDone(): void {
		const top = this.stack[this.stack.length - 1];
		if (!top) this.done = true;
		else top.expect = 'comma';
	}

	/** The string at src[i] === '"': its value and source offsets, or an error message. */
	private readString(): { value: string; offsets: Int32Array } | string {
		const { src, n } = this;
		const start = ++this.i;
		// Most strings hold no escape: their code units map one to one onto the source.
		for (let j = start; j < n; j++) {
			const c = src.charCodeAt(j);
			if (c === 34) {
				const offsets = new Int32Array(j - start + 1);
				for (let k = 0; k < offsets.length; k++) offsets[k] = start + k;
				this.i = j + 1;
				return { value: src.slice(start, j), offsets };
			}
			if (c === 92 || c < 32) break;
		}
		return this.readEscapedString();
	}

	private readEscapedString(): { value: string; offsets: Int32Array } | string {
		const { src, n } = this;
		const parts: string[] = [];
		const offs: number[] = [];
		const pushRun = (a: number, b: number) => {
			parts.push(src.slice(a, b));
			for (let k = a; k < b; k++) offs.push(k);
		};
		let runStart = this.i;
		while (this.i < n) {
			const i = this.i;
			const c = src.charCodeAt(i);
			if (c === 34) {
				if (i > runStart) pushRun(runStart, i);
				offs.push(i);
				this.i++;
				return { value: parts.join(''), offsets: Int32Array.from(offs) };
			}
			if (c === 92) {
				if (i > runStart) pushRun(runStart, i);
				const e = src[i + 1];
				if (e === undefined) return 'unterminated escape';
				if (e === 'u') {
					const hex = src.slice(i + 2, i + 6);
					if (!/^[0-9a-fA-F]{4}$/.test(hex)) return 'invalid \\u escape';
					parts.push(String.fromCharCode(parseInt(hex, 16)));
					this.i += 6;
				} else {
					const d = ESCAPES[e];
					if (d === undefined) return 'invalid escape';
					parts.push(d);
					this.i += 2;
				}
				offs.push(i);
				runStart = this.i;
				continue;
			}
			if (c < 32) return 'control character in string';
			this.i++;
		}
		return 'unterminated string';
	}
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
