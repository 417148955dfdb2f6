import { loadConfig } from '../../shared/config/index.js';
import { listen, type ListeningServer } from '../../shared/http/index.js';
import type { LakeplaneFunction } from '../../shared/http/index.js';
import { createLogger } from '../../shared/log/index.js';
import { createPlatform, type RunningPlatform } from '../../shared/platform/index.js';
import { allFunctions } from '../../functions/index.js';
import { createScratchDatabase, type Backend } from './databases.js';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface TestPlatform {
  readonly url: string;
  readonly backend: Backend;
  readonly running: RunningPlatform;
  /** fetch against the server, JSON in and out. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any }>;
  /** A fresh access token of the bootstrap admin. */
  adminToken(): Promise<string>;
  /** Logs in with the password grant and returns the token answer. */
  login(username: string, password: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export interface StartOptions {
  functions?: readonly LakeplaneFunction[];
  env?: Record<string, string>;
  /** Another process of the platform on the same PostgreSQL database (as a second pod): nothing new is created or dropped. */
  sharedDatabaseOf?: TestPlatform;
}

/** Starts the real server on an ephemeral port over a fresh database of the given backend. */
export async function startPlatform(backend: Backend, options: StartOptions = {}): Promise<TestPlatform> {
  const shared = options.sharedDatabaseOf?.running.platform.config.DATABASE_URL;
  if (options.sharedDatabaseOf && (backend !== 'postgres' || !shared)) throw new Error('only PostgreSQL databases are shared between processes');
  const scratch = backend === 'postgres' && !shared ? await createScratchDatabase() : undefined;
  const env: Record<string, string> = {
    LAKEPLANE_MODE: 'embedded',
    PORT: '0',
    HOST: '127.0.0.1',
    LAKEPLANE_DATA_DIR: 'memory://',
    LAKEPLANE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LAKEPLANE_LOG_LEVEL: process.env['LAKEPLANE_TEST_LOG_LEVEL'] ?? 'silent',
    LAKEPLANE_EVENT_POLL_MS: '200',
    LAKEPLANE_EVENT_RETRY_BASE_MS: '50',
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    ...(shared ? { DATABASE_URL: shared } : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const functions = options.functions ?? allFunctions;
  const running = await createPlatform(config, functions, createLogger(config.LAKEPLANE_LOG_LEVEL));
  const server: ListeningServer = await listen(functions, running, 0, '127.0.0.1');
  // Tokens are minted with the configured issuer; tests reach the server on its real port.
  const url = server.url;

  async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, headers: response.headers, body: parsed as any };
  }

  async function login(username: string, password: string) {
    const response = await fetch(`${url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  return {
    url,
    backend,
    running,
    call,
    login,
    async adminToken() {
      const { status, body } = await login('admin', ADMIN_PASSWORD);
      if (status !== 200) throw new Error(`admin login failed: ${status} ${JSON.stringify(body)}`);
      return body.access_token as string;
    },
    async close() {
      await server.close();
      await running.stop();
      await scratch?.drop();
    },
  };
}
