/**
 * What a client is told about an engine error: Spark's own message without the Thrift server's wrapping (its
 * exception class names and Java stack), and Spark's error class as the error code. Spark's message already names
 * the error class in brackets, e.g. "[TABLE_OR_VIEW_NOT_FOUND] The table or view `x` cannot be found. ...".
 */
export function engineMessage(raw: string): { message: string; errorCode: string | undefined } {
  let text = raw.split(/\n\s+at [\w$.]+\(/)[0] ?? raw;
  text = text.replace(/^org\.apache\.hive\.service\.cli\.HiveSQLException:\s*/, '').replace(/^Error running query:\s*/, '');
  // "[CLASS] org.apache.spark...Exception: [CLASS] message" -> "[CLASS] message"
  text = text.replace(/^(\[[A-Z0-9_.]+\]\s*)?(?:[a-z][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error):\s*/, '');
  text = text.trim();
  const errorCode = /^\[([A-Z0-9_]+)(?:\.[A-Z0-9_]+)?\]/.exec(text)?.[1];
  return { message: text.slice(0, 8000), errorCode };
}
