/**
 * Schemas and rules for the Prometheus Operator custom resources (`monitoring.coreos.com/v1`
 * ServiceMonitor, PodMonitor, PrometheusRule) that k8s-validate applies like its built-in layers: the
 * CRD schema (types, required fields, enums, unknown fields), then what the operator and Prometheus
 * refuse at load time (durations, rule shape, alert and label names, PromQL that cannot parse) and
 * the conventions every alert of the project follows (a `severity` and a `summary`).
 */

type Seg = string | number;
type Path = ReadonlyArray<Seg>;

/** One problem inside an object. */
export interface MonitoringFinding {
  readonly path: Path;
  readonly message: string;
}

/** A schema node: a scalar, an enum, an array, a map with free keys or an object with known keys. */
type Schema =
  | { readonly t: 'string' | 'integer' | 'boolean' }
  | { readonly t: 'enum'; readonly values: readonly string[] }
  | { readonly t: 'array'; readonly items: Schema }
  | { readonly t: 'map'; readonly values: Schema }
  | { readonly t: 'object'; readonly fields: Readonly<Record<string, Schema>>; readonly required?: readonly string[] };

const STRING: Schema = { t: 'string' };
const BOOL: Schema = { t: 'boolean' };
const STRING_MAP: Schema = { t: 'map', values: STRING };
const STRINGS: Schema = { t: 'array', items: STRING };

const SELECTOR: Schema = {
  t: 'object',
  fields: {
    matchLabels: STRING_MAP,
    matchExpressions: { t: 'array', items: { t: 'object', fields: { key: STRING, operator: STRING, values: STRINGS }, required: ['key', 'operator'] } },
  },
};
const NAMESPACE_SELECTOR: Schema = { t: 'object', fields: { any: BOOL, matchNames: STRINGS } };
const RELABEL_ACTIONS = ['replace', 'keep', 'drop', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase', 'keepequal', 'dropequal',
  'Replace', 'Keep', 'Drop', 'HashMod', 'LabelMap', 'LabelDrop', 'LabelKeep', 'Lowercase', 'Uppercase', 'KeepEqual', 'DropEqual'];
const RELABELING: Schema = {
  t: 'object',
  fields: {
    action: { t: 'enum', values: RELABEL_ACTIONS }, modulus: { t: 'integer' }, regex: STRING, replacement: STRING,
    separator: STRING, sourceLabels: STRINGS, targetLabel: STRING,
  },
};
/** The fields ServiceMonitor endpoints and PodMonitor podMetricsEndpoints share (CRD v1, operator 0.7x). */
const ENDPOINT_FIELDS: Readonly<Record<string, Schema>> = {
  port: STRING, path: STRING, scheme: { t: 'enum', values: ['http', 'https', 'HTTP', 'HTTPS'] }, params: { t: 'map', values: STRINGS },
  interval: STRING, scrapeTimeout: STRING, honorLabels: BOOL, honorTimestamps: BOOL, enableHttp2: BOOL, followRedirects: BOOL,
  filterRunning: BOOL, trackTimestampsStaleness: BOOL, proxyUrl: STRING,
  relabelings: { t: 'array', items: RELABELING }, metricRelabelings: { t: 'array', items: RELABELING },
  tlsConfig: { t: 'map', values: { t: 'map', values: STRING } }, basicAuth: { t: 'map', values: { t: 'map', values: STRING } },
  authorization: { t: 'map', values: { t: 'map', values: STRING } }, oauth2: { t: 'map', values: { t: 'map', values: STRING } },
  bearerTokenSecret: { t: 'object', fields: { name: STRING, key: STRING, optional: BOOL }, required: ['key'] },
};
const MONITOR_COMMON: Readonly<Record<string, Schema>> = {
  selector: SELECTOR, namespaceSelector: NAMESPACE_SELECTOR, jobLabel: STRING, podTargetLabels: STRINGS,
  sampleLimit: { t: 'integer' }, targetLimit: { t: 'integer' }, labelLimit: { t: 'integer' }, attachMetadata: { t: 'map', values: BOOL },
};

