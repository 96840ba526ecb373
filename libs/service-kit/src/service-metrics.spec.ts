import { ServiceMetrics } from './service-metrics.js';

describe('ServiceMetrics', () => {
  describe('as the observer of a timer worker', () => {
    it('counts timers by kind and outcome, and observes the lag of fired ones in seconds', async () => {
      const metrics = new ServiceMetrics('subscriptions');
      metrics.timerSettled('subscription.expire', 'fired', 1_500);
      metrics.timerSettled('subscription.expire', 'fired', 20);
      metrics.timerSettled('subscription.expire', 'retry', undefined);
      metrics.timerSettled('subscription.remind', 'parked', undefined);

      const text = await metrics.registry.metrics();
      expect(text).toContain('botplatform_timers_total{kind="subscription.expire",outcome="fired",service="subscriptions"} 2');
      expect(text).toContain('botplatform_timers_total{kind="subscription.expire",outcome="retry",service="subscriptions"} 1');
      expect(text).toContain('botplatform_timers_total{kind="subscription.remind",outcome="parked",service="subscriptions"} 1');
      expect(text).toContain('botplatform_timer_lag_seconds_count{service="subscriptions",kind="subscription.expire"} 2');
      expect(text).toContain('botplatform_timer_lag_seconds_sum{service="subscriptions",kind="subscription.expire"} 1.52');
      expect(text).toContain('botplatform_timer_lag_seconds_bucket{le="0.05",service="subscriptions",kind="subscription.expire"} 1');
    });
  });
});
