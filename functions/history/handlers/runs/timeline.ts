import { runStore, toTimelineEntry } from '../../../../shared/domains/jobs/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { RunIdParams } from '../../schemas.js';

/** Every state change of a run (the declaration found it; runs are never deleted), oldest first. */
export const runTimeline: Handler<{ params: typeof RunIdParams }> = async (ctx) =>
  json(200, { items: (await runStore(ctx.db).timeline(ctx.params.id)).map(toTimelineEntry) });
