/* eslint-disable @typescript-eslint/no-explicit-any -- hive-driver's generated Thrift client is untyped; its answers are read field by field in this file and leave it as typed values. */
import hive from 'hive-driver';

/**
 * One HiveServer2 connection with one session, over the Thrift binary protocol with SASL PLAIN (what Spark's Thrift
 * server speaks, with or without an authenticator behind it). hive-driver does the transport and the SASL handshake;
 * the calls go to its generated TCLIService client directly, so every answer's TStatus (message, SQL state) and the
 * operation handle are ours to keep, and nothing buffers a result we page ourselves.
 */
const { TCLIService, TCLIService_types: T } = hive.thrift as { TCLIService: object; TCLIService_types: ThriftTypes };

interface ThriftTypes {
  [name: string]: any;
}

/** A TStatus that is not success: the engine's own words. */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly sqlState: string | undefined,
    readonly errorCode: number | undefined,
  ) {
    super(message);
  }
}

/** The connection itself failed (refused, reset, authentication): a platform fault, not the statement's. */
export class ConnectionError extends Error {}

export interface TStatus {
  statusCode: number;
  infoMessages?: string[] | null;
  sqlState?: string | null;
  errorCode?: number | null;
  errorMessage?: string | null;
}

export interface OperationHandle {
  operationId: { guid: Buffer; secret: Buffer };
  operationType: number;
  hasResultSet: boolean;
  modifiedRowCount?: number | null;
}

export type OperationState = 'INITIALIZED' | 'RUNNING' | 'FINISHED' | 'CANCELED' | 'CLOSED' | 'ERROR' | 'UNKNOWN' | 'PENDING' | 'TIMEDOUT';

export interface OperationStatus {
  state: OperationState;
  hasResultSet: boolean | undefined;
  error?: EngineError;
}

export interface ColumnDesc {
  name: string;
  /** TTypeId name without _TYPE, e.g. INT, DECIMAL, STRING. */
  typeName: string;
  precision?: number;
  scale?: number;
  position: number;
}

/** A TColumn: exactly one of these holds the values, with a null bitmap. */
export type ThriftColumn = Record<string, { values: unknown[]; nulls: Buffer } | null | undefined>;

const STATE_NAMES: Record<number, OperationState> = Object.fromEntries(
  Object.entries(T['TOperationState'] as Record<string, number>).map(([k, v]) => [v, k.replace(/_STATE$/, '') as OperationState]),
);
const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(T['TTypeId'] as Record<string, number>).map(([k, v]) => [v, k.replace(/_TYPE$/, '')]),
);

function isError(status: TStatus): boolean {
  return status.statusCode === T['TStatusCode'].ERROR_STATUS || status.statusCode === T['TStatusCode'].INVALID_HANDLE_STATUS;
}

function engineError(status: { errorMessage?: string | null; sqlState?: string | null; errorCode?: number | null }): EngineError {
  return new EngineError(status.errorMessage || 'the engine gave no message', status.sqlState ?? undefined, status.errorCode ?? undefined);
}

export interface ConnectOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  /** OpenSession configuration, e.g. use:database. */
  configuration?: Record<string, string>;
  timeoutMs?: number;
}

/** No single call takes this long (a FetchResults of a large chunk is the slowest); past it the connection is dropped. */
const CALL_TIMEOUT_MS = 300_000;

export class HiveConnection {
  private closed = false;
  /** Calls waiting for their answer: failed at once when the connection goes (Thrift would leave them waiting). */
  private readonly pending = new Set<(err: Error) => void>();
  private constructor(
    private readonly client: InstanceType<typeof hive.HiveClient>,
    private readonly thrift: Record<string, (req: unknown, cb: (err: unknown, res: any) => void) => void>,
    private readonly session: unknown,
  ) {}

  static async open(options: ConnectOptions): Promise<HiveConnection> {
    const client = new hive.HiveClient(TCLIService, T as never);
    let broken: unknown;
    client.on('error', (err: unknown) => {
      broken = err;
    });
    try {
      await withTimeout(
        client.connect(
          { host: options.host, port: options.port, options: { connect_timeout: options.timeoutMs ?? 10_000 } } as never,
          new hive.connections.TcpConnection(),
          new hive.auth.PlainTcpAuthentication({ username: options.username, password: options.password }),
        ),
        options.timeoutMs ?? 10_000,
        `connecting to HiveServer2 at ${options.host}:${options.port}`,
      );
    } catch (err) {
      client.close();
      throw new ConnectionError(`cannot reach the lakehouse's HiveServer2 at ${options.host}:${options.port}: ${(err as Error).message ?? String(err)}`);
    }
    const thrift = client.getClient() as never as Record<string, (req: unknown, cb: (err: unknown, res: any) => void) => void>;
    const response = await call(
      thrift,
      'OpenSession',
      new T['TOpenSessionReq']({
        client_protocol: T['TProtocolVersion'].HIVE_CLI_SERVICE_PROTOCOL_V10,
        username: options.username,
        password: options.password,
        configuration: options.configuration ?? {},
      }),
    ).catch((err: unknown) => {
      client.close();
      throw err instanceof EngineError ? err : new ConnectionError(`opening a HiveServer2 session failed: ${(err as Error).message ?? String(err)}`);
    });
    if (isError(response.status)) {
      client.close();
      throw engineError(response.status);
    }
    if (broken) throw new ConnectionError(String(broken));
    const connection = new HiveConnection(client, thrift, response.sessionHandle);
    client.on('close', () => connection.gone(new ConnectionError('the lakehouse closed the HiveServer2 connection')));
    client.on('error', (err: unknown) => connection.gone(new ConnectionError(`the HiveServer2 connection failed: ${(err as Error).message ?? String(err)}`)));
    return connection;
  }

