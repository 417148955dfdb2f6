import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/index.js';
import { backends } from '../support/databases.js';
import { tokenFrom, type AddressedAnswer } from '../support/from-address.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

/**
 * Issue 19: brute force detection at the token endpoint. Each test speaks from its own loopback addresses, so the
 * server sees distinct clients, as it would see distinct machines.
 */
const THROTTLED = {
  LAKEPLANE_LOGIN_MAX_FAILURES: '3',
  LAKEPLANE_LOGIN_LOCKOUT_SECONDS: '60',
  LAKEPLANE_LOGIN_ADDRESS_MAX_FAILURES: '30',
  LAKEPLANE_CLIENT_MAX_FAILURES: '5',
  LAKEPLANE_TRUSTED_PROXIES: '127.0.0.90, 127.0.1.0/24',
};

function expectThrottled(r: AddressedAnswer, message: RegExp) {
  expect(r.status, JSON.stringify(r.body)).toBe(429);
  expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  expect(typeof r.body.error).toBe('string');
  expect(r.body.error_description).toMatch(message);
}

describe.each(backends())('credential throttling on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;
  const password = (username: string, secret: string, from: string, headers: Record<string, string> = {}) =>
    tokenFrom(from, p.url, { grant_type: 'password', username, password: secret }, headers);

  beforeAll(async () => {
    p = await startPlatform(backend, { env: THROTTLED });
    admin = await p.adminToken();
    for (const username of ['alice', 'bob', 'carol', 'dave']) {
      expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username, password: `${username}-password-1` } })).status).toBe(201);
    }
  }, 60_000);
  afterAll(() => p?.close());

  it("an attacker failing many times cannot block the user's login from another address, nor tell users from non-users", async () => {
    const attacker = '127.0.0.2';
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) seen.push((await password('alice', `guess-${i}-wrong`, attacker)).status);
    expect(seen).toEqual([400, 400, 400, 429, 429, 429, 429, 429]);
    // Even the right password is refused from there while blocked ...
    const blocked = await password('alice', 'alice-password-1', attacker);
    expectThrottled(blocked, /too many failed logins for alice from this address; try again in \d+ s/);
    // ... but alice, at her own address, logs in.
    const alice = await password('alice', 'alice-password-1', '127.0.0.1');
    expect(alice.status, JSON.stringify(alice.body)).toBe(200);
    expect(alice.body.access_token).toBeTruthy();

    // A user name that does not exist is throttled the same way: the answers do not tell them apart.
    const ghost: AddressedAnswer[] = [];
    for (let i = 0; i < 4; i++) ghost.push(await password('nobody-here', `guess-${i}-wrong`, attacker));
    expect(ghost.map((r) => r.status)).toEqual([400, 400, 400, 429]);
    expect(ghost[2]?.body).toEqual({ error: 'invalid_grant', error_description: 'username or password is wrong' });
    expect(ghost[3]?.body.error).toBe(blocked.body.error);
    expect(ghost[3]?.body.error_description).toMatch(/too many failed logins for nobody-here from this address/);
  });

  it('spraying one password across 50 user names from one address gets 429; other addresses are not affected', async () => {
    const sprayer = '127.0.0.3';
    const statuses: number[] = [];
    let last: AddressedAnswer | undefined;
    for (let i = 0; i < 50; i++) {
      const username = i % 10 === 0 ? ['alice', 'bob', 'carol', 'dave', 'admin'][i / 10]! : `user-${i}`;
      last = await password(username, 'Summer2026!', sprayer);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    expectThrottled(last!, /too many failed logins from this address/);
    // The address is blocked for every user name, right password included; bob elsewhere is not.
    expectThrottled(await password('bob', 'bob-password-1', sprayer), /from this address/);
    expect((await password('bob', 'bob-password-1', '127.0.0.1')).status).toBe(200);
  });

  it("guessing a service account's client secret gets 429, from however many addresses", async () => {
    const created = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'guessed-bot' } });
    expect(created.status).toBe(201);
    const { clientId, clientSecret } = created.body.credentials;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await tokenFrom(`127.0.0.${10 + i}`, p.url, { grant_type: 'client_credentials', client_id: clientId, client_secret: `lpcs_guess_${i}` });
      statuses.push(r.status);
      if (i === 6) expectThrottled(r, new RegExp(`too many failed authentications of client ${clientId}`));
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Basic authentication spends the same budget.
    const basic = 'Basic ' + Buffer.from(`${encodeURIComponent(clientId)}:lpcs_other_guess`).toString('base64');
    expect((await tokenFrom('127.0.0.20', p.url, { grant_type: 'client_credentials' }, { authorization: basic })).status).toBe(429);
    // Another service account is not affected.
    const other = await p.call('POST', '/api/v1/service-accounts', { token: admin, body: { name: 'other-bot' } });
    const ok = await tokenFrom('127.0.0.21', p.url, {
      grant_type: 'client_credentials',
      client_id: other.body.credentials.clientId,
      client_secret: other.body.credentials.clientSecret,
    });
    expect(ok.status).toBe(200);
    // While blocked, the right secret is refused too: a block that let a right guess through would stop nothing.
    expectThrottled(
      await tokenFrom('127.0.0.22', p.url, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
      /guessed-bot|client/,
    );
  });

  it("guessing subject tokens and refresh tokens spends the address's budget", async () => {
    const guesser = '127.0.0.30';
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const fields: Record<string, string> =
        i % 2 === 0
          ? {
              grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
              subject_token: `lpat_guess${i}`,
              subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
            }
          : { grant_type: 'refresh_token', refresh_token: `lprt_guess${i}` };
      statuses.push((await tokenFrom(guesser, p.url, fields)).status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    // From a client that is not a proxy, the header is the client's own text: carol's failures stay with 127.0.0.40.
    for (let i = 0; i < 3; i++) expect((await password('carol', 'wrong-carol-pw', '127.0.0.40', { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(400);
    expectThrottled(await password('carol', 'carol-password-1', '127.0.0.40', { 'x-forwarded-for': '198.51.100.77' }), /carol/);

    // Through the trusted proxy, each client is its own address; a forged entry left of the proxy's is not believed.
    for (let i = 0; i < 3; i++)
      expect((await password('dave', 'wrong-dave-pw', '127.0.0.90', { 'x-forwarded-for': `192.0.2.${i}, 203.0.113.5` })).status).toBe(400);
    expectThrottled(await password('dave', 'dave-password-1', '127.0.0.90', { 'x-forwarded-for': '192.0.2.99, 203.0.113.5' }), /dave/);
    // A chain of trusted proxies (127.0.1.0/24) is walked to the first address that is not one.
    expectThrottled(await password('dave', 'dave-password-1', '127.0.1.7', { 'x-forwarded-for': '203.0.113.5, 127.0.0.90' }), /dave/);
    expect((await password('dave', 'dave-password-1', '127.0.0.90', { 'x-forwarded-for': '203.0.113.6' })).status).toBe(200);
  });

  it.runIf(backend === 'postgres')('replicas on one database share the counts', async () => {
    const second = await startPlatform('postgres', { sharedDatabaseOf: p, env: THROTTLED });
    try {
      const from = '127.0.0.50';
      expect((await password('bob', 'wrong-on-a-1', from)).status).toBe(400);
      expect((await tokenFrom(from, second.url, { grant_type: 'password', username: 'bob', password: 'wrong-on-b-1' })).status).toBe(400);
      expect((await password('bob', 'wrong-on-a-2', from)).status).toBe(400);
      expectThrottled(await tokenFrom(from, second.url, { grant_type: 'password', username: 'bob', password: 'bob-password-1' }), /bob/);
      expectThrottled(await password('bob', 'bob-password-1', from), /bob/);
    } finally {
      await second.close();
    }
  });
});

describe.each(backends())('the global guard on %s', (backend) => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_LOGIN_GLOBAL_FAILURES_PER_MINUTE: '5' } });
  }, 60_000);
  afterAll(() => p?.close());

  it('slows failed answers in a flood but refuses nobody', async () => {
    const minute = () => Math.floor(Date.now() / 60_000);
    const wrong = (address: string, i: number) => tokenFrom(address, p.url, { grant_type: 'refresh_token', refresh_token: `lprt_flood${i}` });
    // The count is per clock minute: the flood must fit in one. Started early in a minute, it does; if a loaded
    // machine still carries it over, it is flooded again in the new minute (whose count only makes the delays longer).
    let answers: Array<{ status: number; ms: number }> = [];
    for (let round = 0; round < 3; round++) {
      await waitFor('the start of a minute', () => new Date().getSeconds() < 45, { timeoutMs: 20_000, intervalMs: 200 });
      const began = minute();
      answers = [];
      for (let i = 0; i < 10; i++) {
        const started = Date.now();
        const r = await wrong(`127.0.2.${i + 1}`, i);
        answers.push({ status: r.status, ms: Date.now() - started });
      }
      if (minute() === began) break;
    }
    expect(answers.every((a) => a.status === 400)).toBe(true);
    // From the 5th failure of the minute on, each answer waited at least 250 ms (a lower bound: load only adds to it).
    expect(
      answers.slice(5).every((a) => a.ms >= 250),
      JSON.stringify(answers),
    ).toBe(true);
    // A right password is not slowed down by the flood. Not measured against a clock budget (a loaded machine makes
    // any login slow): the flood is driven to the longest delay (5 s), and a right password sent together with a
    // wrong one is answered first.
    let order: string[] = [];
    for (let round = 0; round < 3; round++) {
      const began = minute();
      await Promise.all(Array.from({ length: 30 }, (_, i) => wrong(`127.0.3.${i + 1}`, 100 * (round + 1) + i)));
      order = [];
      await Promise.all([
        wrong(`127.0.4.${round + 1}`, 1000 + round).then((r) => order.push(`wrong ${r.status}`)),
        p.login('admin', 'admin-password-for-tests').then((r) => order.push(`right ${r.status}`)),
      ]);
      if (minute() === began) break;
    }
    expect(order).toEqual(['right 200', 'wrong 400']);
  }, 180_000);
});

describe('LAKEPLANE_TRUSTED_PROXIES', () => {
  it('takes addresses and CIDR ranges, and names the entry it cannot read', () => {
    const proxies = loadConfig({ LAKEPLANE_TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.7,fd00::/8' }).trustedProxies;
    expect(['10.1.2.3', '::ffff:10.9.9.9', '192.168.1.7', 'fd00::1'].map((a) => proxies.has(a))).toEqual([true, true, true, true]);
    expect(['11.0.0.1', '192.168.1.8', 'fe80::1', 'unknown'].map((a) => proxies.has(a))).toEqual([false, false, false, false]);
    expect(loadConfig({}).trustedProxies.none).toBe(true);
    expect(() => loadConfig({ LAKEPLANE_TRUSTED_PROXIES: '10.0.0.0/8, gateway.local' })).toThrow(
      /LAKEPLANE_TRUSTED_PROXIES has "gateway.local" is not a CIDR range/,
    );
    expect(() => loadConfig({ LAKEPLANE_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/LAKEPLANE_TRUSTED_PROXIES has "10.0.0.0\/33"/);
  });
});
