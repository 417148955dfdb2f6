import { it } from 'vitest';
import { backends } from '../support/databases.js';
import { startPlatform } from '../support/platform.js';
import { startOidcIssuer } from '../support/oidc-issuer.js';

it.each(backends())('probe %s', async (backend) => {
  const p = await startPlatform(backend);
  const admin = await p.adminToken();
  const kc = await startOidcIssuer();
  const slash = await startOidcIssuer({ path: '/tenant', trailingSlash: true });
  const log = (...a: unknown[]) => console.log(backend, ...a);
  log((await p.call('POST', '/api/v1/identity-providers', { token: admin, body: { name: 'kc', issuer: kc.issuer, audience: 'lakeplane', groupsClaim: 'groups' } })).status);
  log('bad', JSON.stringify((await p.call('POST', '/api/v1/identity-providers', { token: admin, body: { name: 'Kc', issuer: 'nope', audience: 'lakeplane', clientSecret: 'x' } })).body));
  log('slash reg', JSON.stringify((await p.call('POST', '/api/v1/identity-providers', { token: admin, body: { name: 'slash', issuer: slash.issuer, audience: 'lakeplane' } })).body));
  const s = await p.call('GET', '/api/v1/me', { token: await slash.mint({ sub: 's1', preferred_username: 'sam' }) });
  log('slash me', s.status, s.body.detail, slash.requests);
  // email clash
  await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'alice', email: 'alice@corp.example', password: 'alice-password-1' } });
  const e = await p.call('GET', '/api/v1/me', { token: await kc.mint({ sub: 'e1', preferred_username: 'alice2', email: 'Alice@corp.example' }) });
  log('email clash', e.status, JSON.stringify(e.body));
  // concurrency
  const t = await kc.mint({ sub: 'c1', preferred_username: 'conc', groups: ['g-new-1', 'g-new-2'] });
  const rs = await Promise.all(Array.from({ length: 8 }, () => p.call('GET', '/api/v1/me', { token: t })));
  log('concurrent', rs.map((r) => r.status), rs.find((r) => r.status !== 200)?.body);
  const t2 = await kc.mint({ sub: 'c2', preferred_username: 'conc2', groups: ['shared-new'] });
  const t3 = await kc.mint({ sub: 'c3', preferred_username: 'conc3', groups: ['shared-new'] });
  const rs2 = await Promise.all([t2, t3, t2, t3].map((tk) => p.call('GET', '/api/v1/me', { token: tk })));
  log('concurrent groups', rs2.map((r) => r.status));
  // rotation immediately
  await kc.rotateKey();
  const r = await p.call('GET', '/api/v1/me', { token: await kc.mint({ sub: 'r1', preferred_username: 'rot' }) });
  log('rotation immediate', r.status, r.body.detail, kc.requests);
  // weird username
  const w = await p.call('GET', '/api/v1/me', { token: await kc.mint({ sub: 'w1', preferred_username: 'Weird User@X' }, {}) });
  log('weird', w.status, w.body.name ?? w.body.detail);
  await kc.close(); await slash.close(); await p.close();
});
