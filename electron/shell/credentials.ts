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
    } catch {
      return new Map();
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return new Map();
      return new Map(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    } catch {
      return new Map();
    }
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
