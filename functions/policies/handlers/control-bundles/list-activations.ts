import { json, type Handler } from '../../../../shared/http/index.js';
import { controlBundleStore } from '../../store/control-bundle-store.js';

export const listActivations: Handler = async (ctx) => {
  const rows = await controlBundleStore(ctx.db).activations(100);
  return json(200, {
    items: rows.map((r) => ({
      bundleId: r.bundle_id ?? 'shipped',
      kind: r.kind,
      controlVersion: Number(r.control_version),
      activatedAt: r.activated_at.toISOString(),
      activatedBy: r.activated_by,
    })),
  });
};
