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
