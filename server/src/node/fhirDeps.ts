// Node implementations of the FHIR engine's injected dependencies.
import * as crypto from 'node:crypto';
import type { FhirDeps } from '../engine/formats/fhir/engine';

export function nodeFhirDeps(overrides: Partial<FhirDeps> = {}): FhirDeps {
	return {
		now: () => new Date(),
		hmacSha256Hex: (key, message) => crypto.createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(message, 'utf8')).digest('hex'),
		aesCbcEncrypt: (key, iv, plaintext) => {
			const c = crypto.createCipheriv(`aes-${key.length * 8}-cbc`, key, iv);
			return new Uint8Array(Buffer.concat([c.update(plaintext), c.final()]));
		},
		randomBytes: (n) => new Uint8Array(crypto.randomBytes(n)),
		random: () => crypto.randomInt(0, 2 ** 48) / 2 ** 48,
		...overrides,
	};
}

/** Decrypt a value written by the `encrypt` method (base64 of IV ‖ AES-CBC ciphertext). */
export function decryptFhirValue(value: string, key: string): string {
	const all = Buffer.from(value, 'base64');
	const d = crypto.createDecipheriv(`aes-${Buffer.byteLength(key, 'utf8') * 8}-cbc`, Buffer.from(key, 'utf8'), all.subarray(0, 16));
	return Buffer.concat([d.update(all.subarray(16)), d.final()]).toString('utf8');
}

/** FHIR configuration keys (dateShiftKey, cryptoHashKey, encryptKey) derived from the user's key, one per purpose. */
export function fhirKeyDeriver(key: Uint8Array): (purpose: string) => string {
	return (purpose) => crypto.createHmac('sha256', key).update(`deid-fhir\u0000${purpose}`).digest('hex');
}
