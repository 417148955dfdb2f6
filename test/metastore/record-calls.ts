// `node --import tsx test/metastore/record-calls.ts spark|trino [out.json]`: which Thrift calls an unchanged client makes
// of a Hive metastore, found by running it, not by reading its code. Hive's own metastore 2.3.9 (PySpark's jars, on
// Derby) answers; a recording proxy (support/thrift-call-recorder.ts) in front keeps every call and how it was
// answered; the client's scenario (support/scenarios.ts) announces its steps, so each call is set under the step
// that made it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sparkHomeOf } from '../support/spark-thrift-server.js';
import { startHiveMetastore } from './support/hive-metastore.js';
import { runSparkScenario, runTrinoScenario, type Step } from './support/scenarios.js';
import { startCallRecorder, type RecordedCall } from './support/thrift-call-recorder.js';

const client = process.argv[2] ?? 'spark';
const out = process.argv[3];
const python = process.env['LAKEPLANE_INTEROP_PYTHON'];
if (!python) throw new Error('LAKEPLANE_INTEROP_PYTHON is not set (scripts/install-interop.sh prints it)');
const sparkHome = sparkHomeOf(python);
if (!sparkHome) throw new Error(`no PySpark next to ${python}`);

/** A client's scenario: it runs against `uri`, calling `step` before each step; it returns what each step gave. */
type Scenario = (uri: string, warehouse: string, scratch: string, step: Step) => Promise<unknown>;

const scenarios: Record<string, Scenario> = {
  spark: (uri, warehouse, scratch, step) => runSparkScenario(python, sparkHome, { uri, warehouse, scratch }, step),
  trino: runTrinoScenario,
};
const scenario = scenarios[client];
if (!scenario) throw new Error(`unknown client ${client}: ${Object.keys(scenarios).join(', ')}`);

/** Calls so frequent (every statement looks its table up several times) that their arguments are not kept. */
const LOOKUPS = new Set(['get_table', 'get_database']);

/** '' for a normal answer; ' (exception field N)' for a declared exception; ' (TApplicationException)'; ' (no answer)'. */
function answerMark(c: RecordedCall): string {
  if (!c.answer) return ' (no answer)';
  if (c.answer.kind === 'exception') return ' (TApplicationException)';
  const ex = c.answer.fieldIds.filter((id) => id !== '0');
  return ex.length > 0 ? ` (exception field ${ex.join(',')})` : '';
}

const scratch = mkdtempSync(path.join(tmpdir(), 'lakeplane-hms-record-'));
const metastore = await startHiveMetastore({ sparkHome });
const recorder = await startCallRecorder(metastore.port);
try {
  const steps: Array<{ step: string; at: number }> = [];
  const uri = `thrift://127.0.0.1:${recorder.port}`;
  const results = await scenario(uri, metastore.warehouse, scratch, (name, at) => steps.push({ step: name, at: at ?? Date.now() }));
  const stepOf = (call: RecordedCall) => steps.filter((s) => s.at <= call.at).pop()?.step ?? '(before the first step)';
  const byStep = new Map<string, RecordedCall[]>();
  for (const call of recorder.calls) byStep.set(stepOf(call), [...(byStep.get(stepOf(call)) ?? []), call]);
  for (const [step, calls] of byStep) {
    const names = calls.map((c) => `${c.name}${answerMark(c)}`);
    process.stdout.write(`${step}: ${names.join(' ')}\n`);
  }
  const distinct = [...new Set(recorder.calls.map((c) => c.name))].sort();
  process.stdout.write(`\n${distinct.length} distinct calls: ${distinct.join(', ')}\n`);
  // What is kept: each step's calls in order, how each was answered; the arguments of all but the lookups.
  const kept = recorder.calls.map((c) => ({ step: stepOf(c), name: c.name, answer: answerMark(c) || 'ok', ...(LOOKUPS.has(c.name) ? {} : { args: c.args }) }));
  if (out) writeFileSync(out, `${JSON.stringify({ client, results, calls: kept }, null, 1)}\n`);
} finally {
  await recorder.close();
  await metastore.stop();
  rmSync(scratch, { recursive: true, force: true });
}
