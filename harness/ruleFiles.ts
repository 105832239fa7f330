import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument, stringify, type Document, type YAMLMap } from 'yaml';
import { ALERT_LABEL } from '../src/domain/alertContract';
import type { ScaleAction } from '../src/domain/types';
import { repoPath } from './repoRoot';

/** `for:` / `keep_firing_for:` to put on every scale alert of an action, in the test copy. */
export interface AlertDurations {
  for?: string;
  keepFiringFor?: string;
}

export interface RuleCopyOptions {
  /** Per `scale_action`: durations replacing the shipped ones (none: shipped as is). */
  durations?: Partial<Record<ScaleAction, AlertDurations>>;
  /** Alert names left out of the copy (e.g. to run one scale rule alone). */
  dropAlerts?: string[];
  /**
   * Rule (record or alert) name -> window replacing its 5 min stabilization
   * (`[5m]`, `offset 5m`) in the test copy, so a test sees a scale-down
   * without waiting five minutes.
   */
  stabilization?: Record<string, string>;
}

/** rules/*.rules.yml as shipped (rules/tests/ holds promtool tests). */
function shippedRuleFiles(): string[] {
  return readdirSync(repoPath('rules'))
    .filter((file) => file.endsWith('.rules.yml'))
    .sort();
}

/** A rule of a group, as the YAML document holds it (comments and layout kept). */
function rulesOf(doc: Document.Parsed): YAMLMap[] {
  const groups = doc.get('groups');
  if (!isSeq(groups)) throw new Error('a rule file without a `groups:` list');
  return groups.items.flatMap((group) => {
    const rules = isMap(group) ? group.get('rules') : undefined;
    return isSeq(rules) ? rules.items.filter(isMap) : [];
  });
}

/**
 * Rewrites one rule file's text: the `for:` and `keep_firing_for:` of every
 * alert whose `scale_action` label has an override, shortens named rules'
 * 5 min stabilization, and drops named alerts.
 * A missing key throws, so a reshaped rule file fails loudly here instead of
 * silently running with shipped timings.
 */
function rewriteRules(text: string, options: RuleCopyOptions): string {
  const doc = parseDocument(text);
  const groups = doc.get('groups');
  for (const group of isSeq(groups) ? groups.items : []) {
    const rules = isMap(group) ? group.get('rules') : undefined;
    if (!isSeq(rules)) continue;
    rules.items = rules.items.filter((rule) => !(isMap(rule) && options.dropAlerts?.includes(String(rule.get('alert')))));
  }
  for (const rule of rulesOf(doc)) {
    const window = options.stabilization?.[String(rule.get('record') ?? rule.get('alert'))];
    if (window !== undefined) {
      const before = String(rule.get('expr'));
      const after = before.replace(/\[5m\]/g, `[${window}]`).replace(/offset 5m/g, `offset ${window}`);
      if (after === before) throw new Error(`rule ${String(rule.get('record') ?? rule.get('alert'))} has no 5m stabilization window to shorten`);
      rule.set('expr', after);
    }
    const name = rule.get('alert');
    if (name === undefined) continue;
    const override = options.durations?.[rule.getIn(['labels', ALERT_LABEL.action]) as ScaleAction];
    for (const [key, value] of [
      ['for', override?.for],
      ['keep_firing_for', override?.keepFiringFor],
    ] as const) {
      if (value === undefined) continue;
      if (!rule.has(key)) throw new Error(`alert ${JSON.stringify(name)} has no "${key}:" to override`);
      rule.set(key, value);
    }
  }
  return doc.toString();
}

/** Copies rules/*.rules.yml into `dir`, rewritten per `options`; returns the file names. */
export function copyRules(dir: string, options: RuleCopyOptions = {}): string[] {
  const files = shippedRuleFiles();
  for (const file of files) writeFileSync(join(dir, file), rewriteRules(readFileSync(repoPath('rules', file), 'utf8'), options));
  return files;
}

/**
 * The value of a shipped tuning row, `record: <record>` with `expr: vector(<n>)`,
 * whose labels include every pair of `labels`; the row without labels when
 * `labels` is empty. Reads rules/tuning.rules.yml as shipped.
 */
export function shippedTuningValue(record: string, labels: Record<string, string> = {}): number {
  const doc = parseDocument(readFileSync(repoPath('rules', 'tuning.rules.yml'), 'utf8'));
  for (const rule of rulesOf(doc).map((node) => node.toJSON() as { record?: string; expr?: string; labels?: Record<string, string> })) {
    if (rule.record !== record) continue;
    const own = rule.labels ?? {};
    const wanted = Object.entries(labels);
    const matches = wanted.length === 0 ? Object.keys(own).length === 0 : wanted.every(([name, value]) => own[name] === value);
    const value = /^vector\(([-\d.eE+]+)\)$/.exec(String(rule.expr).trim())?.[1];
    if (matches && value !== undefined) return Number(value);
  }
  throw new Error(`rules/tuning.rules.yml has no row ${record} with ${JSON.stringify(labels)}`);
}

/** One RabbitMQ queue of the test, mapped to the Swarm service that consumes it. */
export interface QueueMapping {
  queue: string;
  service: string;
  vhost?: string;
  /** Proportional mode (QueueDesiredReplicas): messages per replica. Absent: the queue is stepped (QueueBacklogHigh). */
  messagesPerReplica?: number;
  /** Step mode: ready messages above which the service is stepped up (override of the shipped default). */
  readyUpMessages?: number;
  /** Override of the shipped scale-down threshold (outstanding per consumer). */
  downMessagesPerConsumer?: number;
}

/**
 * A tuning file of the test's own, loaded NEXT TO the shipped tuning.rules.yml:
 * it adds rows for the test's queues only (the queue -> service map and
 * per-queue overrides, the mechanism tuning.rules.yml documents), so the
 * shipped defaults and the shipped demo.jobs row stay as they are, and no
 * series is defined twice.
 */
export function queueTuningRules(mappings: QueueMapping[]): string {
  const rules = mappings.flatMap((m) => {
    const queueLabels = { vhost: m.vhost ?? '/', queue: m.queue };
    const row = (record: string, value: number | undefined, labels: Record<string, string>) => (value === undefined ? [] : [{ record, expr: `vector(${value})`, labels }]);
    return [
      ...row('alertscale:queue_consumer:info', 1, { ...queueLabels, service: m.service }),
      ...row('alertscale:threshold:queue_messages_per_replica', m.messagesPerReplica, queueLabels),
      ...row('alertscale:threshold:queue_ready_up_messages', m.readyUpMessages, queueLabels),
      ...row('alertscale:threshold:queue_down_messages_per_consumer', m.downMessagesPerConsumer, queueLabels),
    ];
  });
  return `# Generated by harness/ruleFiles.ts: the test queues, next to the shipped tuning.\n${stringify({ groups: [{ name: 'alertscale-e2e-tuning', rules }] })}`;
}