const SPECS: Readonly<Record<string, Schema>> = {
  ServiceMonitor: {
    t: 'object',
    fields: {
      ...MONITOR_COMMON,
      targetLabels: STRINGS,
      endpoints: { t: 'array', items: { t: 'object', fields: { ...ENDPOINT_FIELDS, targetPort: STRING, bearerTokenFile: STRING } } },
    },
    required: ['selector', 'endpoints'],
  },
  PodMonitor: {
    t: 'object',
    fields: { ...MONITOR_COMMON, podMetricsEndpoints: { t: 'array', items: { t: 'object', fields: { ...ENDPOINT_FIELDS, portNumber: { t: 'integer' } } } } },
    required: ['selector', 'podMetricsEndpoints'],
  },
  PrometheusRule: {
    t: 'object',
    fields: {
      groups: {
        t: 'array',
        items: {
          t: 'object',
          fields: {
            name: STRING, interval: STRING, query_offset: STRING, limit: { t: 'integer' }, partial_response_strategy: STRING, labels: STRING_MAP,
            rules: {
              t: 'array',
              items: { t: 'object', fields: { alert: STRING, record: STRING, expr: STRING, for: STRING, keep_firing_for: STRING, labels: STRING_MAP, annotations: STRING_MAP }, required: ['expr'] },
            },
          },
          required: ['name'],
        },
      },
    },
  },
};

export const MONITORING_GROUP_VERSION = 'monitoring.coreos.com/v1';

/** Whether k8s-validate should hand this object to this module. */
export function isMonitoringKind(apiVersion: string, kind: string): boolean {
  return apiVersion === MONITORING_GROUP_VERSION && Object.prototype.hasOwnProperty.call(SPECS, kind);
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);

function checkSchema(schema: Schema, value: unknown, path: Path, out: MonitoringFinding[]): void {
  const report = (message: string): void => { out.push({ path, message: `schema: ${message}` }); };
  switch (schema.t) {
    case 'string': if (typeof value !== 'string') report('must be string'); return;
    case 'integer': if (!Number.isInteger(value)) report('must be integer'); return;
    case 'boolean': if (typeof value !== 'boolean') report('must be boolean'); return;
    case 'enum': if (!schema.values.includes(value as string)) report(`must be one of: ${schema.values.join(', ')}`); return;
    case 'array':
      if (!Array.isArray(value)) {
        report('must be array');
        return;
      }
      value.forEach((v, i) => checkSchema(schema.items, v, [...path, i], out));
      return;
    case 'map':
      if (!isObj(value)) {
        report('must be object');
        return;
      }
      for (const [k, v] of Object.entries(value)) checkSchema(schema.values, v, [...path, k], out);
      return;
    case 'object':
      if (!isObj(value)) {
        report('must be object');
        return;
      }
      for (const key of schema.required ?? []) if (value[key] === undefined) out.push({ path: [...path, key], message: 'schema: is required' });
      for (const [k, v] of Object.entries(value)) {
        const field = schema.fields[k];
        if (!field) out.push({ path: [...path, k], message: 'unknown field (not in the monitoring.coreos.com/v1 schema)' });
        else if (v !== undefined) checkSchema(field, v, [...path, k], out);
      }
  }
}

// ─── Prometheus formats ──────────────────────────────────────────────────────────────────────────

const DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const UNIT_MS: Readonly<Record<string, number>> = { y: 365 * 86400000, w: 7 * 86400000, d: 86400000, h: 3600000, m: 60000, s: 1000, ms: 1 };
/** Severities Alertmanager routes of this project expect. */
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;

/** A Prometheus duration in milliseconds, or undefined when it is not one. */
export function durationMs(v: string): number | undefined {
  if (v === '' || !DURATION.test(v)) return undefined;
  let total = 0;
  for (const [, n, unit] of v.matchAll(/([0-9]+)(ms|y|w|d|h|m|s)/g)) total += Number(n) * UNIT_MS[unit];
  return total;
}

function checkDuration(value: unknown, path: Path, out: MonitoringFinding[], positive = false): number | undefined {
  if (typeof value !== 'string') return undefined; // schema
  const ms = durationMs(value);
  if (ms === undefined) out.push({ path, message: `${JSON.stringify(value)} is not a Prometheus duration (e.g. "30s", "5m", "1h30m")` });
  else if (positive && ms === 0) out.push({ path, message: 'must be greater than 0' });
  return ms;
}

/**
 * The PromQL problems found without a full parser: unbalanced or crossed brackets, unterminated
 * strings, empty expressions and empty label matchers. Prometheus refuses such a rule file entirely.
 */
