#!/usr/bin/env node
// Writes rules/tests/queue-noise.test.yml: the "no flapping" proofs of the
// queue rules, on series simulated here (a fluid queue, seeded noise), so the
// file can be regenerated and reviewed:
//   node rules/tests/generate-noise-test.mjs          (rewrite the file)
//   node rules/tests/generate-noise-test.mjs --check  (exit 1 if it differs)
// The series look like what Prometheus stores from RabbitMQ: counters and
// gauges refreshed every 5s (RabbitMQ's collect_statistics_interval), scraped
// every 2s, so the rules see the same stair steps as in production.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lcg, noAlerts, writeOrCheck } from './noiseGenerator.mjs';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'queue-noise.test.yml');
const SCRAPE_S = 2;
const REFRESH_S = 5;
const DRAIN = 5; // messages/s one consumer drains (the demo worker: 200 ms per job)
const UTILIZATION = 0.8; // the shipped queue_target_utilization

/**
 * Simulates one queue second by second: `arrival(t)` messages/s arrive,
 * `consumers(t)` consumers drain DRAIN each (prefetch 1: unacked = busy
 * consumers). Returns the scraped samples of each series.
 */
function simulate({ minutes, arrival, consumers }) {
  const seconds = minutes * 60;
  let queue = 0;
  let published = 0;
  let acked = 0;
  const states = [];
  for (let t = 0; t <= seconds; t++) {
    const n = consumers(t);
    const arrived = arrival(t);
    const served = Math.min(queue + arrived, n * DRAIN);
    queue += arrived - served;
    published += arrived;
    acked += served;
    const busy = Math.min(n, served / DRAIN);
    states.push({ published, acked, ready: Math.max(0, queue), unacked: busy, consumers: n });
  }
  const round = (x) => Math.round(x * 1000) / 1000;
  const samples = { published: [], acked: [], ready: [], unacked: [], consumers: [] };
  for (let t = 0; t <= seconds; t += SCRAPE_S) {
    // What RabbitMQ last refreshed (1.3s phase: refreshes do not line up with scrapes).
    const refreshed = Math.max(0, Math.floor((t - 1.3) / REFRESH_S) * REFRESH_S + 1.3);
    const s = states[Math.floor(refreshed)];
    for (const key of Object.keys(samples)) samples[key].push(round(s[key]));
  }
  return samples;
}

function series(queue, service, samples, extra = []) {
  const q = `vhost="/", queue="${queue}"`;
  const row = (name, values) => [`      - series: '${name}'`, `        values: '${values.join(' ')}'`];
  const n = samples.ready.length;
  const constant = (v) => `${v}x${n - 1}`;
  return [
    ...row(`rabbitmq_detailed_queue_messages_published_total{channel="<0.1.0>", queue_vhost="/", queue="${queue}", exchange_vhost="/", exchange=""}`, samples.published),
    ...row(`rabbitmq_detailed_channel_messages_acked_total{channel="<0.2.0>", ${q}}`, samples.acked),
    ...row(`rabbitmq_detailed_queue_messages_ready{${q}}`, samples.ready),
    ...row(`rabbitmq_detailed_queue_messages_unacked{${q}}`, samples.unacked),
    ...row(`rabbitmq_detailed_queue_consumers{${q}}`, samples.consumers),
    ...row(`alertscale:queue_consumer:info{${q}, service="${service}"}`, [constant(1)]),
    // The shipped demo.jobs rows and defaults (tuning.rules.yml).
    ...row(`alertscale:threshold:queue_messages_per_replica{${q}}`, [constant(50)]),
    ...row('alertscale:threshold:queue_backlog_clear_seconds', [constant(30)]),
    ...row('alertscale:threshold:queue_target_utilization', [constant(UTILIZATION)]),
    ...row('alertscale:threshold:queue_up_tolerance', [constant(0.1)]),
    ...row('alertscale:threshold:queue_down_utilization', [constant(0.4)]),
    ...row('alertscale:threshold:queue_down_messages_per_consumer', [constant(0.5)]),
    ...extra,
  ];
}

/** A test's name, its input series and the start of its PromQL checks. */
const testHead = (name, samples) => [`  - name: ${name}`, `    interval: ${SCRAPE_S}s`, '    input_series:', ...series('jobs', 'shop_worker', samples), '    promql_expr_test:'];

// 1. Steady load: 4 consumers, their target capacity 4 x 5 x 0.8 = 16/s; the
//    load averages 70% of it (11.2/s) and jumps every 10s to a seeded value
//    within ±30% (7.8 to 14.6/s, up to 91% of what they really drain), 35 min.
const steadyRandom = lcg(15);
let steadyRate = 0;
const steady = simulate({
  minutes: 35,
  consumers: () => 4,
  arrival: (t) => {
    if (t % 10 === 0) steadyRate = 11.2 * (1 + 0.3 * (2 * steadyRandom() - 1));
    return steadyRate;
  },
});

