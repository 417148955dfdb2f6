/**
 * Bounds every request is held to, whatever its route. Each keeps the work a request causes proportional to its size
 * and inside what PostgreSQL can index (a btree row holds at most 2,704 bytes).
 */

/**
 * Arrays and objects nested in one JSON body. An Iceberg struct type costs three levels per nested struct, so this
 * allows about twenty nested structs, far past what engines write, and well inside every recursive reader's stack.
 */
export const MAX_JSON_DEPTH = 64;
