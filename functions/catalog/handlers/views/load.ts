import { json, type Handler } from '../../../../shared/http/index.js';
import type { ViewParams } from '../../schemas/iceberg-requests.js';
import { requireObject } from '../../store/catalog-objects.js';
import { objectNamed } from '../objects/common.js';
import { loadViewResult } from './common.js';

export const loadView: Handler<{ params: typeof ViewParams }> = async (ctx) => {
  const { prefix, levels, name } = objectNamed('view', ctx.params);
  const { object } = await requireObject(ctx.db, 'view', prefix, levels, name);
  return json(200, loadViewResult(object.metadata_location, object.metadata));
};
