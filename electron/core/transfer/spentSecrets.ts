/**
 * Secrets of recipient transfers this desk has forgotten, remembered for a while so that a late or
 * repeated INVITE carrying one is refused rather than taken for a plain call.
 */
import { sameSecret } from './transferStatus.js';

/** How long, and how many, secrets of settled transfers are remembered. */
const SPENT_SECRET_MS = 10 * 60_000;
const SPENT_SECRETS_MAX = 256;

export class SpentSecrets {
  private readonly secrets: Array<{ readonly token: string; readonly until: number }> = [];

  remember(token: string): void {
    this.secrets.push({ token, until: Date.now() + SPENT_SECRET_MS });
    if (this.secrets.length > SPENT_SECRETS_MAX) this.secrets.shift();
  }

  has(token: string): boolean {
    const now = Date.now();
    while (this.secrets.length > 0 && (this.secrets[0]?.until ?? 0) < now) this.secrets.shift();
    return this.secrets.some((s) => sameSecret(token, s.token));
  }
}
