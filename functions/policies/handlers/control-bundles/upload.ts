import { createHash } from 'node:crypto';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { UploadBundleBody } from '../../schemas.js';
import { controlBundleStore } from '../../store/control-bundle-store.js';
import { checkedBundle } from './bundle-archive.js';
import { toApi } from './bundle-view.js';

/** In steps: the bundle is compiled (opa) and loaded before the short transaction that stores it. Not yet in force. */
export const uploadBundle: Handler<{ body: typeof UploadBundleBody }> = async (ctx) => {
  const principal = ctx.requirePrincipal();
  const { archive, revision } = await checkedBundle(ctx.body);
  const digest = createHash('sha256').update(archive).digest('hex');
  const reply = await ctx.transact(async (tx) => {
    const store = controlBundleStore(tx);
    // Under the state's lock: versions are given one at a time, and the answer says whether it is in force.
    const { bundleId: active } = await store.lockState();
    const row = await store.insert({ digest, revision, description: ctx.body.description ?? '', archive, uploadedBy: `${principal.kind}:${principal.name}` });
    return json(201, toApi(row, active));
  });
  ctx.auditResource = `policies/control/bundles/${(reply.body as { id: string }).id}`;
  return reply;
};
