/**
 * Bounds every request is held to, whatever its route. Each keeps the work a request causes proportional to its size
 * and inside what PostgreSQL can index (a btree row holds at most 2,704 bytes).
 */

/**
 * Arrays and objects nested in one JSON body. An Iceberg struct type costs three levels per nested struct, so this
 * allows about twenty nested structs, far past what engines write, and well inside every recursive reader's stack.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * A request's URL (path and query, as sent). Node's own limit counts the request line and every header together, and
 * its answer is a bare 431 without a body; the server's parser limit sits above these (HTTP_PARSER_MAX_HEADER_BYTES),
 * so a URL or headers past these bounds are answered by the pipeline: 414 or 431 in the route's error shape.
 */
export const MAX_URL_LENGTH = 16 * 1024;

/** Every header name and value of one request, together. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** What Node's HTTP parser takes before it refuses by itself (clientError: a problem+json 431 without the route). */
export const HTTP_PARSER_MAX_HEADER_BYTES = 64 * 1024;

/**
 * A label a person types (a name, a tag, an owner): no control character (C0, DEL, C1) and no white space at either
 * end. Written so that ECMAScript's regexes (the validator's, and JSON Schema's own dialect) and Python's (schemathesis,
 * clients validating with the jsonschema package) agree on it: Python's \s also takes U+001C to U+001F and U+0085,
 * so a name ending in one was accepted here and broke the document's schema for every tool that checks the answer.
 */
export const PRINTABLE_TRIMMED = '^(?!\\s)[^\\u0000-\\u001F\\u007F-\\u009F]*(?<!\\s)$';
