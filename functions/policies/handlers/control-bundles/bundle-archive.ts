import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { UnprocessableEntityError, ValidationError } from '../../../../shared/errors/index.js';
import { loadControlEngine } from '../../../../shared/policy/index.js';

const run = promisify(execFile);
export const OPA_BUILD_HINT = 'opa build -t wasm -e lakeplane/control/allow -e lakeplane/control/reasons <folder with your .rego and data.json>';

/** Compiles Rego with the server's opa binary, if it has one (LAKEPLANE_OPA or `opa` on PATH). */
async function compileRego(rego: string, data: Record<string, unknown> | undefined): Promise<Buffer> {
  const opa = process.env['LAKEPLANE_OPA'] ?? 'opa';
  try {
    await run(opa, ['version']);
  } catch {
    throw new UnprocessableEntityError(
      `this server has no opa binary to compile Rego with: compile it yourself (${OPA_BUILD_HINT}) and upload the bundle as "bundle" (base64), or install OPA on the server (go install github.com/open-policy-agent/opa@v1.22.2) and set LAKEPLANE_OPA`,
    );
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

/**
 * The bundle an upload gives, proven to load, to have both entrypoints and to answer a smoke input: the archive
 * itself (base64) or compiled from Rego here; with the revision its manifest names.
 */
export async function checkedBundle(body: { bundle?: string; rego?: string; data?: Record<string, unknown> }): Promise<{ archive: Buffer; revision: string }> {
  if ((body.bundle === undefined) === (body.rego === undefined))
    throw new ValidationError([
      { in: 'body', field: 'bundle', message: 'give either bundle (a base64 OPA bundle) or rego (source to compile), not both or neither' },
    ]);
  let archive: Buffer;
  if (body.bundle !== undefined) {
    archive = Buffer.from(body.bundle, 'base64');
    if (archive.length === 0 || archive.toString('base64') !== body.bundle.replace(/\s/g, ''))
      throw new ValidationError([{ in: 'body', field: 'bundle', message: 'is not base64' }]);
  } else {
    archive = await compileRego(body.rego!, body.data);
  }
  try {
    return { archive, revision: (await loadControlEngine(archive)).revision };
  } catch (err) {
    throw new ValidationError([{ in: 'body', field: body.bundle !== undefined ? 'bundle' : 'rego', message: (err as Error).message }]);
  }
}
