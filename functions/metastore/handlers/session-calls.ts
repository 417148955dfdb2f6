import { DEFAULT_PARTITION_NAME } from '../domain/partition-names.js';
import { configValSecurity } from '../metastore-errors.js';
import type { MetastoreSession } from '../metastore-session.js';
import { lastChange } from '../store/metastore-changes.js';

/** set_ugi: Hive's answer is the groups with the user appended. The name is kept as the default owner; it grants nothing. */
export function setUgi(s: MetastoreSession, user: string | undefined, groups: readonly string[] | undefined): string[] {
  if (user !== undefined && user !== '') s.user = user;
  return [...(groups ?? []), ...(user !== undefined ? [user] : [])];
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
