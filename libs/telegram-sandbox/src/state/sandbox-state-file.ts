import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SandboxUsageError } from '../errors/sandbox-usage.error.js';
import type { SandboxSnapshot } from '../sandbox-core.js';

/** Changes that come in a burst (a message, its update, the poll that fetches it) share one write. */
const WRITE_DELAY_MS = 200;

/**
 * The sandbox's world in one JSON file. Writes are debounced and atomic (a temporary file renamed over
 * the old one), so a crash mid-write leaves the previous state rather than half a file.
 */
export class SandboxStateFile {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastWritten: string | undefined;

  constructor(
    readonly path: string,
    private readonly capture: () => SandboxSnapshot,
  ) {}

  /** The saved state, or undefined when there is no file yet (the first start). */
  read(): SandboxSnapshot | undefined {
    if (!existsSync(this.path)) return undefined;
    const text = readFileSync(this.path, 'utf8');
    let snapshot: SandboxSnapshot;
    try {
      snapshot = JSON.parse(text) as SandboxSnapshot;
    } catch (error) {
      throw new SandboxUsageError('SANDBOX.STATE_FILE_UNREADABLE', `${this.path} is not valid JSON (${(error as Error).message}); move it away to start empty`);
    }
    if (snapshot?.version !== 1) {
      throw new SandboxUsageError('SANDBOX.STATE_FILE_UNREADABLE', `${this.path} is not a sandbox state file of version 1; move it away to start empty`);
    }
    this.lastWritten = text;
    return snapshot;
  }

  /** Something changed: write soon. */
  markChanged(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, WRITE_DELAY_MS);
  }

  /** Writes now what is pending (the sandbox is stopping). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      await this.write();
    }
    await this.writing;
  }

  private write(): Promise<void> {
    // Chained so two writes never race on the temporary file; the state is captured when the write runs.
    this.writing = this.writing.then(async () => {
      const text = JSON.stringify(this.capture());
      // A long poll that ends empty marks a change that is none; skip rewriting the same bytes.
      if (text === this.lastWritten) return;
      const temporary = `${this.path}.${process.pid}.tmp`;
      try {
        await mkdir(dirname(this.path), { recursive: true });
        await writeFile(temporary, text);
        await rename(temporary, this.path);
        this.lastWritten = text;
      } catch (error) {
        // The sandbox keeps serving; the next change tries again.
        process.emitWarning(`telegram-sandbox: could not write ${this.path}: ${(error as Error).message}`);
      }
    });
    return this.writing;
  }
}
