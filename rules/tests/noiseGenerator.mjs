// What the two noise-test generators (generate-noise-test.mjs for queues,
// generate-http-noise-test.mjs for HTTP services) share: the seeded random,
// the "no alert in the window" check, and writing or checking the output.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A seeded linear congruential generator: the same seed, the same series, every run. */
export function lcg(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** promql_expr_test rows: no ALERTS of `names` (a regex), in `state` if given, over the first `minutes`. */
export const noAlerts = (minutes, names, state) => [
  `      - expr: 'count_over_time(ALERTS{alertname=~"${names}"${state ? `, alertstate="${state}"` : ''}}[${minutes}m])'`,
  `        eval_time: ${minutes}m`,
  '        exp_samples: []',
];

/** Writes `text` to `out`; with --check, exits 1 instead when the committed file differs. */
export function writeOrCheck(out, text, generatorUrl) {
  if (!process.argv.includes('--check')) {
    writeFileSync(out, text);
    return;
  }
  if (readFileSync(out, 'utf8') !== text) {
    process.stderr.write(`${out} is not what the generator writes: run node rules/tests/${basename(fileURLToPath(generatorUrl))}\n`);
    process.exit(1);
  }
}