export function promqlProblems(expr: string): string[] {
  if (expr.trim() === '') return ['must not be empty'];
  const problems: string[] = [];
  const stack: Array<{ ch: string; at: number }> = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let code = ''; // the expression with string contents and comments blanked out
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (ch === '"' || ch === '\'' || ch === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== ch) j += ch !== '`' && expr[j] === '\\' ? 2 : 1;
      if (j >= expr.length) return [...problems, `unterminated string starting at offset ${i}`];
      code += `${ch}${' '.repeat(j - i - 1)}${ch}`;
      i = j;
      continue;
    }
    if (ch === '#') {
      while (i < expr.length && expr[i] !== '\n') { code += ' '; i++; }
      code += expr[i] ?? '';
      continue;
    }
    code += ch;
    if (ch === '(' || ch === '[' || ch === '{') {
      stack.push({ ch, at: i });
    } else if (ch in pairs) {
      const open = stack.pop();
      if (!open) problems.push(`unexpected "${ch}" at offset ${i}`);
      else if (open.ch !== pairs[ch]) problems.push(`"${open.ch}" at offset ${open.at} is closed by "${ch}" at offset ${i}`);
      else if (ch === ']' && expr.slice(open.at + 1, i).trim() === '') problems.push(`empty range "[]" at offset ${open.at}`);
    }
  }
  for (const open of stack) problems.push(`"${open.ch}" at offset ${open.at} is never closed`);
  // `{}` needs a metric name right before it.
  if (/(^|[^a-zA-Z0-9_:\s])\s*\{\s*\}/.test(code)) problems.push('a vector selector needs a metric name or at least one label matcher');
  return problems;
}

// ─── per-kind rules ──────────────────────────────────────────────────────────────────────────────

/** Checks a port name the way k8s-validate checks container ports. */
export type NameCheck = (value: string) => string | undefined;

function checkEndpoints(list: unknown, listPath: Path, out: MonitoringFinding[], portName: NameCheck, needsPort: (e: Record<string, any>) => boolean): void {
  if (Array.isArray(list) && list.length === 0) out.push({ path: listPath, message: 'must list at least one endpoint: nothing is scraped otherwise' });
  arr(list).forEach((e, i) => {
    if (!isObj(e)) return;
    const p = [...listPath, i];
    if (typeof e.port === 'string') {
      const problem = portName(e.port);
      if (problem) out.push({ path: [...p, 'port'], message: problem });
    } else if (needsPort(e)) {
      out.push({ path: [...p, 'port'], message: 'is required: name the port to scrape' });
    }
    if (typeof e.path === 'string' && !e.path.startsWith('/')) out.push({ path: [...p, 'path'], message: 'must start with "/"' });
    const interval = checkDuration(e.interval, [...p, 'interval'], out, true);
    const timeout = checkDuration(e.scrapeTimeout, [...p, 'scrapeTimeout'], out, true);
    if (interval !== undefined && timeout !== undefined && timeout > interval) {
      out.push({ path: [...p, 'scrapeTimeout'], message: `${e.scrapeTimeout} must not exceed the interval ${e.interval}` });
    }
    for (const field of ['relabelings', 'metricRelabelings']) {
      arr(e[field]).forEach((r, j) => {
        if (!isObj(r)) return;
        const action = String(r.action ?? 'replace').toLowerCase();
        if (typeof r.targetLabel === 'string' && !LABEL_NAME.test(r.targetLabel) && !r.targetLabel.includes('$')) {
          out.push({ path: [...p, field, j, 'targetLabel'], message: `${JSON.stringify(r.targetLabel)} is not a Prometheus label name` });
        }
        if ((action === 'replace' || action === 'hashmod') && r.targetLabel === undefined) {
          out.push({ path: [...p, field, j, 'targetLabel'], message: `is required for action ${action}` });
        }
      });
    }
  });
}

