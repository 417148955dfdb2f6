import { ConflictError, NotFoundError } from '../../../../shared/errors/index.js';
import type { Handler } from '../../../../shared/http/index.js';
import type { ChunkParams } from '../../schemas.js';
import { statementStore } from '../../store/statement-store.js';
import { statementNamed } from './access.js';
import { chunkLink, encodedChunk, jsonChunk } from './views.js';

/** One chunk of a SUCCEEDED statement's result, in its format; the next one is linked. */
export const readChunk: Handler<{ params: typeof ChunkParams }> = async (ctx) => {
  const row = await statementNamed(ctx, ctx.db);
  if (row.state !== 'SUCCEEDED') throw new ConflictError(`statement ${row.id} is ${row.state}: only a SUCCEEDED statement has a result`);
  const index = Number(ctx.params.index);
  const count = row.total_chunk_count ?? 0;
  const chunk = index < count ? await statementStore(ctx.db).readChunk(row.id, index) : undefined;
  // An empty result still has its chunk 0 (no rows), so every result can be read the same way.
  if (!chunk && !(index === 0 && count === 0))
    throw new NotFoundError(`statement ${row.id} has ${count} chunk${count === 1 ? '' : 's'} (0 to ${count - 1}); there is no chunk ${index}`);
  const next = index + 1 < count ? index + 1 : undefined;
  const headers: Record<string, string> = next !== undefined ? { link: `<${chunkLink(row.id, next)}>; rel="next"`, 'x-next-chunk-index': String(next) } : {};
  if (row.format === 'JSON_ARRAY') return { status: 200, body: Buffer.from(jsonChunk(row, chunk, index)), contentType: 'application/json', headers };
  const encoded = encodedChunk(row, chunk, index);
  return {
    status: 200,
    body: encoded.body,
    contentType: encoded.contentType,
    headers: { ...headers, 'x-row-offset': String(chunk?.row_offset ?? 0), 'x-row-count': String(chunk?.row_count ?? 0) },
  };
};
