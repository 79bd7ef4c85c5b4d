import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Clean-up actions, run last-in first-out. Every action runs even if an earlier one fails;
 * the failures are reported together.
 */
export class Cleanup {
  private readonly actions: Array<{ what: string; action: () => Promise<unknown> | unknown }> = [];

  /** Registers an action. */
  public add(what: string, action: () => Promise<unknown> | unknown): void {
    this.actions.push({ what, action });
  }

  /** A new temporary folder, removed at clean-up. */
  public tmpdir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `goship-e2e-${prefix}-`));
    this.add(`remove ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** Runs every action, newest first. */
  public async run(): Promise<void> {
    const errors: string[] = [];
    while (this.actions.length > 0) {
      const { what, action } = this.actions.pop()!;
      try {
        await action();
      } catch (e) {
        errors.push(`${what}: ${(e as Error).message}`);
      }
    }
    if (errors.length > 0) {
      throw new Error(`clean-up failed:\n${errors.join('\n')}`);
    }
  }
}
