import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

/** One ```sh block of the README's "Quick tour", with the numbered steps it holds. */
export interface TourBlock {
  readonly text: string;
  readonly steps: readonly number[];
}

export interface Tour {
  /** The variables the README's start command sets (LAKEPLANE_ADMIN_PASSWORD, LAKEPLANE_SPARK_SUBMIT), `~` expanded. */
  readonly startEnv: Readonly<Record<string, string>>;
  /** The blocks a user pastes into a second shell, in order. */
  readonly blocks: readonly TourBlock[];
}

const STEP = /^# (\d+)\. /;

/**
 * Reads the tour out of README.md itself, so what runs is what a user pastes: the section "## Quick tour" up to the
 * next "## ", its ```sh blocks; the one that runs `npm start` is how the platform is started (its variables are
 * taken), the others are the steps.
 */
export function readTour(readmeFile: string): Tour {
  const readme = readFileSync(readmeFile, 'utf8');
  const start = readme.indexOf('\n## Quick tour\n');
  if (start === -1) throw new Error('README.md has no "## Quick tour" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const texts = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
  const startBlock = texts.find((t) => /\bnpm start\b/.test(t));
  if (!startBlock) throw new Error('the tour has no block that starts the platform (npm start)');
  const startLine = startBlock.split('\n').find((l) => /\bnpm start\b/.test(l)) as string;
  const startEnv: Record<string, string> = {};
  for (const m of startLine.matchAll(/\b([A-Z][A-Z0-9_]*)=('([^']*)'|(\S+))/g)) {
    const value = m[3] ?? (m[4] as string);
    startEnv[m[1] as string] = value.startsWith('~/') ? path.join(homedir(), value.slice(2)) : value;
  }
  const blocks = texts
    .filter((t) => t !== startBlock)
    .map((text) => ({
      text,
      steps: text
        .split('\n')
        .map((l) => STEP.exec(l)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number),
    }));
  return { startEnv, blocks };
}

/** What a step printed, and how long it took (milliseconds). */
export interface StepRun {
  readonly output: string;
  readonly ms: number;
}

/** Each step of a block run, by step number (0: what came before the first step). */
export type StepOutput = ReadonlyMap<number, StepRun>;

const DONE = '::tour-block-done::';
const MARK = '::tour-step::';

/**
 * One bash, kept for the whole tour as a user's second shell: each block is pasted into it in turn, so the variables
 * and the activated venv of one block are there for the next. A block is sourced from a file with stdin from
 * /dev/null (a command that reads stdin, beeline, would otherwise eat the lines after it), and a marker line is
 * echoed before each numbered step so its output can be told apart. stderr goes with stdout: what the `json` helper
 * complains about shows in the step that caused it.
 */
export class TourShell {
  private readonly bash: ChildProcess;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-tour-'));
  private output = '';
  private blockCount = 0;
  private exited = false;

  constructor(env: Readonly<Record<string, string | undefined>>) {
    // Its working directory is its own: spark-sql leaves metastore_db/ and derby.log where it runs.
    this.bash = spawn('bash', ['--norc', '--noprofile'], { cwd: this.dir, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    for (const stream of [this.bash.stdout!, this.bash.stderr!]) stream.setEncoding('utf8').on('data', (c: string) => (this.output += c));
    this.bash.once('exit', () => (this.exited = true));
    this.bash.stdin!.write('exec 2>&1\n');
  }

  /** Pastes the block and answers each step's output once the block has run (or fails after `timeoutMs`). */
  async paste(block: TourBlock, timeoutMs: number): Promise<StepOutput> {
    const file = path.join(this.dir, `block-${++this.blockCount}.sh`);
    const marked = block.text
      .split('\n')
      .map((line) => {
        const step = STEP.exec(line)?.[1];
        return step === undefined ? line : `echo "${MARK}${step} $(date +%s%3N)"\n${line}`;
      })
      .join('\n');
    writeFileSync(file, marked);
    const from = this.output.length;
    this.bash.stdin!.write(`source ${file} </dev/null; echo; echo "${DONE}$(date +%s%3N)"\n`);
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(DONE, from)) {
      if (this.exited) throw new Error(`the tour's shell exited during steps ${block.steps.join(', ')}:\n${this.output.slice(from)}`);
      if (Date.now() > deadline) throw new Error(`steps ${block.steps.join(', ')} of the tour did not finish in ${timeoutMs} ms:\n${this.output.slice(from)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const done = this.output.indexOf(DONE, from);
    while (!this.output.includes('\n', done)) await new Promise((r) => setTimeout(r, 20));
    const end = Number(this.output.slice(done + DONE.length, this.output.indexOf('\n', done)));
    const parts = this.output.slice(from, done).split(MARK);
    const steps = new Map<number, StepRun>([[0, { output: parts[0] as string, ms: 0 }]]);
    parts.slice(1).forEach((part, i) => {
      const nl = part.indexOf('\n');
      const [step, at] = part.slice(0, nl).split(' ').map(Number) as [number, number];
      const next = parts[i + 2];
      const nextAt = next === undefined ? end : Number(next.slice(0, next.indexOf('\n')).split(' ')[1]);
      steps.set(step, { output: part.slice(nl + 1), ms: nextAt - at });
    });
    return steps;
  }

  /** A variable of the shell as the tour left it. */
  async variable(name: string): Promise<string> {
    const value = await this.paste({ text: `printf '%s\\n' "$${name}"`, steps: [] }, 10_000);
    return (value.get(0)?.output ?? '').trim();
  }

  close(): void {
    if (!this.exited) this.bash.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
