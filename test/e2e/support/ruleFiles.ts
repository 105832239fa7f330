import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootPath } from './projectRoot';

export type ScaleAction = 'up' | 'down' | 'to';

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
export function shippedRuleFiles(): string[] {
  return readdirSync(rootPath('rules'))
    .filter((file) => file.endsWith('.rules.yml'))
    .sort();
}

const RULE_START = /^(\s*)- (alert|record):\s*(\S+)\s*$/;
const BLOCK_END = /^\s*- (alert|record|name):/;

/**
 * Rewrites one rule file's text: the `for:` and `keep_firing_for:` of every
 * alert whose `scale_action` label has an override, and drops named alerts.
 * Line-based on purpose (no YAML library in the project): each rule item runs
 * from its `- alert:`/`- record:` line to the next one; every replacement is
 * counted and a missing key throws, so a reshaped rule file fails loudly here
 * instead of silently running with shipped timings.
 */
export function rewriteRules(text: string, options: RuleCopyOptions): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = RULE_START.exec(lines[i] ?? '');
    if (!start) {
      out.push(lines[i] ?? '');
      i++;
      continue;
    }
    let end = i + 1;
    while (end < lines.length && !BLOCK_END.test(lines[end] ?? '')) end++;
    const block = lines.slice(i, end);
    i = end;
    const [, indent = '', kind, name = ''] = start;
    const window = options.stabilization?.[name];
    if (window !== undefined) {
      const before = block.join('\n');
      const after = before.replace(/\[5m\]/g, `[${window}]`).replace(/offset 5m/g, `offset ${window}`);
      if (after === before) throw new Error(`rule ${name} has no 5m stabilization window to shorten`);
      block.splice(0, block.length, ...after.split('\n'));
    }
    if (kind !== 'alert') {
      out.push(...block);
      continue;
    }
    if (options.dropAlerts?.includes(name)) continue;
    const action = /^\s+scale_action:\s*["']?(up|down|to)["']?\s*$/m.exec(block.join('\n'))?.[1] as ScaleAction | undefined;
    const override = action ? options.durations?.[action] : undefined;
    if (override) {
      const keyIndent = `${indent}  `;
      for (const [key, value] of [
        ['for', override.for],
        ['keep_firing_for', override.keepFiringFor],
      ] as const) {
        if (value === undefined) continue;
        const at = block.findIndex((line) => line.startsWith(`${keyIndent}${key}:`));
        if (at < 0) throw new Error(`alert ${name} has no "${key}:" line to override`);
        block[at] = `${keyIndent}${key}: ${value}`;
      }
    }
    out.push(...block);
  }
  return out.join('\n');
}

/** Copies rules/*.rules.yml into `dir`, rewritten per `options`; returns the file names. */
export function copyRules(dir: string, options: RuleCopyOptions = {}): string[] {
  const files = shippedRuleFiles();
  for (const file of files) writeFileSync(join(dir, file), rewriteRules(readFileSync(rootPath('rules', file), 'utf8'), options));
  return files;
}

/**
 * The value of a shipped tuning row: `record` whose `labels:` line contains
 * every `labelPairs` entry ("queue: demo.jobs"); the row without labels when
 * `labelPairs` is empty. Reads rules/tuning.rules.yml as shipped.
 */
export function shippedTuningValue(record: string, labelPairs: string[] = []): number {
  const text = readFileSync(rootPath('rules', 'tuning.rules.yml'), 'utf8');
  const rows = text.split(/\n(?=\s*- record:)/).filter((row) => new RegExp(`^\\s*- record:\\s*${record.replace(/[.:]/g, '\\$&')}\\s*$`, 'm').test(row));
  for (const row of rows) {
    const labels = /^\s*labels:\s*(.*)$/m.exec(row)?.[1] ?? '';
    const matches = labelPairs.length === 0 ? labels === '' : labelPairs.every((pair) => labels.includes(pair));
    const value = /^\s*expr:\s*vector\(([-\d.eE+]+)\)\s*$/m.exec(row)?.[1];
    if (matches && value !== undefined) return Number(value);
  }
  throw new Error(`rules/tuning.rules.yml has no row ${record} with ${labelPairs.join(', ') || 'no labels'}`);
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
  const row = (record: string, value: number, labels: Record<string, string>): string[] => [
    `      - record: ${record}`,
    `        expr: vector(${value})`,
    `        labels: ${JSON.stringify(labels)}`,
  ];
  const lines = ['# Generated by test/e2e/support/ruleFiles.ts: the test queues, next to the shipped tuning.', 'groups:', '  - name: alertscale-e2e-tuning', '    rules:'];
  for (const m of mappings) {
    const queueLabels = { vhost: m.vhost ?? '/', queue: m.queue };
    lines.push(...row('alertscale:queue_consumer:info', 1, { ...queueLabels, service: m.service }));
    if (m.messagesPerReplica !== undefined) lines.push(...row('alertscale:threshold:queue_messages_per_replica', m.messagesPerReplica, queueLabels));
    if (m.readyUpMessages !== undefined) lines.push(...row('alertscale:threshold:queue_ready_up_messages', m.readyUpMessages, queueLabels));
    if (m.downMessagesPerConsumer !== undefined) lines.push(...row('alertscale:threshold:queue_down_messages_per_consumer', m.downMessagesPerConsumer, queueLabels));
  }
  return `${lines.join('\n')}\n`;
}
