// What `deid serve` accepts as storage locations, blob prefixes and names, and bearer tokens (no I/O).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { blobNameProblem, containerUrl, parseConnectionString, prefixProblem, tokenProblem } from '../../server/src/remote/guards';

describe('deid serve guards', () => {
	it('locations: only containers directly under the connection string\'s blob endpoint (or the account default)', () => {
		const azurite = parseConnectionString('AccountName=devstoreaccount1;AccountKey=k;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/;').endpoint;
		assert.deepEqual(containerUrl('http://127.0.0.1:10000/devstoreaccount1/notes/', azurite), { url: 'http://127.0.0.1:10000/devstoreaccount1/notes' });
		for (const bad of ['http://127.0.0.1:10001/devstoreaccount1/notes', 'http://127.0.0.1:10000/devstoreaccount2/notes', 'http://127.0.0.1:10000/devstoreaccount1/a/../b', 'http://127.0.0.1:10000/devstoreaccount1/%2e%2e', 'http://127.0.0.1:10000/devstoreaccount1/Notes', 'http://127.0.0.1:10000/devstoreaccount1/notes#x', 'http://127.0.0.1:10000/devstoreaccount1/notes?', 'not a url']) {
			assert.ok('problem' in containerUrl(bad, azurite), bad);
		}
		assert.ok('problem' in containerUrl('http://127.0.0.1:10000/devstoreaccount1/notes', azurite, ['other']));
		const cloud = parseConnectionString('DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=k;EndpointSuffix=core.windows.net').endpoint;
		assert.deepEqual(containerUrl('https://ACCT.blob.core.windows.net/notes', cloud), { url: 'https://acct.blob.core.windows.net/notes' });
		assert.ok('problem' in containerUrl('https://acct.blob.core.windows.net.evil.example/notes', cloud));
		assert.ok('problem' in containerUrl('http://acct.blob.core.windows.net/notes', cloud), 'scheme differs');
	});

	it('prefixes and blob names: no .., ., absolute or empty segments, backslashes or control characters', () => {
		for (const ok of ['', 'in/', 'in/sub/', 'in/part', 'a.b/c..d/', '...']) assert.equal(prefixProblem(ok), undefined, ok);
		for (const bad of ['..', '../x/', 'a/../b/', './a', 'a/./', '/a/', 'a//b/', 'a\\b', '%2E%2e/', 'a/%2e/', 'a\u0000b']) assert.ok(prefixProblem(bad), bad);
		assert.equal(blobNameProblem('out/sub/a.txt'), undefined);
		for (const bad of ['', 'out/', 'out/../a.txt', 'out//a.txt', '/a.txt', 'out/..']) assert.ok(blobNameProblem(bad), bad);
	});

	it('tokens: 32+ printable characters, no repeating pattern, about 128 bits by character frequencies', () => {
		// (the shortest, 32 base64url characters, measured under 128 bits about once in 6,000 before the small-sample
		// correction; over 200,000 draws the lowest is now 135.7)
		for (let i = 0; i < 2000; i++) {
			assert.equal(tokenProblem(randomBytes(32).toString('base64')), undefined);
			assert.equal(tokenProblem(randomBytes(32).toString('hex')), undefined);
			assert.equal(tokenProblem(randomBytes(24).toString('base64url')), undefined);
		}
		for (const weak of ['x', 'a'.repeat(40), 'ab'.repeat(20), 'password'.repeat(5), '0123456789'.repeat(4), 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'has spaces in it but is long enough to pass', `${randomBytes(8).toString('hex')}${'0'.repeat(20)}`]) {
			assert.ok(tokenProblem(weak), `${weak.length} characters`);
		}
	});
});
