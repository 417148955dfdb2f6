import { Histogram, Registry, type RegistryContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { REQUEST_DURATION_BUCKETS } from './metrics.js';
import { RequestDurations } from './request-durations.js';

// The oracle is prom-client's own Histogram, fed the same observations: /metrics must read the same, byte for byte,
// in both formats Prometheus scrapes.
describe('RequestDurations', () => {
  const observations: Array<[string, string, string, number, number]> = [
    ['iam', 'GET', '/api/v1/me', 200, 0.0004],
    ['iam', 'GET', '/api/v1/me', 200, 0.0005],
    ['iam', 'GET', '/api/v1/me', 200, 0.0031],
    ['iam', 'GET', '/api/v1/me', 401, 0.0009],
    ['catalog', 'POST', '/iceberg/v1/{prefix}/namespaces/{namespace}/tables/{table}', 409, 0.2],
    ['catalog', 'GET', 'unmatched', 404, 42],
    ['gateway', 'GET', '/api/v1/runs/{runId}', 502, 10],
    ['iam', 'GET', '/api/v1/me', 200, 0],
  ];

  for (const contentType of [Registry.PROMETHEUS_CONTENT_TYPE, Registry.OPENMETRICS_CONTENT_TYPE]) {
    it(`shows what prom-client's Histogram shows (${contentType.split(';')[0]})`, async () => {
      const ours = new Registry<RegistryContentType>();
      const theirs = new Registry<RegistryContentType>();
      ours.setContentType(contentType);
      theirs.setContentType(contentType);
      const durations = new RequestDurations(REQUEST_DURATION_BUCKETS, ours);
      const histogram = new Histogram({
        name: durations.name,
        help: durations.help,
        labelNames: ['function', 'method', 'route', 'status'],
        buckets: REQUEST_DURATION_BUCKETS,
        registers: [theirs],
      });
      for (const [fn, method, route, status, seconds] of observations) {
        durations.observe(fn, method, route, status, seconds);
        histogram.observe({ function: fn, method, route, status: String(status) }, seconds);
      }
      const text = await ours.metrics();
      expect(text).toBe(await theirs.metrics());
      expect(text).toContain('lakeplane_http_request_duration_seconds_bucket{le="0.0005",function="iam",method="GET",route="/api/v1/me",status="200"} 3');
      expect(text).toContain('lakeplane_http_request_duration_seconds_count{function="iam",method="GET",route="/api/v1/me",status="200"} 4');

      ours.resetMetrics();
      theirs.resetMetrics();
      expect(await ours.metrics()).toBe(await theirs.metrics());
    });
  }
});
