// Small pure helpers (the engine has no Node or DOM globals): UTF-8 and base64.

export function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v) && v.constructor === Object;
}

export function utf8Encode(s: string): Uint8Array {
	const out: number[] = [];
	for (const ch of s) {
		let c = ch.codePointAt(0)!;
		if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
		if (c < 0x80) out.push(c);
		else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
		else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
		else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
	}
	return Uint8Array.from(out);
}

/** Strict UTF-8 decode; undefined when the bytes are not valid UTF-8. */
export function utf8Decode(b: Uint8Array): string | undefined {
	let out = '';
	let i = 0;
	const chunk: number[] = [];
	const flush = () => {
		out += String.fromCodePoint(...chunk);
		chunk.length = 0;
	};
	while (i < b.length) {
		const x = b[i];
		let c: number;
		let n: number;
		if (x < 0x80) [c, n] = [x, 0];
		else if (x >= 0xc2 && x < 0xe0) [c, n] = [x & 31, 1];
		else if (x >= 0xe0 && x < 0xf0) [c, n] = [x & 15, 2];
		else if (x >= 0xf0 && x < 0xf5) [c, n] = [x & 7, 3];
		else return undefined;
		for (let k = 1; k <= n; k++) {
			const y = b[i + k];
			if (y === undefined || (y & 0xc0) !== 0x80) return undefined;
			c = (c << 6) | (y & 63);
		}
		if ((n === 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (n === 3 && (c < 0x10000 || c > 0x10ffff))) return undefined;
		chunk.push(c);
		if (chunk.length >= 4096) flush();
		i += n + 1;
	}
	flush();
	return out;
}

/** Latin-1 (ISO-8859-1) decode/encode for attachments that declare it. */
export function latin1Decode(b: Uint8Array): string {
	let s = '';
	for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
	return s;
}
export function latin1Encode(s: string): Uint8Array | undefined {
	const out = new Uint8Array(s.length);
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c > 255) return undefined;
		out[i] = c;
	}
	return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

export function base64Encode(b: Uint8Array): string {
	let s = '';
	let i = 0;
	for (; i + 2 < b.length; i += 3) {
		const n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
		s += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
	}
	if (i < b.length) {
		const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8);
		s += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') + '=';
	}
	return s;
}

/** Decode base64 (whitespace ignored); undefined when it is not base64. */
export function base64Decode(s: string): Uint8Array | undefined {
	const clean = s.replace(/[\s]+/g, '');
	if (clean.length % 4 === 1) return undefined;
	const out: number[] = [];
	let buf = 0;
	let bits = 0;
	for (let i = 0; i < clean.length; i++) {
		const ch = clean.charCodeAt(i);
		if (ch === 61) {
			if (/^=+$/.test(clean.slice(i)) && clean.length - i <= 2) break;
			return undefined;
		}
		const v = ch < 128 ? B64_INDEX[ch] : -1;
		if (v < 0) return undefined;
		buf = (buf << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out.push((buf >> bits) & 255);
		}
	}
	return Uint8Array.from(out);
}
