// Entra ID access tokens that someone else obtains (the editor's Microsoft sign-in): the first one comes with the
// request, later ones are asked for again, since a job can outlive a token and the asker knows no expiry.
import type { AccessToken, TokenCredential } from '@azure/core-auth';

/** How long a token is used before asking again; VS Code refreshes its session's tokens itself, so asking is cheap. */
export const TOKEN_REUSE_MS = 4 * 60_000;

export class BorrowedToken {
	private token: string | undefined;
	private obtainedAt: number;
	private pending: Promise<string | undefined> | undefined;

	constructor(
		initial: string | undefined,
		private readonly ask: () => Promise<string | undefined>,
		private readonly now: () => number = Date.now,
	) {
		this.token = initial || undefined;
		this.obtainedAt = now();
	}

	/** The current token, asked for again once it is older than TOKEN_REUSE_MS. */
	async get(): Promise<string | undefined> {
		if (this.token && this.now() - this.obtainedAt < TOKEN_REUSE_MS) return this.token;
		return this.refresh();
	}

	/** Ask for a new token; concurrent callers (parallel uploads after one 401) share one question. */
	refresh(): Promise<string | undefined> {
		this.pending ??= this.ask()
			.then((t) => {
				if (t) {
					this.token = t;
					this.obtainedAt = this.now();
				}
				return this.token;
			})
			.finally(() => (this.pending = undefined));
		return this.pending;
	}

	/** For the storage SDK, which renews a token two minutes before the expiry it is told: then `get` asks again. */
	credential(): TokenCredential {
		return {
			getToken: async (): Promise<AccessToken | null> => {
				const token = await this.get();
				return token ? { token, expiresOnTimestamp: this.obtainedAt + TOKEN_REUSE_MS + 2 * 60_000 } : null;
			},
		};
	}
}
