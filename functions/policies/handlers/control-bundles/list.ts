import { json, type Handler } from '../../../../shared/http/index.js';
import { controlBundleStore } from '../../store/control-bundle-store.js';
import { toApi } from './bundle-view.js';

export const listBundles: Handler = async (ctx) => {
  const store = controlBundleStore(ctx.db);
  const active = await store.activeBundleId();
  const rows = await store.list();
  return json(200, { items: rows.map((r) => toApi(r, active)), active: active ?? 'shipped' });
};
