import { randomUUID } from 'node:crypto';
import type { TestPlatform } from '../support/platform.js';

/**
 * A lakehouse row as the lakehouses function would leave it. POST /api/v1/lakehouses is not on this branch, so the
 * tests write the row the way the store holds it: RUNNING with its endpoints (pointing at a Thrift server the test
 * started), or STOPPED.
 */
export async function insertLakehouse(
  platform: TestPlatform,
  options: { name: string; state: 'RUNNING' | 'STOPPED' | 'STOPPING'; autoStart?: boolean; hiveServer2?: { host: string; port: number } },
): Promise<string> {
  const id = randomUUID();
  const spec = {
    name: options.name,
    driver: {},
    executor: {},
    executors: {},
    autoStart: options.autoStart ?? false,
    autoStopMinutes: 0,
    sparkConf: {},
    tags: [],
  };
  const endpoints = options.hiveServer2
    ? { hiveServer2: options.hiveServer2, sparkConnect: { host: '127.0.0.1', port: 1 }, ui: { host: '127.0.0.1', port: 1 } }
    : null;
  await platform.running.platform.store.db
    .insertInto('lakehouses')
    .values({
      id,
      name: options.name,
      owner: 'admin',
      spec: JSON.stringify(spec),
      state: options.state,
      state_message: null,
      generation: options.state === 'RUNNING' ? 1 : 0,
      workload_name: null,
      workload_state: null,
      last_sequence: 0,
      running_spec: options.state === 'RUNNING' ? JSON.stringify(spec) : null,
      endpoints: endpoints ? JSON.stringify(endpoints) : null,
      ui_url: null,
      log_location: null,
      agent_token_hash: null,
      agent_reported_at: null,
      last_activity_at: null,
      created_by: 'admin',
      updated_by: 'admin',
    })
    .execute();
  return id;
}
