/**
 * The core's CredentialStore over Electron's safeStorage (DPAPI on Windows, Keychain on macOS,
 * the Secret Service / KWallet on Linux). Only ciphertext reaches the disk, in one JSON file in the
 * user-data folder readable by the user alone. Where the OS has no real encryption — Linux without
 * a keyring falls back to a hard-coded key ("basic_text") — nothing is saved at all: the agent types
 * the password each time rather than leaving it effectively in plain text.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CredentialStore } from '../core/ports.js';

/** The parts of Electron's safeStorage used here. */
export interface SafeStoragePort {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron; absent elsewhere. */
  getSelectedStorageBackend?(): string;
}

/** A Map, not an object: a user id such as "__proto__" must be an ordinary key. */
type Vault = Map<string, string>;

export class SafeStorageCredentialStore implements CredentialStore {
  readonly available: boolean;

  /** Call after app 'ready': on Linux safeStorage knows its backend only then. */
  constructor(
    private readonly safeStorage: SafeStoragePort,
    private readonly file: string,
    platform: NodeJS.Platform,
    private readonly log: (message: string) => void = () => {},
  ) {
    const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
    this.available = safeStorage.isEncryptionAvailable() && backend !== 'basic_text' && backend !== 'unknown';
  }

  save(userId: string, secret: string): void {
    if (!this.available) return;
    const vault = this.read();
    vault.set(userId, this.safeStorage.encryptString(secret).toString('base64'));
    this.write(vault);
  }

  load(userId: string): string | null {
    if (!this.available) return null;
    const sealed = this.read().get(userId);
    if (sealed === undefined) return null;
    try {
      return this.safeStorage.decryptString(Buffer.from(sealed, 'base64'));
    } catch (error) {
      // The OS key changed (new profile, restored backup): the old secret is useless; ask again.
      this.log(`a saved password could not be decrypted and was removed: ${String(error)}`);
      this.clear(userId);
      return null;
    }
  }

  clear(userId: string): void {
    const vault = this.read();
    if (!vault.delete(userId)) return;
    this.write(vault);
  }

  private read(): Vault {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return new Map(); // nothing saved yet
      return this.setAside(`could not be read (${errorCode(error) ?? 'unknown error'})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the file's text: the reason is named without it.
      return this.setAside('is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return this.setAside('is not a JSON object');
    const entries = Object.entries(parsed);
    if (!entries.every((entry): entry is [string, string] => typeof entry[1] === 'string')) {
      return this.setAside('holds a value that is not a sealed password');
    }
    return new Map(entries);
  }

  /**
   * A vault that cannot be read is moved aside, never treated as empty: the next save would
   * overwrite it and every saved password would be gone without a trace. Its bytes stay in
   * `<file>.corrupt-<time>` for support to look at (or the OS key to open once it is back), the log
   * says where (never what: the reason names no content), and the agent types passwords again.
   * Where even that fails, nothing is written over it: the error says so.
   */
  private setAside(why: string): Vault {
    const aside = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      renameSync(this.file, aside);
    } catch (error) {
      throw new Error(
        `The saved-password file ${this.file} ${why} and could not be moved aside (${errorCode(error) ?? String(error)}); it was left as it is and nothing was saved.`,
        { cause: error },
      );
    }
    this.log(`the saved-password file ${why}: moved to ${aside}; saved passwords must be typed again`);
    return new Map();
  }

  private write(vault: Vault): void {
    mkdirSync(dirname(this.file), { recursive: true });
    if (vault.size === 0) {
      rmSync(this.file, { force: true });
      return;
    }
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(Object.fromEntries(vault)), { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.file); // atomic: never a half-written vault
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
