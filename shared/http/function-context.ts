import type { FunctionServices } from '../events/index.js';

/**
 * A function's own state for the life of the process that serves it: its caches, batchers and metrics. Declared
 * once per function (functionContext()), made by the process when it starts serving the function, reached from a
 * handler, consumer or worker with `platform.contextOf(key)`: typed by the key, one per process, nothing kept in
 * module variables. Two processes in one test run (or two platforms) each have their own.
 */
export interface FunctionContext<S> {
  /** Names the state in messages: usually the function's name. */
  readonly name: string;
  // Methods, not function-typed fields: a FunctionContext<S> then stands where a FunctionContext<unknown> is asked for.
  create(services: FunctionServices): S;
  /** Releases what the state holds (timers, pools) when the process stops. */
  close?(state: S): Promise<void> | void;
}

export function functionContext<S>(name: string, create: (services: FunctionServices) => S, close?: (state: S) => Promise<void> | void): FunctionContext<S> {
  return close ? { name, create, close } : { name, create };
}

/** What hands out function contexts: the process's services (createPlatform() keeps one of each key it is asked for). */
export interface FunctionContexts {
  contextOf<S>(context: FunctionContext<S>): S;
}

/** One process's contexts: made on first use (or at start, for the functions it serves), closed at stop. */
export class ContextTable implements FunctionContexts {
  private readonly made = new Map<FunctionContext<unknown>, unknown>();

  constructor(private readonly services: () => FunctionServices) {}

  contextOf<S>(context: FunctionContext<S>): S {
    // One lookup when the state is made (loadTable asks on every request); has() only for a state that is undefined.
    const made = this.made.get(context);
    if (made !== undefined || this.made.has(context)) return made as S;
    const state = context.create(this.services());
    this.made.set(context, state);
    return state;
  }

  async closeAll(onError: (name: string, err: unknown) => void): Promise<void> {
    for (const [context, state] of [...this.made].reverse()) {
      try {
        await context.close?.(state);
      } catch (err) {
        onError(context.name, err);
      }
    }
    this.made.clear();
  }
}
