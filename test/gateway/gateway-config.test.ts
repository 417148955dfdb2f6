// The gateway's upstream map: a bad LAKEPLANE_GATEWAY_UPSTREAMS stops the process at start, naming the variable and
// what is wrong with it; without it every function is its Knative Service in LAKEPLANE_GATEWAY_NAMESPACE.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { functionNames } from '../../functions/registry.js';
import { ConfigError, loadConfig } from '../../shared/config/index.js';
import { upstreamsOf } from '../../functions/gateway/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('LAKEPLANE_GATEWAY_UPSTREAMS', () => {
  it.each([
    ['not json', /LAKEPLANE_GATEWAY_UPSTREAMS is not JSON/],
    ['["http://a"]', /must be a JSON object/],
    ['{"iam":8101}', /names iam with a number/],
    ['{"iam":"http://127.0.0.1:8101/api"}', /origin only/],
    ['{"iam":"ftp://host"}', /only http and https/],
  ])('%s is refused at start', (value, message) => {
    expect(() => loadConfig({ LAKEPLANE_GATEWAY_UPSTREAMS: value })).toThrow(message);
  });

  it('must name exactly the functions there are', () => {
    const config = loadConfig({ LAKEPLANE_GATEWAY_UPSTREAMS: JSON.stringify({ iam: 'http://127.0.0.1:1', iamm: 'http://127.0.0.1:2' }) });
    expect(() => upstreamsOf(config, functionNames)).toThrow(ConfigError);
    expect(() => upstreamsOf(config, functionNames)).toThrow(/misses catalog.*names no such function: iamm/);
  });

  it("defaults to each function's Knative Service in the configured namespace", () => {
    const upstreams = upstreamsOf(loadConfig({ LAKEPLANE_GATEWAY_NAMESPACE: 'data' }), functionNames);
    expect(upstreams.get('iam')?.href).toBe('http://iam.data.svc.cluster.local/');
    expect([...upstreams.keys()]).toEqual([...functionNames]);
  });

  it('FUNCTION_TARGET=gateway with an incomplete map exits 2 with one line', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/serve.ts'], {
      cwd: root,
      env: { ...process.env, FUNCTION_TARGET: 'gateway', LAKEPLANE_DATA_DIR: 'memory://', LAKEPLANE_GATEWAY_UPSTREAMS: '{"iam":"http://127.0.0.1:8101"}' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^Invalid configuration: LAKEPLANE_GATEWAY_UPSTREAMS misses catalog, /);
  });
});
