import type { Registry, RegistryContentType } from 'prom-client';

/** One label set's counts: per bucket (not cumulative), the sum and the count. */
class Series {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<'function' | 'method' | 'route' | 'status', string>>,
    buckets: number,
  ) {
    this.counts = new Array<number>(buckets).fill(0);
  }
}

interface ExposedValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly sharedLabels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly metricName: string;
}

/**
 * lakeplane_http_request_duration_seconds: a histogram by function, method, route template and status, shown on
 * /metrics exactly as prom-client's Histogram shows it (request-durations.test.ts compares the two texts), observed
 * once per request by every function and by the gateway.
 *
 * Why not prom-client's Histogram: its observe() checks the label object's names and builds the series' key from
 * it on every call. Under load that was 3-4% of the gateway's CPU per request (perf, bench:gateway, issue 21); here
 * a request costs one string key and one Map lookup. The registry takes any object with name, help, type,
 * aggregator, get() and reset(): it renders what get() returns.
 */
export class RequestDurations {
  readonly name = 'lakeplane_http_request_duration_seconds';
  readonly help = 'HTTP request duration by function, method, route template and status.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    /** Upper bounds in seconds, ascending. */
    private readonly buckets: readonly number[],
    registry: Registry<RegistryContentType>,
  ) {
    // The registry's TypeScript signature lists prom-client's own classes; at run time it keeps any metric object.
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  observe(functionName: string, method: string, route: string, status: number, seconds: number): void {
    if (!Number.isFinite(seconds)) return;
    const key = `${functionName}\n${method}\n${status}\n${route}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = new Series({ function: functionName, method, route, status: String(status) }, this.buckets.length);
      this.series.set(key, series);
    }
    const { buckets } = this;
    for (let i = 0; i < buckets.length; i++) {
      if (seconds <= (buckets[i] as number)) {
        (series.counts[i] as number)++;
        break;
      }
    }
    series.sum += seconds;
    series.count++;
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: ExposedValue[] } {
    const bucketName = `${this.name}_bucket`;
    const values: ExposedValue[] = [];
    for (const series of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += series.counts[i] as number;
        values.push({ labels: { le: this.buckets[i] as number }, sharedLabels: series.labels, value: cumulative, metricName: bucketName });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: series.labels, value: series.count, metricName: bucketName });
      values.push({ labels: {}, sharedLabels: series.labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: series.labels, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}
