import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { BadGatewayError } from './edge-errors.js';
import { LakeplaneError, MethodNotAllowedError, PayloadTooLargeError, UnauthenticatedError, renderError } from '../../../shared/errors/index.js';
import type { Logger } from '../../../shared/log/index.js';
import { LaneRefusedError } from './hive-binary-lane.js';
import type { HiveLanes } from './hive-lanes.js';
import type { LakehouseAdmission } from './lakehouse-admission.js';
import { thriftCallOf, thriftErrorReply } from './thrift-refusal.js';

const HOW = 'connect with your Lakeplane user name and one of your tokens as the password (beeline -n NAME -p TOKEN)';

/** HTTP Basic credentials: HiveServer2's HTTP transport sends the JDBC user and password this way. */
function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic[ ]+([A-Za-z0-9+/]+=*)$/i.exec((header ?? '').trim());
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PayloadTooLargeError(`a HiveServer2 call of more than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Where a reply goes: the answer, while the client is there; once it left, the rest of the reply is read and dropped. */
function replySink(res: ServerResponse) {
  let waiting: (() => void) | undefined;
  res.once('close', () => waiting?.());
  return {
    begin(length: number) {
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/x-thrift', 'content-length': String(length) });
    },
    body: new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (res.destroyed) return done();
        if (res.write(chunk)) return done();
        waiting = () => {
          waiting = undefined;
          done();
        };
        res.once('drain', () => waiting?.());
      },
      final(done) {
        if (!res.destroyed) res.end();
        done();
      },
    }),
  };
}

/**
 * HiveServer2's HTTP transport for one lakehouse: each POST is one Thrift call, checked (the credential, who may
 * connect, the lakehouse serving or auto-started), then carried on a binary lane to the lakehouse's driver as that
 * user, its reply streamed back as it arrives.
 */
export class HiveHttpBridge {
  constructor(
    private readonly admission: LakehouseAdmission,
    private readonly lanes: HiveLanes,
    private readonly maxCallBytes: number,
    private readonly log: Logger,
  ) {}

  async handle(lakehouse: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let call: ReturnType<typeof thriftCallOf>;
    try {
      // HiveServer2's HTTP transport: every call is a POST.
      if (req.method !== 'POST') throw new MethodNotAllowedError(req.method ?? 'GET', ['POST']);
      const credentials = basicCredentials(req.headers['authorization']);
      const body = await readBody(req, this.maxCallBytes);
      call = thriftCallOf(body);
      const admitted = await this.admission.admit({ lakehouse, token: credentials?.password, user: credentials?.user, howToAuthenticate: HOW });
      let lane;
      try {
        lane = await this.lanes.acquire(admitted.start, admitted.endpoints.hiveServer2, credentials!.user, credentials!.password);
      } catch (err) {
        if (err instanceof LaneRefusedError) throw new UnauthenticatedError(`the lakehouse refused the credential: ${err.message}`);
        this.admission.forget(lakehouse);
        throw new BadGatewayError(`lakehouse ${lakehouse}'s HiveServer2 could not be reached: ${(err as Error).message}`);
      }
      try {
        await lane.call(body, replySink(res));
      } catch (err) {
        this.admission.forget(lakehouse);
        throw new BadGatewayError(`lakehouse ${lakehouse}'s HiveServer2 connection failed during the call: ${(err as Error).message}`);
      } finally {
        this.lanes.release(lane);
      }
    } catch (err) {
      this.refuse(req, res, err, call);
    }
  }

  private refuse(req: IncomingMessage, res: ServerResponse, err: unknown, call: ReturnType<typeof thriftCallOf>): void {
    if (!(err instanceof LakeplaneError)) this.log.error({ err, url: req.url }, 'lakehouse edge: a HiveServer2 call failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (call && err instanceof LakeplaneError) {
      const reply = thriftErrorReply(call, err.message, err.status === 503 || err.status === 502 ? '08S01' : 'HY000');
      res.writeHead(200, { 'content-type': 'application/x-thrift', 'content-length': String(reply.length) });
      res.end(reply);
      return;
    }
    const rendered = renderError(err, 'problem', (req.url ?? '/').split('?')[0]);
    const text = JSON.stringify(rendered.body);
    const headers: Record<string, string> = { ...rendered.headers, 'content-type': rendered.contentType, 'content-length': String(Buffer.byteLength(text)) };
    // HTTP transport's clients answer a 401 with Basic credentials: say which scheme.
    if (rendered.status === 401) headers['www-authenticate'] = 'Basic realm="lakeplane", charset="UTF-8"';
    res.writeHead(rendered.status, headers);
    res.end(text);
  }
}
