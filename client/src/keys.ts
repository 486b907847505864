import { createHash, createHmac, randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { KEY_FORMAT_HELP, SetKeyNotification, parseKeyText } from '../../server/src/protocol';
import { outputKeyFingerprints } from './keyCheck';

const SECRET = 'deid.surrogateKey';

/** A short public fingerprint of a key (the same derivation as the server's and the CLI's reports). */
export function fingerprint(key: Uint8Array): string {
	return createHash('sha256').update('deid-key-fingerprint').update(key).digest('hex').slice(0, 16);
}

function parseKey(text: string): Buffer | undefined {
	const key = parseKeyText(text);
	return key && Buffer.from(key);
}

/**
 * The surrogate key: kept in VS Code's SecretStorage (never in settings), sent to the language server over its
 * local connection, and shown only by fingerprint.
 */
export class KeyStore {
	constructor(
		private readonly secrets: vscode.SecretStorage,
		private readonly client: LanguageClient,
	) {}

	async get(): Promise<Buffer | undefined> {
		const hex = await this.secrets.get(SECRET);
		return hex ? Buffer.from(hex, 'hex') : undefined;
	}

	/**
	 * Send the stored key to the server; create one first if there is none (so results are consistent across
	 * runs). A key is never created without telling the user, and if this workspace holds surrogate outputs made
	 * with another key (a new browser session of code-server starts with empty SecretStorage), they are offered to
	 * import that key instead.
	 */
	async sync(outputs?: { roots: string[]; remembered: string[] }): Promise<string> {
		let key = await this.get();
		let created = false;
		if (!key) {
			key = randomBytes(32);
			await this.secrets.store(SECRET, key.toString('hex'));
			created = true;
		}
		await this.client.sendNotification(SetKeyNotification, { key: key.toString('hex') });
		const fp = fingerprint(key);
		if (created) void this.announce(fp, outputs);
		return fp;
	}

	private async announce(fp: string, outputs?: { roots: string[]; remembered: string[] }): Promise<void> {
		const other = [...outputKeyFingerprints(outputs?.roots ?? [], outputs?.remembered ?? [])].filter(([f]) => f !== fp);
		if (other.length === 0) {
			void vscode.window
				.showInformationMessage(
					`A new surrogate key was created (fingerprint ${fp}). Export it to get the same surrogates on another machine or in another session.`,
					'Export Key…',
				)
				.then((c) => c && this.export());
			return;
		}
		const folders = other.flatMap(([, dirs]) => dirs.map((d) => vscode.workspace.asRelativePath(d)));
		const choice = await vscode.window.showWarningMessage(
			`A new surrogate key was created (fingerprint ${fp}), but ${folders.length.toLocaleString()} output folder(s) here were made with another key (${other.map(([f]) => f).join(', ')}): ${folders.slice(0, 3).join(', ')}${folders.length > 3 ? ', …' : ''}. New surrogates will not match them unless you import that key.`,
			'Import Key…',
			'Keep the New Key',
		);
		if (choice === 'Import Key…') await this.import();
	}

	async create(confirm = true): Promise<string | undefined> {
		if (confirm && (await this.get())) {
			const ok = await vscode.window.showWarningMessage(
				'Replace the surrogate key? Surrogates and date shifts made with the old key will no longer match new ones.',
				{ modal: true },
				'Replace',
			);
			if (ok !== 'Replace') return undefined;
		}
		await this.secrets.store(SECRET, randomBytes(32).toString('hex'));
		const fp = await this.sync();
		void vscode.window.showInformationMessage(`New surrogate key created (fingerprint ${fp}).`);
		return fp;
	}

	async import(text?: string): Promise<string | undefined> {
		const input =
			text ??
			(await vscode.window.showInputBox({
				title: 'Import surrogate key',
				prompt: 'Paste the key: 64 hex digits, or 32 bytes in base64',
				password: true,
				ignoreFocusOut: true,
			}));
		if (!input) return undefined;
		const key = parseKey(input);
		if (!key) {
			void vscode.window.showErrorMessage(`That is not a key: ${KEY_FORMAT_HELP}.`);
			return undefined;
		}
		await this.secrets.store(SECRET, key.toString('hex'));
		const fp = await this.sync();
		void vscode.window.showInformationMessage(`Surrogate key imported (fingerprint ${fp}).`);
		return fp;
	}

	/** Write the key to a file the user chooses (for `deid deidentify --key-file` or another machine). */
	async export(target?: vscode.Uri): Promise<string | undefined> {
		const key = await this.get();
		if (!key) {
			void vscode.window.showWarningMessage('There is no surrogate key yet; create or import one first.');
			return undefined;
		}
		const uri =
			target ??
			(await vscode.window.showSaveDialog({ title: 'Export surrogate key', saveLabel: 'Export key', filters: { 'Key file': ['key'] } }));
		if (!uri) return undefined;
		await vscode.workspace.fs.writeFile(uri, Buffer.from(key.toString('hex') + '\n'));
		return fingerprint(key);
	}

	/** The folder job's keyed digest of a source's relative path (see sourceDigest in server/src/jobs/outputNames.ts). */
	async sourceDigest(): Promise<((rel: string) => string) | undefined> {
		const key = await this.get();
		return key && ((rel: string) => createHmac('sha256', key).update(`deid-source-path\u0000${rel}`).digest('hex').slice(0, 32));
	}

	async rotate(): Promise<string | undefined> {
		return this.create(true);
	}

	async showFingerprint(): Promise<string | undefined> {
		const key = await this.get();
		const fp = key ? fingerprint(key) : undefined;
		void vscode.window.showInformationMessage(fp ? `Surrogate key fingerprint: ${fp}` : 'No surrogate key yet.');
		return fp;
	}
}