  private gone(err: Error): void {
    this.closed = true;
    for (const reject of this.pending) reject(err);
    this.pending.clear();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Starts a statement; with runAsync the answer comes at once and the operation runs on. */
  async execute(statement: string, runAsync: boolean): Promise<OperationHandle> {
    const response = await this.call('ExecuteStatement', new T['TExecuteStatementReq']({ sessionHandle: this.session, statement, runAsync, confOverlay: {} }));
    if (isError(response.status)) throw engineError(response.status);
    return response.operationHandle as OperationHandle;
  }

  async status(handle: OperationHandle): Promise<OperationStatus> {
    const response = await this.call('GetOperationStatus', new T['TGetOperationStatusReq']({ operationHandle: handle, getProgressUpdate: false }));
    if (isError(response.status)) throw engineError(response.status);
    const state = STATE_NAMES[response.operationState as number] ?? 'UNKNOWN';
    const out: OperationStatus = { state, hasResultSet: typeof response.hasResultSet === 'boolean' ? response.hasResultSet : undefined };
    if (state === 'ERROR') out.error = engineError(response);
    return out;
  }

  async columns(handle: OperationHandle): Promise<ColumnDesc[]> {
    const response = await this.call('GetResultSetMetadata', new T['TGetResultSetMetadataReq']({ operationHandle: handle }));
    if (isError(response.status)) throw engineError(response.status);
    const columns = (response.schema?.columns ?? []) as Array<{
      columnName: string;
      position: number;
      typeDesc: { types: Array<{ primitiveEntry?: { type: number; typeQualifiers?: { qualifiers?: Record<string, { i32Value?: number }> } } }> };
    }>;
    return columns
      .sort((a, b) => a.position - b.position)
      .map((c, i) => {
        const entry = c.typeDesc.types[0]?.primitiveEntry;
        const q = entry?.typeQualifiers?.qualifiers;
        const desc: ColumnDesc = {
          name: c.columnName.split('.').pop() ?? c.columnName,
          typeName: entry ? (TYPE_NAMES[entry.type] ?? 'STRING') : complexTypeName(c.typeDesc.types[0]),
          position: i,
        };
        if (q?.['precision']?.i32Value !== undefined) desc.precision = q['precision'].i32Value;
        if (q?.['scale']?.i32Value !== undefined) desc.scale = q['scale'].i32Value;
        return desc;
      });
  }

  /** The next rows, column by column (empty when the result is exhausted). */
  async fetch(handle: OperationHandle, maxRows: number): Promise<ThriftColumn[]> {
    const response = await this.call(
      'FetchResults',
      new T['TFetchResultsReq']({ operationHandle: handle, orientation: T['TFetchOrientation'].FETCH_NEXT, maxRows, fetchType: 0 }),
    );
    if (isError(response.status)) throw engineError(response.status);
    return (response.results?.columns ?? []) as ThriftColumn[];
  }

  async cancel(handle: OperationHandle): Promise<void> {
    const response = await this.call('CancelOperation', new T['TCancelOperationReq']({ operationHandle: handle }));
    if (isError(response.status)) throw engineError(response.status);
  }

  async closeOperation(handle: OperationHandle): Promise<void> {
    await this.call('CloseOperation', new T['TCloseOperationReq']({ operationHandle: handle })).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await withTimeout(call(this.thrift, 'CloseSession', new T['TCloseSessionReq']({ sessionHandle: this.session })), 5_000, 'closing the session').catch(
      () => undefined,
    );
    this.client.close();
  }

  private async call(method: string, request: unknown): Promise<any> {
    if (this.closed) throw new ConnectionError('the HiveServer2 connection is closed');
    let reject: ((err: Error) => void) | undefined;
    const lost = new Promise<never>((_, r) => (reject = r));
    this.pending.add(reject!);
    try {
      return await withTimeout(Promise.race([call(this.thrift, method, request), lost]), CALL_TIMEOUT_MS, `HiveServer2 ${method}`);
    } catch (err) {
      this.gone(err instanceof ConnectionError ? err : new ConnectionError(`HiveServer2 ${method} failed: ${(err as Error).message ?? String(err)}`));
      this.client.close();
      throw err instanceof ConnectionError ? err : new ConnectionError(`HiveServer2 ${method} failed: ${(err as Error).message ?? String(err)}`);
    } finally {
      this.pending.delete(reject!);
    }
  }
}

function complexTypeName(t: unknown): string {
  const entry = t as Record<string, unknown> | undefined;
  if (entry?.['arrayEntry']) return 'ARRAY';
  if (entry?.['mapEntry']) return 'MAP';
  if (entry?.['structEntry']) return 'STRUCT';
  return 'STRING';
}

function call(thrift: Record<string, (req: unknown, cb: (err: unknown, res: any) => void) => void>, method: string, request: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    try {
      thrift[method]!.call(thrift, request, (err, res) =>
        err ? reject(err instanceof Error ? err : new Error(String((err as { message?: string }).message ?? err))) : resolve(res),
      );
    } catch (err) {
      reject(err);
    }
  });
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The operation handle as text (to store), and back: HiveServer2 finds an operation by it from any session. */
export function encodeHandle(h: OperationHandle): string {
  return JSON.stringify({ g: h.operationId.guid.toString('base64'), s: h.operationId.secret.toString('base64'), t: h.operationType, r: h.hasResultSet });
}

export function decodeHandle(text: string): OperationHandle {
  const o = JSON.parse(text) as { g: string; s: string; t: number; r: boolean };
  return new T['TOperationHandle']({
    operationId: new T['THandleIdentifier']({ guid: Buffer.from(o.g, 'base64'), secret: Buffer.from(o.s, 'base64') }),
    operationType: o.t,
    hasResultSet: o.r,
  }) as OperationHandle;
}
