import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, type Metric } from 'prom-client';
import { WeightedHistogram } from './weighted-histogram.js';

describe('WeightedHistogram', () => {
  it('renders cumulative buckets, sum and count as a prom-client histogram does, counting weights', async () => {
    const histogram = new WeightedHistogram({ name: 'h_seconds', help: 'a histogram', buckets: [0.001, 0.01] });
    histogram.observeMany({ link: 'A' }, [0.5, 5, 50], [10, 2, 1], 1 / 1000);
    const registry = new Registry();
    registry.registerMetric(histogram as unknown as Metric);
    const text = await registry.metrics();
    assert.equal(
      text.trim(),
      [
        '# HELP h_seconds a histogram',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{le="0.001",link="A"} 10',
        'h_seconds_bucket{le="0.01",link="A"} 12',
        'h_seconds_bucket{le="+Inf",link="A"} 13',
        'h_seconds_sum{link="A"} 0.065',
        'h_seconds_count{link="A"} 13',
      ].join('\n'),
    );
  });
});
