import { describe, expect, it } from 'vitest';
import { engineMessage } from './engine-message.js';

describe('engineMessage', () => {
  it("keeps Spark's message and error class, without the Thrift server's wrapping and the Java stack", () => {
    const raw =
      'org.apache.hive.service.cli.HiveSQLException: Error running query: [TABLE_OR_VIEW_NOT_FOUND] org.apache.spark.sql.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found.\nIf you did not qualify the name with a schema, verify the current_schema().; line 1 pos 14;\n\tat org.apache.spark.sql.hive.thriftserver.HiveThriftServerErrors$.runningQueryError(HiveThriftServerErrors.scala:46)\n\tat org.apache.spark...';
    const { message, errorCode } = engineMessage(raw);
    expect(errorCode).toBe('TABLE_OR_VIEW_NOT_FOUND');
    expect(message).toMatch(/^\[TABLE_OR_VIEW_NOT_FOUND\] The table or view `nope` cannot be found\.\nIf you did not qualify/);
    expect(message).not.toMatch(/HiveSQLException|\tat /);
  });
  it('a message without an error class keeps its text', () => {
    expect(engineMessage('Error running query: java.lang.IllegalStateException: boom')).toEqual({ message: 'boom', errorCode: undefined });
  });
});
