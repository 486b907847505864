// One command for a self-hosted demo: Azurite (npm, in-memory) plus `deid serve` on loopback, with a fresh
// token; prints what to put in settings or on the CLI. Ctrl-C stops both. Usage: npm run demo:serve
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const free = () => new Promise((r) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => r(port)); }); });
const up = async (url) => { for (let i = 0; i < 300; i++) { try { await fetch(url); return; } catch { await new Promise((r) => setTimeout(r, 200)); } } throw new Error(`${url} did not come up`); };
const dir = mkdtempSync(join(tmpdir(), 'deid-demo-'));
const azPort = await free();
const az = spawn(process.execPath, [join(root, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'), '--inMemoryPersistence', '--silent', '--blobHost', '127.0.0.1', '--blobPort', String(azPort), '--skipApiVersionCheck', '--disableTelemetry'], { stdio: 'ignore' });
const cs = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:${azPort}/devstoreaccount1;`;
await up(`http://127.0.0.1:${azPort}/`);
const { BlobServiceClient } = await import('@azure/storage-blob');
await BlobServiceClient.fromConnectionString(cs).getContainerClient('deid').createIfNotExists();
const token = randomBytes(32).toString('base64url');
writeFileSync(join(dir, 'token'), token, { mode: 0o600 });
const port = await free();
const srv = spawn(process.execPath, [join(root, 'dist', 'cli.js'), 'serve', '--port', String(port), '--token-file', join(dir, 'token'), '--state-dir', join(dir, 'state')], { stdio: 'inherit', env: { ...process.env, DEID_STORAGE_CONNECTION_STRING: cs } });
writeFileSync(join(dir, 'connection-string'), cs, { mode: 0o600 });
await up(`http://127.0.0.1:${port}/`);
console.log(`
deid serve demo is running (Ctrl-C stops it).
  endpoint       http://127.0.0.1:${port}
  container URL  http://127.0.0.1:${azPort}/devstoreaccount1/deid
  token file     ${join(dir, 'token')}

CLI:
  node dist/cli.js job submit samples --endpoint http://127.0.0.1:${port} --container-url http://127.0.0.1:${azPort}/devstoreaccount1/deid \\
    --storage-connection-string-file ${join(dir, 'connection-string')} --token-file ${join(dir, 'token')} --operation redact --out samples-deid-remote

VS Code: set deid.remote.endpoint and deid.remote.containerUrl as above, deid.remote.credential "token",
deid.remote.storageAuth "connectionString"; "Set Remote Job Secret…" stores the token and the connection string.
`);
const stop = () => { srv.kill('SIGTERM'); az.kill('SIGTERM'); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
