#!/usr/bin/env node
// Writes rules/tests/http-noise.test.yml: the "no flapping" proofs of the
// request-rate rules (http.rules.yml, ServiceRequestRateLow in idle.rules.yml)
// on series simulated here (a service of fixed-capacity replicas, seeded
// noise), the sibling of generate-noise-test.mjs for queues:
//   node rules/tests/generate-http-noise-test.mjs          (rewrite the file)
//   node rules/tests/generate-http-noise-test.mjs --check  (exit 1 if it differs)
// The series look like what Prometheus stores from a scaled HTTP service
// scraped every 2s (prometheus.scrape_interval: "2s"): the answered-requests
// counter, the requests in flight, `up` per replica; and, for the same service
// behind an edge (shop_web, mapped by alertscale:http_edge_backend:info), the
// edge's exporter: requests arrived at its backend and its waiting line.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lcg, noAlerts, writeOrCheck } from './noiseGenerator.mjs';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'http-noise.test.yml');
const SCRAPE_S = 2;
const CAPACITY = 20; // requests/s one replica serves (the demo api: 2 slots x 100 ms)
const SERVICE_S = 0.1; // its service time
const TARGET = 16; // the shipped per-replica target (tuning.rules.yml)

/**
 * Simulates the service second by second: `arrival(t)` requests/s arrive,
 * `replicas(t)` replicas serve CAPACITY each; what they cannot serve waits
 * (in flight). Returns the scraped samples.
 */
function simulate({ minutes, arrival, replicas }) {
  const seconds = minutes * 60;
  let waiting = 0;
  let answered = 0;
  let arrivedTotal = 0;
  const states = [];
  for (let t = 0; t <= seconds; t++) {
    const n = replicas(t);
    const arrived = arrival(t);
    const served = Math.min(waiting + arrived, n * CAPACITY);
    waiting += arrived - served;
    answered += served;
    arrivedTotal += arrived;
    // Little's law: requests in service = served/s x service time, plus the line.
    // Behind an edge the line is the edge's (maxconn), the service holds the rest.
    states.push({ answered, inFlight: served * SERVICE_S + waiting, replicas: n, arrived: arrivedTotal, waiting, inService: served * SERVICE_S });
  }
  const round = (x) => Math.round(x * 1000) / 1000;
  const samples = { answered: [], inFlight: [], replicas: [], arrived: [], waiting: [], inService: [] };
  for (let t = 0; t <= seconds; t += SCRAPE_S) for (const key of Object.keys(samples)) samples[key].push(round(states[t][key]));
  return samples;
}

const row = (name, values) => [`      - series: '${name}'`, `        values: '${values.join(' ')}'`];

/** The service's own series; with `edge`, also its edge's exporter and the mapping row. */
function series(service, samples, maxReplicas, edge) {
  const n = samples.answered.length;
  const constant = (v) => `${v}x${n - 1}`;
  const up = [];
  // One `up` series per replica slot: 1 while the slot runs, absent (_) otherwise.
  for (let slot = 1; slot <= maxReplicas; slot++) {
    const values = samples.replicas.map((r) => (r >= slot ? 1 : '_'));
    if (values.some((v) => v === 1)) up.push(...row(`up{service="${service}", instance="task${slot}:8080"}`, values));
  }
  const edgeRows = edge
    ? [
        ...row(`haproxy_backend_sessions_total{service="${edge}", instance="edge1:8404", proxy="web"}`, samples.arrived),
        ...row(`haproxy_backend_current_queue{service="${edge}", instance="edge1:8404", proxy="web"}`, samples.waiting),
        ...row(`alertscale:http_edge_backend:info{service="${service}", edge_service="${edge}", proxy="web"}`, [constant(1)]),
      ]
    : [];
  return [
    ...row(`http_request_duration_seconds_count{service="${service}", instance="task1:8080", route="/work", method="GET", code="200"}`, samples.answered),
    ...row(`http_requests_in_flight{service="${service}", instance="task1:8080"}`, edge ? samples.inService : samples.inFlight),
    ...up,
    ...edgeRows,
    // The shipped rows (tuning.rules.yml).
    ...row(`alertscale:threshold:http_requests_per_replica{service="${service}"}`, [constant(TARGET)]),
  ];
}

