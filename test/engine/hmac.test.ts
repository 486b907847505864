import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { hmacSha256 } from '../../server/src/node/hmac';
import { mulberry32 } from '../../bench/random.mjs';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('HMAC-SHA256 (surrogate key function)', () => {
	it('equals node:crypto for keys of every size class and messages across block boundaries', () => {
		const rnd = mulberry32(11);
		const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
		for (const keyLen of [0, 1, 16, 32, 63, 64, 65, 100, 200]) {
			const key = bytes(keyLen);
			const f = hmacSha256(key);
			for (let len = 0; len < 200; len++) {
				// mostly ASCII, with two- and three-byte characters, so UTF-8 lengths land on 55, 56, 64 and 119 bytes too
				let s = '';
				for (let j = 0; j < len; j++) {
					const r = rnd();
					s += String.fromCharCode(r < 0.85 ? 32 + Math.floor(rnd() * 95) : r < 0.95 ? 0xa0 + Math.floor(rnd() * 0x600) : 0x3000 + Math.floor(rnd() * 0x5000));
				}
				assert.equal(hex(f(s)), createHmac('sha256', key).update(s, 'utf8').digest('hex'), `key ${keyLen} bytes, message ${len} chars`);
			}
		}
	});

	it('encodes astral characters and lone surrogates as Node does (U+FFFD)', () => {
		const key = Buffer.from('k'.repeat(32));
		const f = hmacSha256(key);
		for (const s of ['\u{1F600}', 'a\ud800', '\udc00b', '\ud83d\ude00\ud800x', 'é'.repeat(300), '\u{10FFFF}'.repeat(40)]) {
			assert.equal(hex(f(s)), createHmac('sha256', key).update(s, 'utf8').digest('hex'));
		}
	});

	it('returns a fresh array per call (later calls do not overwrite earlier tags)', () => {
		const f = hmacSha256(Buffer.alloc(32, 5));
		const a = f('first');
		const copy = hex(a);
		f('second');
		assert.equal(hex(a), copy);
	});
});
