import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite } from '../support/prerequisites.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Apache Iceberg's own REST Compatibility Kit (RESTCompatibilityKitSuite from iceberg-open-api's test jars: Iceberg's
 * CatalogTests and ViewCatalogTests) against our catalog, through the Java client, over real HTTP, on PostgreSQL when
 * DATABASE_URL is set. scripts/iceberg-tools.sh resolves the jars with Maven and runs the JUnit console launcher.
 *
 * Every test must pass. Tests the RCK itself turns off (nested namespaces, names with '/', empty namespaces; one
 * @Disabled upstream) are reported by JUnit as aborted or skipped; that list is in the README.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const TOOLS = path.join(ROOT, 'scripts/iceberg-tools.sh');
/** Failures we accept, each with its reason (also in the README). None today. */
const EXCLUDED: Record<string, string> = {};

function prerequisitesMissing(): string | undefined {
  for (const [cmd, args] of [
    ['java', ['-version']],
    ['mvn', ['-v']],
  ] as const) {
    if (spawnSync(cmd, [...args], { stdio: 'ignore' }).status !== 0) return `${cmd} is not installed (CI installs Java 17 and Maven)`;
  }
  return undefined;
}

function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, LAKEPLANE_RCK_LOG_LEVEL: 'error' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const missing = prerequisitesMissing();
if (missing) missingPrerequisite('the Iceberg REST Compatibility Kit', missing);

describe.skipIf(!!missing)('Iceberg REST Compatibility Kit (Iceberg 1.11.0, Java client)', () => {
  let p: TestPlatform;
  let credential: string;

  beforeAll(async () => {
    // The jars first (Maven, cached after the first run), so the server is not kept waiting.
    const cp = await run('bash', [TOOLS, 'classpath'], 10 * 60_000);
    if (cp.code !== 0) throw new Error(`could not resolve the RCK's jars:\n${cp.output.slice(-3000)}`);
    p = await startPlatform(process.env['DATABASE_URL'] ? 'postgres' : 'pglite');
    const admin = await p.adminToken();
    // The RCK asks for locations under /tmp (file:/tmp/ns/tbl, JUnit temp dirs); the warehouse must contain them.
    for (const dir of ['ns', 'newdb', 'ns1', 'ns2', 'other_ns']) rmSync(path.join('/tmp', dir), { recursive: true, force: true });
    const wh = await p.call('POST', '/api/v1/warehouses', { token: admin, body: { name: 'rck', storageLocation: 'file:///tmp' } });
    expect(wh.status).toBe(201);
    const sa = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'rck', isAdmin: true } });
    credential = `${sa.body.credentials.clientId}:${sa.body.credentials.clientSecret}`;
  }, 15 * 60_000);
  afterAll(async () => {
    await p?.close();
  });

  it(
    'passes every test of CatalogTests and ViewCatalogTests',
    async () => {
      const { code, output } = await run(
        'bash',
        [TOOLS, 'rck', `${p.url}/iceberg`, 'rck', credential, `-Doauth2-server-uri=${p.url}/api/v1/auth/token`, '-Drck.supports-names-with-dot=true'],
        10 * 60_000,
      );
      const count = (what: string) => Number(new RegExp(`(\\d+) tests ${what}`).exec(output)?.[1] ?? NaN);
      const failed = [...output.matchAll(/methodName = '([^']+)'[^\n]*\n\s*=> ([^\n]*)/g)].map((m) => `${m[1]}: ${m[2]}`);
      const unexpected = failed.filter((f) => !(f.split(':')[0]! in EXCLUDED));
      expect(unexpected, output.slice(-6000)).toEqual([]);
      expect(count('successful'), output.slice(-3000)).toBeGreaterThanOrEqual(147);
      if (Object.keys(EXCLUDED).length === 0) expect(code, output.slice(-3000)).toBe(0);
    },
    15 * 60_000,
  );
});
