import { categorizeOutcome, type OutcomeCategory } from '../../domain/categorizeOutcome';
import type { ServiceDescription } from '../../domain/describeService';
import { OUTCOMES, type Decision, type Outcome } from '../../domain/types';
import { escapeHtml } from './escapeHtml';
import { formatRelative } from './formatRelative';
import { STATUS_PAGE_STYLE } from './statusPageStyle';
import { ALERT_LABEL } from '../../domain/alertContract';

export type AlertState = 'active' | 'silenced' | 'inhibited' | 'unprocessed';

export interface StatusPageInput {
  services: ServiceDescription[];
  /** Newest first. */
  decisions: Decision[];
  /** `?service=` and `?outcome=` (an outcome or a category), as given. */
  filter: { service?: string; outcome?: string };
  nowMs: number;
  dryRun: boolean;
  alertmanagerUrl?: string;
  /** The scale alerts Alertmanager has for each service, when it was asked. */
  alertsByService?: Record<string, Array<{ name: string; state: AlertState }>>;
  refreshSeconds: number;
  /** Why the services could not be listed (Docker unreachable): the decisions are still shown. */
  servicesError?: string;
  /** Why Alertmanager's view of the alerts is missing. */
  alertsError?: string;
}

const CATEGORY_LABEL: Record<OutcomeCategory, string> = { scaled: 'scaled', held_back: 'held back', refused: 'refused', error: 'error' };

const html = (text: string | number) => escapeHtml(String(text));

function when(iso: string | undefined, nowMs: number): string {
  if (iso === undefined) return '<span class="muted">now</span>';
  const atMs = Date.parse(iso);
  if (atMs <= nowMs) return `<span class="muted" title="${html(iso)}">now</span>`;
  return `<time datetime="${html(iso)}" title="${html(iso)}">${html(formatRelative(atMs, nowMs))}</time>`;
}

function silenceLink(alertmanagerUrl: string, service: string): string {
  const filter = encodeURIComponent(`{${ALERT_LABEL.service}="${service}"}`);
  return `${alertmanagerUrl.replace(/\/+$/, '')}/#/silences?filter=${filter}`;
}

function renderBar(service: ServiceDescription): string {
  if (!service.policy) return '';
  const max = Math.max(service.policy.max, service.replicas, 1);
  const at = Math.round((service.replicas / max) * 100);
  const min = Math.round((service.policy.min / max) * 100);
  return `<div class="bar" role="img" aria-label="${html(service.replicas)} of at most ${html(max)} replicas"><span class="fill" style="width:${at}%"></span><span class="min" style="left:${min}%"></span></div>`;
}

function renderLastChange(service: ServiceDescription, nowMs: number): string {
  if (!service.lastChange) return '<span class="muted">none recorded</span>';
  const atMs = Date.parse(service.lastChange.at);
  // When alertscale made the last change, the count it set is the current one.
  const ours = service.state !== undefined && service.lastChange.description.startsWith('alertscale');
  const change =
    ours && service.state
      ? `alertscale ${html(service.state.action)} ${html(service.state.from)} → ${html(service.replicas)}`
      : 'outside alertscale (a deploy, an update or the creation)';
  return `${change}<br><time class="muted" datetime="${html(service.lastChange.at)}" title="${html(service.lastChange.at)}">${html(formatRelative(atMs, nowMs))}</time>`;
}

function renderAlerts(alerts: Array<{ name: string; state: AlertState }> | undefined): string {
  if (!alerts || alerts.length === 0) return '';
  return `<div class="alerts">${alerts.map((alert) => `<span class="alert ${alert.state}" title="${alert.state}">${html(alert.name)}${alert.state === 'active' ? '' : ` (${alert.state})`}</span>`).join(' ')}</div>`;
}

function renderNextAllowed(service: ServiceDescription, nowMs: number): string {
  if (!service.policy) return '<span class="muted">—</span>';
  if (service.paused) return '<span class="muted">paused</span>';
  return `up ${when(service.nextUpAllowedAt, nowMs)}<br>down ${when(service.nextDownAllowedAt, nowMs)}`;
}

function renderServiceRow(service: ServiceDescription, input: StatusPageInput): string {
  const badges = [
    service.paused ? '<span class="badge paused">paused</span>' : '',
    input.dryRun ? '<span class="badge dry">dry run</span>' : '',
    service.rolloutInProgress ? '<span class="badge paused">rollout in progress</span>' : '',
  ].join('');
  const links = [
    `<a href="/api/v1/services/${encodeURIComponent(service.name)}">decisions JSON</a>`,
    input.alertmanagerUrl ? `<a href="${html(silenceLink(input.alertmanagerUrl, service.name))}">silences</a>` : '',
  ].filter(Boolean);
  const bounds = service.policy ? `${html(service.policy.min)} – ${html(service.policy.max)}` : '<span class="muted">—</span>';
  const policyError = service.policyError ? `<div class="policy-error">${html(service.policyError)}</div>` : '';
  return `<tr data-service="${html(service.name)}">
<td><strong>${html(service.name)}</strong> ${badges}${policyError}${renderAlerts(input.alertsByService?.[service.name])}<div class="links">${links.join(' · ')}</div></td>
<td class="num"><span class="replicas">${html(service.replicas)}</span> <span class="muted">(${bounds})</span>${renderBar(service)}</td>
<td>${renderLastChange(service, input.nowMs)}</td>
<td>${renderNextAllowed(service, input.nowMs)}</td>
</tr>`;
}

