import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import type { Executor } from '../../../shared/db/index.js';
import { ConflictError, NotFoundError, UnprocessableEntityError, ValidationError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { loadControlEngine } from '../../../shared/policy/index.js';
import { PolicyEvents } from '../../../shared/policy/index.js';

const run = promisify(execFile);
export const OPA_BUILD_HINT = 'opa build -t wasm -e lakeplane/control/allow -e lakeplane/control/reasons <folder with your .rego and data.json>';

type BundleRow = { id: string; version: number; digest: string; revision: string; description: string; uploaded_at: Date; uploaded_by: string | null };

async function activeBundleId(db: Executor): Promise<string | null> {
  return (await db.selectFrom('policy_state').select('control_bundle_id').where('id', '=', 1).executeTakeFirstOrThrow()).control_bundle_id;
}

function toApi(row: BundleRow, active: string | null) {
  return { id: row.id, version: row.version, digest: row.digest, revision: row.revision, description: row.description, uploadedAt: row.uploaded_at.toISOString(), uploadedBy: row.uploaded_by, active: row.id === active };
}

const COLUMNS = ['id', 'version', 'digest', 'revision', 'description', 'uploaded_at', 'uploaded_by'] as const;

/** Compiles Rego with the server's opa binary, if it has one (LAKEPLANE_OPA or `opa` on PATH). */
async function compileRego(rego: string, data: Record<string, unknown> | undefined): Promise<Buffer> {
  const opa = process.env['LAKEPLANE_OPA'] ?? 'opa';
  try {
    await run(opa, ['version']);
  } catch {
    throw new UnprocessableEntityError(`this server has no opa binary to compile Rego with: compile it yourself (${OPA_BUILD_HINT}) and upload the bundle as "bundle" (base64), or install OPA on the server (go install github.com/open-policy-agent/opa@v1.22.2) and set LAKEPLANE_OPA`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'lakeplane-rego-'));
  try {
    const src = path.join(dir, 'src');
    await mkdir(src);
    await writeFile(path.join(src, 'policy.rego'), rego);
    if (data) await writeFile(path.join(src, 'data.json'), JSON.stringify(data));
    const out = path.join(dir, 'bundle.tar.gz');
    try {
      await run(opa, ['build', '-t', 'wasm', '-e', 'lakeplane/control/allow', '-e', 'lakeplane/control/reasons', '-o', out, 'src'], { cwd: dir });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? String(err);
      throw new ValidationError([{ in: 'body', field: 'rego', message: `does not compile: ${stderr.replaceAll(dir, '').trim().slice(0, 2000)}` }]);
    }
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Stores a bundle after proving it loads, has both entrypoints and answers a smoke input. It is not yet in force. */
export async function uploadBundle(platform: Platform, body: { bundle?: string; rego?: string; data?: Record<string, unknown>; description?: string }, actor: string) {
  if ((body.bundle === undefined) === (body.rego === undefined)) throw new ValidationError([{ in: 'body', field: 'bundle', message: 'give either bundle (a base64 OPA bundle) or rego (source to compile), not both or neither' }]);
  let archive: Buffer;
  if (body.bundle !== undefined) {
    archive = Buffer.from(body.bundle, 'base64');
    if (archive.length === 0 || archive.toString('base64') !== body.bundle.replace(/\s/g, '')) throw new ValidationError([{ in: 'body', field: 'bundle', message: 'is not base64' }]);
  } else {
    archive = await compileRego(body.rego!, body.data);
  }
  let revision = '';
  try {
    revision = (await loadControlEngine(archive)).revision;
  } catch (err) {
    throw new ValidationError([{ in: 'body', field: body.bundle !== undefined ? 'bundle' : 'rego', message: (err as Error).message }]);
  }
  const digest = createHash('sha256').update(archive).digest('hex');
  const row = await platform.store.db.transaction().execute(async (tx) => {
    await tx.selectFrom('policy_state').select('id').where('id', '=', 1).forUpdate().execute();
    const next = ((await tx.selectFrom('control_policy_bundles').select(sql<number>`coalesce(max(version), 0) + 1`.as('v')).executeTakeFirstOrThrow()).v);
    return tx
      .insertInto('control_policy_bundles')
      .values({ id: randomUUID(), version: Number(next), digest, revision, description: body.description ?? '', archive, uploaded_by: actor })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
  });
  return toApi(row, await activeBundleId(platform.store.db));
}

export async function listBundles(db: Executor) {
  const active = await activeBundleId(db);
  const rows = await db.selectFrom('control_policy_bundles').select(COLUMNS).orderBy('version', 'desc').execute();
  return { items: rows.map((r) => toApi(r, active)), active: active ?? 'shipped' };
}

/** Puts a bundle (or, with null, the shipped one) in force, as one versioned step every process picks up. */
async function putInForce(platform: Platform, bundleId: string | null, kind: 'activate' | 'rollback', actor: string) {
  const state = await platform.store.db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('policy_state').select(['control_bundle_id', 'control_version']).where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
    if (bundleId && !(await tx.selectFrom('control_policy_bundles').select('id').where('id', '=', bundleId).executeTakeFirst())) throw new NotFoundError(`control policy bundle ${bundleId} does not exist`);
    const version = Number(current.control_version) + 1;
    await tx.updateTable('policy_state').set({ control_bundle_id: bundleId, control_version: String(version), updated_at: new Date() }).where('id', '=', 1).execute();
    await tx.insertInto('control_policy_activations').values({ bundle_id: bundleId, kind, control_version: String(version), activated_by: actor }).execute();
    await platform.outbox.publish(tx, { type: PolicyEvents.controlBundleActivated, subject: `control-policies/${bundleId ?? 'shipped'}`, data: { bundleId, controlVersion: version, kind, actor } });
    return { bundleId, controlVersion: version };
  });
  platform.controlPolicies.invalidate();
  return { active: state.bundleId ?? 'shipped', controlVersion: state.controlVersion, kind };
}

export const activateBundle = (platform: Platform, id: string, actor: string) => putInForce(platform, id, 'activate', actor);

/** Back to what was in force before the current activation (the shipped bundle if nothing was). */
export async function rollback(platform: Platform, actor: string) {
  const history = await platform.store.db.selectFrom('control_policy_activations').select(['bundle_id']).orderBy('id', 'desc').limit(2).execute();
  if (history.length === 0) throw new ConflictError('nothing to roll back: the shipped control policies have been in force all along');
  return putInForce(platform, history[1]?.bundle_id ?? null, 'rollback', actor);
}

export async function activationHistory(db: Executor) {
  const rows = await db.selectFrom('control_policy_activations').selectAll().orderBy('id', 'desc').limit(100).execute();
  return { items: rows.map((r) => ({ bundleId: r.bundle_id ?? 'shipped', kind: r.kind, controlVersion: Number(r.control_version), activatedAt: r.activated_at.toISOString(), activatedBy: r.activated_by })) };
}
