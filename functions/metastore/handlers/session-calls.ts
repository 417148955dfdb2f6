import { UnauthenticatedError } from '../../../shared/errors/index.js';
import { DEFAULT_PARTITION_NAME } from '../domain/partition-names.js';
import { configValSecurity, metaError } from '../metastore-errors.js';
import type { MetastoreSession } from '../metastore-session.js';
import { lastChange } from '../store/metastore-changes.js';

/** How a client authenticates, for every message that asks it to. */
export const HOW_TO_AUTHENTICATE =
  "present a Lakeplane token (a personal access token or a service account's) as the connection's user name: Spark's Hive client sends HADOOP_USER_NAME, Trino's Hive connector hive.metastore.username";

/**
 * set_ugi: Hive's clients send it first on every connection (Spark's Hive client with its Hadoop user, Trino's
 * connector with hive.metastore.username), and Hive in non-secure mode takes the name on trust. Here the name must be
 * a credential the platform accepts, and the connection acts for its principal from then on: the one way the Hive
 * 2.3 client and Trino 476 can carry a credential without Kerberos. Hive's answer is the groups with the user appended.
 */
export async function setUgi(s: MetastoreSession, user: string | undefined, groups: readonly string[] | undefined): Promise<string[]> {
  const credential = (user ?? '').trim();
  try {
    s.principal = await s.platform.authenticator.authenticate(`Bearer ${credential}`);
    s.credential = credential;
  } catch (err) {
    s.principal = undefined;
    s.credential = undefined;
    if (err instanceof UnauthenticatedError) throw metaError(`not authenticated: ${err.message}; ${HOW_TO_AUTHENTICATE}`);
    throw err;
  }
  return [...(groups ?? []), s.principal.name];
}

/** What get_config_value answers: settings clients read to behave as the server does. */
const SERVER_SETTINGS: ReadonlyMap<string, string> = new Map([
  ['hive.exec.default.partition.name', DEFAULT_PARTITION_NAME],
  ['hive.metastore.batch.retrieve.max', '300'],
  ['hive.metastore.try.direct.sql', 'true'],
]);

/**
 * get_config_value: Hive answers keys of hive., hdfs. and mapred. only (ConfigValSecurityException for others), with
 * the caller's default for a key it does not set.
 */
export function getConfigValue(name: string | undefined, defaultValue: string | undefined): string {
  const key = name ?? '';
  if (!/^(hive|hdfs|mapred)/.test(key)) throw configValSecurity(`For security reasons, the config key ${key} cannot be accessed`);
  return SERVER_SETTINGS.get(key) ?? defaultValue ?? '';
}

export async function currentNotificationEventId(s: MetastoreSession): Promise<{ eventId: bigint }> {
  return { eventId: await lastChange(s.platform.store.db) };
}
