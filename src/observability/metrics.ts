// Prometheus metrics: one registry per process, served at /metrics.
import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client';

/**
 * Values read from the database when /metrics is scraped (so every web instance reports
 * them, not only workers). Capabilities register their own: a queue depth per queue name,
 * the overdue-verification count.
 */
export type MetricSources = {
  queueDepth: Map<string, () => Promise<number>>;
  overdueVerifications?: () => Promise<number>;
};

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sources: MetricSources = { queueDepth: new Map() };
  return {
    registry,
    sources,
    httpDuration: new Histogram({
      name: 'dargah_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    registrations: new Counter({
      name: 'dargah_registrations_total',
      help: 'Registration steps by step and result',
      labelNames: ['step', 'result'] as const,
      registers: [registry],
    }),
    smsEnqueued: new Counter({
      name: 'dargah_sms_enqueued_total',
      help: 'SMS messages enqueued by template',
      labelNames: ['template'] as const,
      registers: [registry],
    }),
    smsDelivered: new Counter({
      name: 'dargah_sms_delivered_total',
      help: 'SMS delivery attempts by provider and result',
      labelNames: ['provider', 'result'] as const,
      registers: [registry],
    }),
    verificationOutcomes: new Counter({
      name: 'dargah_verification_outcomes_total',
      help: 'Identity verification outcomes (reason: why a registration was rejected; empty otherwise)',
      labelNames: ['outcome', 'reason'] as const,
      registers: [registry],
    }),
    verificationSeconds: new Histogram({
      name: 'dargah_verification_seconds',
      help: 'Time from submission to verification outcome',
      buckets: [1, 10, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600, 48 * 3600, 96 * 3600],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'dargah_queue_depth',
      help: 'Jobs waiting per queue',
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        for (const [queue, read] of sources.queueDepth) {
          try {
            this.set({ queue }, await read());
          } catch {
            // A scrape must not fail because the database is slow; the last value stays.
          }
        }
      },
    }),
    overdueVerifications: new Gauge({
      name: 'dargah_verifications_overdue',
      help: 'Registrations past the promised time without an outcome',
      registers: [registry],
      async collect() {
        if (!sources.overdueVerifications) return;
        try {
          this.set(await sources.overdueVerifications());
        } catch {
          // As above: keep the last value.
        }
      },
    }),
    verificationMismatchedFields: new Counter({
      name: 'dargah_verification_mismatched_fields_total',
      help: 'Fields that differed from the civil registry in rejected registrations (one per field; a rejection may count several)',
      labelNames: ['field'] as const,
      registers: [registry],
    }),
    verificationRuns: new Counter({
      name: 'dargah_verification_runs_total',
      help: 'Verification job runs by result (outcome, registry_unavailable, already_done)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    queueSettingDiffers: new Gauge({
      name: 'dargah_queue_setting_differs',
      help: "1 when a queue setting stored in the database differs from this process's configuration (found at start; the stored one applies)",
      labelNames: ['queue', 'setting'] as const,
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'dargah_rate_limited_total',
      help: 'Requests refused by a rate limit',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
