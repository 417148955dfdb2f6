import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseCidrList } from '../../shared/config/index.js';
import { checkTarget, postPinned, type ResolveHost } from '../../functions/webhooks/targets/index.js';
import { allowListOf } from '../../functions/webhooks/targets/address-ranges.js';

/**
 * The delivery side of the SSRF guard, against a real receiver: a delivery connects to the address that was checked,
 * never to what the name resolves to a moment later (DNS rebinding), and the allow-list setting is checked at startup.
 */
describe('webhook targets', () => {
  let port = 0;
  const hosts: string[] = [];
  const server = createServer((req, res) => {
    hosts.push(String(req.headers.host));
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  beforeAll(() => new Promise<void>((r) => server.listen(0, '127.0.0.1', () => ((port = (server.address() as AddressInfo).port), r()))));
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('connects to the checked address even when the name rebinds after the check', async () => {
    let lookups = 0;
    // The first answer is the allow-listed receiver, every later one the cloud metadata endpoint.
    const rebinding: ResolveHost = async () => [{ address: ++lookups === 1 ? '127.0.0.1' : '169.254.169.254', family: 4 }];
    const target = await checkTarget(`http://hooks.rebinding.test:${port}/hook`, allowListOf(parseCidrList('127.0.0.1/32')), rebinding);
    expect(target.address).toBe('127.0.0.1');
    expect(await postPinned(target, { 'content-type': 'application/json' }, '{}', 5_000)).toBe(204);
    expect(lookups).toBe(1);
    expect(hosts).toEqual([`hooks.rebinding.test:${port}`]);
    await expect(checkTarget(`http://hooks.rebinding.test:${port}/hook`, allowListOf([]), rebinding)).rejects.toThrow(
      /resolves to 169\.254\.169\.254, which is link-local/,
    );
  });

  it('refuses a name when any of its addresses is refused', async () => {
    const mixed: ResolveHost = async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    await expect(checkTarget('http://mixed.test/hook', allowListOf(parseCidrList('127.0.0.1')), mixed)).rejects.toThrow(/10\.0\.0\.5, which is private/);
  });

  it('stops startup on an allow-list entry that is not a CIDR range, naming the variable', () => {
    expect(() => loadConfig({ LAKEPLANE_WEBHOOK_ALLOWED_CIDRS: '10.0.0.0/8, 10.0.0.0/33' })).toThrow(
      /LAKEPLANE_WEBHOOK_ALLOWED_CIDRS "10\.0\.0\.0\/33" has a prefix length outside 0\.\.32/,
    );
    expect(() => loadConfig({ LAKEPLANE_WEBHOOK_ALLOWED_CIDRS: 'localhost' })).toThrow(/LAKEPLANE_WEBHOOK_ALLOWED_CIDRS "localhost" is not a CIDR range/);
    expect(loadConfig({ LAKEPLANE_WEBHOOK_ALLOWED_CIDRS: '10.0.0.0/8,fd00::/8' }).LAKEPLANE_WEBHOOK_ALLOWED_CIDRS).toBe('10.0.0.0/8,fd00::/8');
  });
});
