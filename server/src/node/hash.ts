import { createHash, randomBytes } from 'node:crypto';
import type { KeyedHash } from '../engine';
import { hmacSha256 } from './hmac';

const HASHES = new Map<string, KeyedHash>();

/**
 * HMAC-SHA256 under a secret key. One function per key (the last few keys are kept), so the engine's per-key
 * caches (keyed by the function) last across the files of a job.
 */
export function hmacHash(key: Uint8Array): KeyedHash {
	const id = createHash('sha256').update('deid-key-id').update(key).digest('base64');
	let h = HASHES.get(id);
	if (!h) {
		h = hmacSha256(Uint8Array.from(key));
		if (HASHES.size >= 4) HASHES.delete(HASHES.keys().next().value!);
		HASHES.set(id, h);
	}
	return h;
}

export function randomKey(): Buffer {
	return randomBytes(32);
}

/** A short public fingerprint of a key (never the key itself). */
export function keyFingerprint(key: Uint8Array): string {
	return createHash('sha256').update('deid-key-fingerprint').update(key).digest('hex').slice(0, 16);
}

export function sha256Hex(data: Uint8Array | string): string {
	return createHash('sha256').update(data).digest('hex');
}

/** Days to shift dates by, from the key and a patient identifier; never 0. */
export function dateShiftDays(hash: KeyedHash, patient: string, range = 365, keepWeekday = false): number {
	const b = hash(`date-shift\u0000${patient}`);
	const v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
	if (keepWeekday) {
		// whole weeks only, so a Monday stays a Monday
		const weeks = Math.max(1, Math.floor(range / 7));
		const w = (v % (2 * weeks + 1)) - weeks;
		return (w === 0 ? 1 : w) * 7;
	}
	const d = (v % (2 * range + 1)) - range;
	return d === 0 ? 1 : d;
}
