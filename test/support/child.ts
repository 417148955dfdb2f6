import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TsxChild {
  readonly process: ChildProcess;
  /**
   * Resolves with the first JSON line on stdout that `match` accepts; fails if the child exits first, or after
   * `timeoutMs` (null: no time limit of its own, for a step whose only failure is the child's exit).
   */
  message(match: (m: Record<string, unknown>) => boolean, timeoutMs?: number | null): Promise<Record<string, unknown>>;
  /** Resolves when the process has exited, with its code or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the child wrote to stderr, for failure messages. */
  stderr(): string;
  /** The JSON lines it wrote to stdout so far. */
  messages(): ReadonlyArray<Record<string, unknown>>;
}

/** Runs a TypeScript file of this repository in a separate Node process (`node --import tsx <file>`). */
export function spawnTsx(relativeScript: string, env: Record<string, string>): TsxChild {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, relativeScript)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let err = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        messages.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        continue;
      }
      for (const w of waiters.splice(0)) w();
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
      for (const w of waiters.splice(0)) w();
    });
  });

  return {
    process: child,
    exited,
    stderr: () => err,
    messages: () => [...messages],
    async message(match, timeoutMs = 30_000) {
      const deadline = timeoutMs === null ? Infinity : Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(match);
        if (found) return found;
        if (hasExited) throw new Error(`child exited before the expected message; stderr:\n${err}`);
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`child sent no expected message within ${timeoutMs} ms; stderr:\n${err}`);
        await new Promise<void>((resolve) => {
          const t = Number.isFinite(remaining) ? setTimeout(resolve, remaining) : undefined;
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
  };
}