// 2. Slow ramp: from 8/s to 40/s over 30 min (+/-10% seeded jitter per 10s);
//    the consumers follow what the load needs at the target utilization, 40s
//    late (slower than the loop), and only ever increase.
const rampRandom = lcg(7);
let rampRate = 0;
let rampConsumers = 2;
const rampNeeded = [];
const ramp = simulate({
  minutes: 32,
  arrival: (t) => {
    if (t % 10 === 0) rampRate = (8 + (32 * Math.min(t, 1800)) / 1800) * (1 + 0.1 * (2 * rampRandom() - 1));
    rampNeeded[t] = rampRate / (DRAIN * UTILIZATION);
    return rampRate;
  },
  // As QueueDesiredReplicas asks (above the consumers by more than the 10%
  // tolerance, to the ceiling), 40s late: the alert must have fired first.
  consumers: (t) => {
    const asked = rampNeeded[t - 40];
    if (asked !== undefined && asked > rampConsumers * 1.1) rampConsumers = Math.ceil(asked);
    return rampConsumers;
  },
});

// 3. A spike that ends: 3/s on one consumer (60% of its drain); 14/s from 5m
//    to 7m; the loop brings 4 consumers at 5m20s; from 7m, 3/s again. The
//    consumers go to 2 about a minute after QueueOverProvisioned fired
//    (13m28s; at 14m30s), and the test runs to 30m.
const spike = simulate({
  minutes: 30,
  arrival: (t) => (t >= 300 && t < 420 ? 14 : 3),
  consumers: (t) => (t < 320 ? 1 : t < 870 ? 4 : 2),
});

const overProvisioned = (step) => [
  '          - exp_labels:',
  '              alertname: QueueOverProvisioned',
  '              vhost: /',
  '              queue: jobs',
  '              service: shop_worker',
  '              scale_service: shop_worker',
  '              scale_action: down',
  `              scale_step: "${step}"`,
  '            exp_annotations:',
  `              summary: "shop_worker: queue jobs has needed ${step} fewer replicas for 5 minutes"`,
  '              description: >-',
  '                Over the last 5 minutes, the load on queue jobs (vhost /)',
  `                never needed more than ${4 - step}`,
  '                replicas of shop_worker at the scale-down utilization',
  '                (alertscale:effective_threshold:queue_down_utilization in rules/tuning.rules.yml).',
  `                alertscale removes ${step} replicas in one step (down cooldown and`,
  '                alertscale.min permitting).',
  '              runbook_url: https://github.com/alertscale/alertscale/blob/main/docs/runbooks/queue-over-provisioned.md',
];

const text = [
  '# GENERATED by rules/tests/generate-noise-test.mjs — edit the generator, then',
  '# run it. No flapping, proven on simulated RabbitMQ series (see the generator):',
  '# steady noise changes nothing, a slow ramp only scales up, a spike that ends',
  '# comes back down in one step, after the 5 min stabilization window.',
  'rule_files:',
  '  - ../queue.rules.yml',
  '  - ../idle.rules.yml',
  '',
  'evaluation_interval: 2s',
  '',
  'group_eval_order:',
  '  - alertscale-queue',
  '  - alertscale-idle',
  '',
  'tests:',
  ...testHead('when a steady load of 60-80% of the target capacity varies by ±30% for 35 minutes, then no scale alert is ever pending or firing', steady),
  ...noAlerts(35, 'QueueDesiredReplicas|QueueOverProvisioned'),
  ...noAlerts(35, 'Queue.*', 'firing'),
  '',
  ...testHead('when the load ramps up slowly for 30 minutes, then the queue is only ever scaled up, never down', ramp),
  ...noAlerts(32, 'QueueOverProvisioned|QueueIdle'),
  '      # ...while QueueDesiredReplicas did ask for more.',
  `      - expr: 'clamp_max(count_over_time(ALERTS{alertname="QueueDesiredReplicas", alertstate="firing"}[32m]), 1)'`,
  '        eval_time: 32m',
  '        exp_samples:',
  `          - labels: '{alertname="QueueDesiredReplicas", alertstate="firing", vhost="/", queue="jobs", service="shop_worker", scale_service="shop_worker", scale_action="to"}'`,
  '            value: 1',
  '',
  ...testHead('when a spike ends, then the service stays up for the 5 minute window, comes down in one step, and nothing scales after', spike),
  '      # Nothing asks for less before the window has passed...',
  ...noAlerts(12, 'QueueOverProvisioned'),
  '      # ...nothing asks for more after the spike, nor steps down a second time,',
  `      - expr: 'count_over_time(ALERTS{alertname="QueueDesiredReplicas"}[22m])'`,
  '        eval_time: 30m',
  '        exp_samples: []',
  `      - expr: 'count_over_time(ALERTS{alertname="QueueOverProvisioned"}[15m])'`,
  '        eval_time: 30m',
  '        exp_samples: []',
  '      # ...and QueueIdle never takes the queue below what the load needs.',
  ...noAlerts(30, 'QueueIdle', 'firing'),
  '    alert_rule_test:',
  '      # The high load leaves the 30s fit at 7m30s and the 5 min window at',
  '      # 12m28s: QueueOverProvisioned pending from then, both sides of `for: 1m`.',
  '      - eval_time: 13m26s',
  '        alertname: QueueOverProvisioned',
  '        exp_alerts: []',
  '      - eval_time: 13m28s',
  '        alertname: QueueOverProvisioned',
  '        exp_alerts:',
  ...overProvisioned(2),
  '',
].join('\n');

writeOrCheck(OUT, text, import.meta.url);
