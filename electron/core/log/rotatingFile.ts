/**
 * An append-only log file that rolls over by size: `name` grows to `maxBytes`, then becomes
 * `name.1` (older ones shift to `.2` … `.keep`, the oldest is dropped). Writes are synchronous: a
 * line is on disk before the crash that it explains, and no worker thread costs the main process
 * memory (pino's own file transports run in one).
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  readonly maxBytes: number;
  /** How many rolled-over files are kept beside the current one. */
  readonly keep: number;
}

export class RotatingFile {
  private fd: number | undefined;
  private size = 0;

  constructor(
    readonly path: string,
    private readonly options: RotatingFileOptions,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.open();
  }

  write(text: string): void {
    if (this.fd === undefined) return;
    const bytes = Buffer.from(text, 'utf8');
    if (this.size > 0 && this.size + bytes.length > this.options.maxBytes) this.rotate();
    if (this.fd === undefined) return;
    writeSync(this.fd, bytes);
    this.size += bytes.length;
  }

  /** The current file and the rolled-over ones that exist, newest first. */
  files(): string[] {
    const all = [this.path, ...Array.from({ length: this.options.keep }, (_, i) => `${this.path}.${i + 1}`)];
    return all.filter((file) => existsSync(file));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    const { keep } = this.options;
    rmSync(`${this.path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    if (keep > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path, { force: true });
    this.open();
  }
}