function matchesOutcome(decision: Decision, outcome: string | undefined): boolean {
  if (!outcome) return true;
  return decision.outcome === outcome || categorizeOutcome(decision.outcome) === outcome;
}

function renderDecisionRow(decision: Decision, nowMs: number): string {
  const category = categorizeOutcome(decision.outcome);
  const change = decision.from !== undefined && decision.to !== undefined ? `${html(decision.from)} → ${html(decision.to)}` : '';
  return `<tr class="${category}">
<td><time datetime="${html(decision.decidedAt)}" title="${html(decision.decidedAt)}">${html(formatRelative(Date.parse(decision.decidedAt), nowMs))}</time></td>
<td>${html(decision.service)}</td><td>${html(decision.action)}</td>
<td><span class="outcome ${category}">${html(decision.outcome)}</span></td><td class="num">${change}</td>
<td class="reason">${html(decision.reason)}</td>
</tr>`;
}

function option(value: string, label: string, selected: string | undefined): string {
  return `<option value="${html(value)}"${selected === value ? ' selected' : ''}>${html(label)}</option>`;
}

function renderFilters(input: StatusPageInput): string {
  const names = [...new Set([...input.services.map((service) => service.name), ...input.decisions.map((decision) => decision.service)])].sort();
  const categories = (Object.keys(CATEGORY_LABEL) as OutcomeCategory[]).map((category) => option(category, CATEGORY_LABEL[category], input.filter.outcome));
  const outcomes = (OUTCOMES as readonly Outcome[]).map((outcome) => option(outcome, outcome, input.filter.outcome));
  return `<form method="get" action="/" class="filters">
<label>service <select name="service">${option('', 'all', input.filter.service ?? '')}${names.map((name) => option(name, name, input.filter.service)).join('')}</select></label>
<label>outcome <select name="outcome">${option('', 'all', input.filter.outcome ?? '')}<optgroup label="kind">${categories.join('')}</optgroup><optgroup label="outcome">${outcomes.join('')}</optgroup></select></label>
<button type="submit">filter</button></form>`;
}

/**
 * The status page: what alertscale would do next for each opted-in service and why
 * it did what it did. Server-rendered with no script at all (a meta refresh keeps it
 * current and keeps the filters), so it works on an air-gapped cluster and no
 * service name or reason can ever run as code.
 */
export function renderStatusPage(input: StatusPageInput): string {
  const decisions = input.decisions.filter((decision) => (!input.filter.service || decision.service === input.filter.service) && matchesOutcome(decision, input.filter.outcome));
  const services = input.filter.service ? input.services.filter((service) => service.name === input.filter.service) : input.services;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${input.refreshSeconds}">
<title>alertscale status</title>
<style>${STATUS_PAGE_STYLE}</style></head>
<body>
<header><h1>alertscale</h1><span class="muted">refreshes every ${input.refreshSeconds} s · <time datetime="${new Date(input.nowMs).toISOString()}">${html(new Date(input.nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'))}</time></span>
${input.dryRun ? '<p class="banner dry">DRY_RUN is on: decisions are recorded, nothing is applied.</p>' : ''}</header>
<main>
<section><h2>Services (${services.length} opted in)</h2>${input.servicesError ? `<p class="banner error">Could not list services: ${html(input.servicesError)}</p>` : ''}${input.alertsError ? `<p class="banner">Could not ask for the scale alerts: ${html(input.alertsError)}</p>` : ''}
<div class="scroll"><table class="services"><thead><tr><th>service</th><th>replicas (min – max)</th><th>last change</th><th>next allowed</th></tr></thead>
<tbody>${services.length === 0 ? '<tr><td colspan="4" class="muted">No service carries alertscale.enabled=true.</td></tr>' : services.map((service) => renderServiceRow(service, input)).join('\n')}</tbody></table></div></section>
<section><h2>Recent decisions (${decisions.length})</h2>${renderFilters(input)}
<div class="scroll"><table class="decisions"><thead><tr><th>when</th><th>service</th><th>action</th><th>outcome</th><th>replicas</th><th>reason</th></tr></thead>
<tbody>${decisions.length === 0 ? '<tr><td colspan="6" class="muted">No decision matches.</td></tr>' : decisions.map((decision) => renderDecisionRow(decision, input.nowMs)).join('\n')}</tbody></table></div></section>
</main>
<footer class="muted">JSON: <a href="/api/v1/services">/api/v1/services</a> · <a href="/api/v1/decisions">/api/v1/decisions</a> · <a href="/metrics">/metrics</a></footer>
</body></html>`;
}
