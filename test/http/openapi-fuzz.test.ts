import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { openApiTools } from '../support/openapi-tools.js';
import { ADMIN_PASSWORD, startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * A bounded property-based fuzz of every API operation with schemathesis, as an admin: no answer is a 5xx and every
 * answer matches the schema /openapi.json gives it. Every operation is fuzzed (none is excluded), with schemathesis'
 * default strings: any Unicode text, NUL included (lone surrogates cannot be sent as UTF-8; hostile-input.test.ts
 * sends them as \u escapes), and long URLs (a 414 or 431 in problem+json). Fixed seed, examples and time budget, so a
 * CI run is reproducible and stays near a minute per backend. schemathesis.toml beside this file keeps the fuzz from
 * deactivating its own admin (which would leave every later operation at 401).
 */
const tools = openApiTools();
const CONFIG = fileURLToPath(new URL('./schemathesis.toml', import.meta.url));

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the platform under test answers from this same process.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe.runIf(tools).each(backends())('schemathesis over the API on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
  }, 60_000);
  afterAll(async () => p?.close());

  it('finds no server error and no answer that breaks its schema', async () => {
    const { code, output } = await run(tools?.schemathesis ?? 'schemathesis', [
      '--config-file',
      CONFIG,
      'run',
      `${p.url}/openapi.json`,
      '--header',
      `Authorization: Bearer ${admin}`,
      '--checks',
      'not_a_server_error,response_schema_conformance',
      '--phases',
      'examples,fuzzing',
      '--max-examples',
      '5',
      '--seed',
      '19',
      '--max-time',
      '75',
      '--workers',
      '1',
      '--request-timeout',
      '10',
      '--continue-on-failure',
      '--no-color',
    ]);
    expect(code, output.slice(0, 60_000)).toBe(0);
    // The admin it ran as is still there: every operation was fuzzed with a working credential, not only at 401.
    expect((await p.login('admin', ADMIN_PASSWORD)).status).toBe(200);
  }, 150_000);
});
