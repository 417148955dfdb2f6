import type { IncomingMessage, ServerResponse } from 'node:http';
import { http } from '@google-cloud/functions-framework';
import { loadConfig } from '../config/index.js';
import { buildRouter, createRequestHandler, type LakeplaneFunction } from '../http/index.js';
import { createPlatform, type RunningPlatform } from '../platform/index.js';

/**
 * Registers a function with @google-cloud/functions-framework under its name, so the framework's own server
 * (`functions-framework --target=<name>`) and its test server serve exactly that function through our pipeline.
 * The platform is built on the first request, as the framework gives no start hook.
 */
export function registerWithFramework(fn: LakeplaneFunction): void {
  let ready: Promise<{ running: RunningPlatform; handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> }> | undefined;
  http(fn.name, async (req, res) => {
    ready ??= (async () => {
      const config = loadConfig({ ...process.env, FUNCTION_TARGET: fn.name });
      const running = await createPlatform(config, [fn]);
      return { running, handle: createRequestHandler(running.platform, buildRouter([fn], running)) };
    })();
    const { handle } = await ready;
    await handle(req, res);
  });
}