function checkRules(spec: Record<string, any>, out: MonitoringFinding[]): void {
  const groups = arr(spec.groups);
  const seen = new Map<string, number>();
  groups.forEach((g, i) => {
    if (!isObj(g)) return;
    const gp = ['spec', 'groups', i];
    if (typeof g.name === 'string') {
      if (g.name === '') out.push({ path: [...gp, 'name'], message: 'must not be empty' });
      else if (seen.has(g.name)) out.push({ path: [...gp, 'name'], message: `duplicate group name ${JSON.stringify(g.name)} (also groups[${seen.get(g.name)}]): Prometheus refuses the file` });
      else seen.set(g.name, i);
    }
    checkDuration(g.interval, [...gp, 'interval'], out, true);
    if (Array.isArray(g.rules) && g.rules.length === 0) out.push({ path: [...gp, 'rules'], message: 'must list at least one rule' });
    arr(g.rules).forEach((r, j) => { if (isObj(r)) checkRule(r, [...gp, 'rules', j], out); });
  });
}

function checkRule(r: Record<string, any>, p: Path, out: MonitoringFinding[]): void {
  const isAlert = r.alert !== undefined;
  if (isAlert === (r.record !== undefined)) {
    out.push({ path: p, message: 'must set exactly one of alert or record' });
    return;
  }
  if (typeof r.expr === 'string') for (const problem of promqlProblems(r.expr)) out.push({ path: [...p, 'expr'], message: `PromQL: ${problem}` });
  for (const [k] of Object.entries(isObj(r.labels) ? r.labels : {})) {
    if (!LABEL_NAME.test(k)) out.push({ path: [...p, 'labels', k], message: `${JSON.stringify(k)} is not a Prometheus label name` });
  }
  if (!isAlert) {
    if (typeof r.record === 'string' && !METRIC_NAME.test(r.record)) out.push({ path: [...p, 'record'], message: `${JSON.stringify(r.record)} is not a metric name` });
    for (const field of ['for', 'keep_firing_for', 'annotations']) if (r[field] !== undefined) out.push({ path: [...p, field], message: 'only applies to alerting rules' });
    return;
  }
  if (typeof r.alert === 'string' && !METRIC_NAME.test(r.alert)) out.push({ path: [...p, 'alert'], message: `${JSON.stringify(r.alert)} is not a valid alert name (letters, digits, "_" and ":")` });
  checkDuration(r.for, [...p, 'for'], out);
  checkDuration(r.keep_firing_for, [...p, 'keep_firing_for'], out);
  for (const [k] of Object.entries(isObj(r.annotations) ? r.annotations : {})) {
    if (!LABEL_NAME.test(k)) out.push({ path: [...p, 'annotations', k], message: `${JSON.stringify(k)} is not a Prometheus label name` });
  }
  const severity = isObj(r.labels) ? r.labels.severity : undefined;
  if (severity === undefined) out.push({ path: [...p, 'labels', 'severity'], message: `is required on every alert (one of: ${ALERT_SEVERITIES.join(', ')})` });
  else if (!(ALERT_SEVERITIES as readonly string[]).includes(severity)) out.push({ path: [...p, 'labels', 'severity'], message: `${JSON.stringify(severity)} must be one of: ${ALERT_SEVERITIES.join(', ')}` });
  const summary = isObj(r.annotations) ? r.annotations.summary : undefined;
  if (typeof summary !== 'string' || summary.trim() === '') out.push({ path: [...p, 'annotations', 'summary'], message: 'is required on every alert: the one line a person paged reads first' });
}

/** Everything wrong with one monitoring object beyond its metadata and label selector (k8s-validate checks those). */
export function monitoringFindings(o: Record<string, any>, portName: NameCheck): MonitoringFinding[] {
  const out: MonitoringFinding[] = [];
  for (const key of Object.keys(o)) {
    if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(key)) out.push({ path: [key], message: 'unknown field (not in the monitoring.coreos.com/v1 schema)' });
  }
  if (o.spec === undefined) return [...out, { path: ['spec'], message: 'schema: is required' }];
  checkSchema(SPECS[o.kind], o.spec, ['spec'], out);
  if (!isObj(o.spec)) return out;
  if (o.kind === 'ServiceMonitor') checkEndpoints(o.spec.endpoints, ['spec', 'endpoints'], out, portName, (e) => e.targetPort === undefined);
  if (o.kind === 'PodMonitor') checkEndpoints(o.spec.podMetricsEndpoints, ['spec', 'podMetricsEndpoints'], out, portName, (e) => e.portNumber === undefined);
  if (o.kind === 'PrometheusRule') checkRules(o.spec, out);
  return out;
}
