/**
 * The real clients that reach a lakehouse by name through the edge (the gateway's, or `npm start`'s one port), as a
 * user outside the cluster does: PyHive over HiveServer2's HTTP transport and PySpark's Spark Connect client over h2c
 * (lakehouse_edge_client.py, one run for many steps), and beeline (Hive JDBC, HTTP transport) from pyspark's
 * distribution. Shared by the edge's own suite and the end-to-end suite on the local cluster.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { runClientScript } from '../interop/interop.js';
import type { LakehouseTools } from './lakehouse-spark.js';

const CLIENT = path.join(import.meta.dirname, 'lakehouse_edge_client.py');

/** One step of lakehouse_edge_client.py (its docstring has the operations). */
export interface EdgeStep {
  id: string;
  via: 'hive' | 'connect';
  lakehouse: string;
  user: string;
  token: string | undefined;
  op: 'connect' | 'sql' | 'count';
  sql?: string;
  retries?: number;
}

export type EdgeAnswer = { ok: any } | { error: string };

/** Runs the steps against the edge at 127.0.0.1:port, in one client process: each step's answer by its id. */
export async function runEdgeClient(tools: LakehouseTools, port: number, steps: EdgeStep[]): Promise<Record<string, EdgeAnswer>> {
  const run = await runClientScript<{ results: Record<string, EdgeAnswer> }>(tools.clientPython, CLIENT, { port, steps }, { timeoutMs: 600_000 });
  return run.result.results;
}

/** The step's result; fails the test with the client's error when it had one. */
export function answered(a: EdgeAnswer | undefined, what: string): any {
  expect(a && 'ok' in a, `${what}: ${JSON.stringify(a)}`).toBe(true);
  return (a as { ok: any }).ok;
}

/** The step's error, as the client showed it; fails the test when the step succeeded. */
export function refused(a: EdgeAnswer | undefined, what: string): string {
  expect(a && 'error' in a, `${what}: ${JSON.stringify(a)}`).toBe(true);
  return (a as { error: string }).error;
}

/** beeline (Hive JDBC 2.3.9, HTTP transport) from pyspark's distribution: its output and exit code. */
export function runBeeline(tools: LakehouseTools, jdbcUrl: string, user: string, token: string, sql: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const bin = path.dirname(tools.sparkSubmit);
    // beeline finds Spark with the first python3 on PATH: the venv's, which has pyspark.
    const child = spawn(path.join(bin, 'beeline'), ['-u', jdbcUrl, '-n', user, '-p', token, '--outputformat=csv2', '--silent=true', '-e', sql], {
      env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, SPARK_LOCAL_IP: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}
