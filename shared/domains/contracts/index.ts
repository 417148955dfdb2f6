// The CloudEvent types that functions exchange, one definition each: the publisher announces with it and every
// consumer reads with it (or with a part of its schema, derived from this one). Events the kernel itself publishes or
// consumes (IAM, policies, the runtime's SparkApplication reports) stay with their kernel module; events no other
// function names stay with their one publisher.
export { CatalogEvents } from './catalog-events.js';
export { JobEvents } from './job-events.js';
export { LakehouseEvents } from './lakehouse-events.js';