// shop_api: measured at the service (no edge); shop_web: the same load, measured at its edge.
const testHead = (name, samples, maxReplicas) => {
  const n = samples.answered.length;
  return [
    `  - name: ${name}`,
    `    interval: ${SCRAPE_S}s`,
    '    input_series:',
    ...series('shop_api', samples, maxReplicas),
    ...series('shop_web', samples, maxReplicas, 'shop_edge'),
    ...row('alertscale:threshold:http_up_tolerance', [`0.1x${n - 1}`]),
    ...row('alertscale:threshold:http_down_share_of_target', [`0.7x${n - 1}`]),
    ...row('alertscale:threshold:http_queue_clear_seconds', [`30x${n - 1}`]),
    '    promql_expr_test:',
  ];
};

// 1. Steady load: 4 replicas, their target capacity 4 x 16 = 64/s; the load
//    averages 60% or 80% of it (38.4 or 51.2/s) and jumps every 10s to a
//    seeded value within ±30% (26.9 to 66.6/s, at most 83% of what they
//    really serve), 35 min each.
function steadyLoad(share, seed) {
  const random = lcg(seed);
  let rate = 0;
  return simulate({
    minutes: 35,
    replicas: () => 4,
    arrival: (t) => {
      if (t % 10 === 0) rate = 4 * TARGET * share * (1 + 0.3 * (2 * random() - 1));
      return rate;
    },
  });
}

// 2. Slow ramp: from 15/s to 80/s over 30 min (±10% seeded jitter per 10s);
//    the replicas follow what the load needs at the target, 20s late (slower
//    than the loop), and only ever increase.
const rampRandom = lcg(5);
let rampRate = 0;
let rampReplicas = 1;
const rampNeeded = [];
const ramp = simulate({
  minutes: 32,
  arrival: (t) => {
    if (t % 10 === 0) rampRate = (15 + (65 * Math.min(t, 1800)) / 1800) * (1 + 0.1 * (2 * rampRandom() - 1));
    rampNeeded[t] = rampRate / TARGET;
    return rampRate;
  },
  // As ServiceDesiredReplicas asks (above the replicas by more than the 10%
  // tolerance, to the ceiling), 20s late: the alert must have fired first.
  replicas: (t) => {
    const asked = rampNeeded[t - 20];
    if (asked !== undefined && asked > rampReplicas * 1.1) rampReplicas = Math.ceil(asked);
    return rampReplicas;
  },
});

const text = [
  '# GENERATED by rules/tests/generate-http-noise-test.mjs — edit the generator,',
  '# then run it. No flapping, proven on a simulated HTTP service (see the',
  '# generator): steady noise changes nothing, a slow ramp only scales up.',
  '# The spike that ends, down in one step after the 5 min window: http.test.yml.',
  'rule_files:',
  '  - ../http.rules.yml',
  '  - ../idle.rules.yml',
  '',
  'evaluation_interval: 2s',
  '',
  'group_eval_order:',
  '  - alertscale-http',
  '  - alertscale-http-fast',
  '  - alertscale-idle',
  '',
  'tests:',
  ...[0.6, 0.8].flatMap((share, i) => [
    ...testHead(
      `when a steady load of ${share * 100}% of the target capacity varies by ±30% for 35 minutes, then no scale alert is ever pending or firing`,
      steadyLoad(share, 13 + i),
      4,
    ),
    ...noAlerts(35, 'ServiceDesiredReplicas|ServiceRequestRateLow'),
    '',
  ]),
  '',
  ...testHead('when the load ramps up slowly for 30 minutes, then the service is only ever scaled up, never down', ramp, 6),
  ...noAlerts(32, 'ServiceRequestRateLow'),
  '      # ...while ServiceDesiredReplicas did ask for more.',
  `      - expr: 'clamp_max(count_over_time(ALERTS{alertname="ServiceDesiredReplicas", alertstate="firing"}[32m]), 1)'`,
  '        eval_time: 32m',
  '        exp_samples:',
  `          - labels: '{alertname="ServiceDesiredReplicas", alertstate="firing", service="shop_api", scale_service="shop_api", scale_action="to"}'`,
  '            value: 1',
  `          - labels: '{alertname="ServiceDesiredReplicas", alertstate="firing", service="shop_web", scale_service="shop_web", scale_action="to"}'`,
  '            value: 1',
  '',
].join('\n');

writeOrCheck(OUT, text, import.meta.url);
