import { AlertingRule, RuleGroup } from './prometheus-operator';

/** Severities the rules use; Alertmanager routes on them. */
export type AlertSeverity = 'critical' | 'warning';

/** An alert before it becomes a rule: what fires, how bad it is, and what to tell the person paged. */
export interface AlertDefinition {
  /** Alert name; also the heading of its runbook entry in docs/monitoring.md. */
  readonly alert: string;
  /** PromQL. */
  readonly expr: string;
  /** How long it must hold. */
  readonly for: string;
  /** Severity label. */
  readonly severity: AlertSeverity;
  /** One line. */
  readonly summary: string;
  /** What it means and where to look first. */
  readonly description: string;
}

/** Where each store's exporter is scraped, as Prometheus labels them (ServiceMonitor targets). */
export interface AlertTargets {
  /** Namespace of the ClearML workloads. */
  readonly namespace: string;
  /** Installation name: the prefix of every pod and Deployment. */
  readonly instance: string;
  /** Elasticsearch exporter Service, with the store's shape. */
  readonly elasticsearch?: { readonly service: string; readonly nodes: number; readonly bundled: boolean };
  /** MongoDB exporter Service; `replicaSet` when the members form one the exporters can see. */
  readonly mongo?: { readonly service: string; readonly replicaSet: boolean };
  /** Redis exporter Service; `bundled` when its container limit is the memory limit. */
  readonly redis?: { readonly service: string; readonly bundled: boolean };
  /** Prefix of runbook links (`<prefix>#<alert in lowercase>`). @default - no runbook_url annotation */
  readonly runbookBaseUrl?: string;
}

/** The bundled Elasticsearch's absolute flood-stage watermark (500mb, as the official docker-compose sets it), in bytes. */
const BUNDLED_FLOOD_STAGE_BYTES = 500 * 1024 * 1024;

/** `{a="x",b=~"y.*"}`: a value starting with `~` is a regex. */
function matchers(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}${v.startsWith('~') ? `=~"${v.slice(1)}"` : `="${v}"`}`).join(',')}}`;
}

/** Anchor of an alert's runbook heading (GitHub lowercases headings). */
export function runbookAnchor(alert: string): string {
  return alert.toLowerCase();
}

function elasticsearchAlerts(t: AlertTargets): AlertDefinition[] {
  const es = t.elasticsearch;
  if (!es) return [];
  const m = (extra: Record<string, string> = {}) => matchers({ namespace: t.namespace, service: es.service, ...extra });
  const freeRatio = `elasticsearch_filesystem_data_available_bytes${m()} / elasticsearch_filesystem_data_size_bytes${m()}`;
  return [
    {
      alert: 'ElasticsearchClusterRed', expr: `elasticsearch_cluster_health_status${m({ color: 'red' })} == 1`, for: '5m', severity: 'critical',
      summary: 'Elasticsearch cluster health is red',
      description: 'At least one primary shard is unassigned: ClearML cannot read or write the affected task logs, metrics or events.',
    },
    ...(es.nodes > 1 ? [{
      alert: 'ElasticsearchClusterYellow', expr: `elasticsearch_cluster_health_status${m({ color: 'yellow' })} == 1`, for: '30m', severity: 'warning' as const,
      summary: 'Elasticsearch cluster health has been yellow for 30 minutes',
      description: 'Replica shards are unassigned: one more lost node loses data.',
    }] : []),
    {
      alert: 'ElasticsearchUnreachable', expr: `absent(elasticsearch_cluster_health_status${m({ color: 'green' })})`, for: '10m', severity: 'critical',
      summary: 'No Elasticsearch cluster health for 10 minutes',
      description: 'Neither Elasticsearch nor its exporter reports the cluster health: ClearML cannot store events.',
    },
    {
      alert: 'ElasticsearchDiskSpaceLow', expr: `${freeRatio} < 0.15`, for: '10m', severity: 'warning',
      summary: 'Elasticsearch data disk has less than 15% free',
      description: 'Elasticsearch stops allocating shards at the high watermark and blocks writes at the flood stage.',
    },
    ...(es.bundled ? [{
      alert: 'ElasticsearchNearFloodStage', expr: `elasticsearch_filesystem_data_available_bytes${m()} < ${2 * BUNDLED_FLOOD_STAGE_BYTES}`, for: '5m', severity: 'critical' as const,
      summary: 'Elasticsearch data disk is close to the 500mb flood-stage watermark',
      description: 'Below 500mb free Elasticsearch makes every index on the node read-only: ClearML then fails to store task events.',
    }] : []),
    {
      alert: 'ElasticsearchIndicesReadOnly', expr: `elasticsearch_indices_settings_stats_read_only_indices${m()} > 0`, for: '5m', severity: 'critical',
      summary: 'Elasticsearch indices are read-only (index.blocks.read_only_allow_delete)',
      description: 'The flood-stage watermark was reached: ClearML cannot write task logs, scalars or events to these indices.',
    },
    {
      alert: 'ElasticsearchHeapHigh',
      expr: `elasticsearch_jvm_memory_used_bytes${m({ area: 'heap' })} / elasticsearch_jvm_memory_max_bytes${m({ area: 'heap' })} > 0.9`,
      for: '15m', severity: 'warning',
      summary: 'Elasticsearch heap above 90% for 15 minutes',
      description: 'Long garbage collections follow, then circuit-breaker errors and out-of-memory restarts.',
    },
  ];
}

function mongoAlerts(t: AlertTargets): AlertDefinition[] {
  const mongo = t.mongo;
  if (!mongo) return [];
  const m = matchers({ namespace: t.namespace, service: mongo.service });
  const state = `mongodb_mongod_replset_my_state${m}`;
  return [
    {
      alert: 'MongodbDown', expr: `mongodb_up${m} == 0`, for: '2m', severity: 'critical',
      summary: 'MongoDB is down or refuses the exporter',
      description: 'ClearML keeps every task, model, project and user in MongoDB: the API fails until it is back.',
    },
    ...(mongo.replicaSet ? [
      {
        alert: 'MongodbReplicaSetMemberUnhealthy', expr: `${state} != 1 and ${state} != 2 and ${state} != 7`, for: '5m', severity: 'warning' as const,
        summary: 'A MongoDB member is neither primary, secondary nor arbiter',
        description: 'The member is recovering, rolling back or unreachable by its peers; one more failure can leave the set without a primary.',
      },
      {
        alert: 'MongodbReplicaSetNoPrimary',
        expr: `(count(mongodb_up${m} == 1) > 0) unless (count(${state} == 1) > 0)`, for: '2m', severity: 'critical' as const,
        summary: 'The MongoDB replica set has no primary',
        description: 'Members answer but none is primary: ClearML cannot write.',
      },
    ] : []),
  ];
}

function redisAlerts(t: AlertTargets): AlertDefinition[] {
  const redis = t.redis;
  if (!redis) return [];
  const m = matchers({ namespace: t.namespace, service: redis.service });
  const maxmemory = `(redis_memory_used_bytes${m} / (redis_memory_max_bytes${m} > 0)) > 0.9`;
  // The bundled Redis has no maxmemory: its container limit is what kills it.
  const pod = { namespace: t.namespace, pod: `~${t.instance}-redis-.*`, container: 'redis' };
  const limit = `(max by (namespace, pod, container) (container_memory_working_set_bytes${matchers(pod)}) / on (namespace, pod, container) `
    + `max by (namespace, pod, container) (kube_pod_container_resource_limits${matchers({ ...pod, resource: 'memory' })})) > 0.9`;
  return [
    {
      alert: 'RedisDown', expr: `redis_up${m} == 0`, for: '2m', severity: 'critical',
      summary: 'Redis is down or refuses the exporter',
      description: 'The apiserver needs Redis for sessions, locks and worker registration: logins and agents fail until it is back.',
    },
    {
      alert: 'RedisMemoryNearLimit', expr: redis.bundled ? `${maxmemory} or ${limit}` : maxmemory, for: '10m', severity: 'warning',
      summary: 'Redis uses more than 90% of its memory limit',
      description: 'At the container limit Redis is OOM-killed; at maxmemory it refuses writes or evicts keys, depending on its policy.',
    },
    {
      alert: 'RedisSnapshotFailing', expr: `redis_rdb_last_bgsave_status${m} == 0`, for: '10m', severity: 'warning',
      summary: 'Redis cannot write its RDB snapshot',
      description: 'Usually a full or read-only data volume; a restart would lose what changed since the last good snapshot.',
    },
  ];
}

function kubernetesAlerts(t: AlertTargets): AlertDefinition[] {
  const pods = { namespace: t.namespace, pod: `~${t.instance}-.*` };
  const exporters = [t.elasticsearch, t.mongo, t.redis].flatMap((e) => e ? [e.service] : []);
  return [
    {
      alert: 'ClearmlServerUnavailable',
      expr: `kube_deployment_status_replicas_available${matchers({ namespace: t.namespace, deployment: `~${t.instance}-(apiserver|webserver|fileserver)` })} == 0`,
      for: '5m', severity: 'critical',
      summary: 'A ClearML server has no available pod',
      description: 'ClearML itself exposes no metrics; this is its availability as Kubernetes sees it.',
    },
    {
      alert: 'ClearmlPodRestarting', expr: `increase(kube_pod_container_status_restarts_total${matchers(pods)}[1h]) > 3`, for: '5m', severity: 'warning',
      summary: 'A ClearML container restarted more than 3 times in an hour',
      description: 'Out-of-memory kills, failing probes or crashes; the previous container\'s log and the pod events say which.',
    },
    {
      alert: 'ClearmlPodCrashLooping',
      expr: `max_over_time(kube_pod_container_status_waiting_reason${matchers({ ...pods, reason: 'CrashLoopBackOff' })}[5m]) >= 1`, for: '15m', severity: 'critical',
      summary: 'A ClearML container has been crash-looping for 15 minutes',
      description: 'The container keeps failing at start; its log and the pod events say why.',
    },
    {
      alert: 'ClearmlVolumeNearlyFull',
      expr: `kubelet_volume_stats_available_bytes${matchers({ namespace: t.namespace })} / kubelet_volume_stats_capacity_bytes${matchers({ namespace: t.namespace })} < 0.1`,
      for: '5m', severity: 'warning',
      summary: 'A claim in the ClearML namespace has less than 10% free',
      description: 'Data stores fail to write when their claim is full; claims from an expandable StorageClass can be enlarged in place.',
    },
    ...(exporters.length ? [{
      alert: 'ClearmlExporterDown',
      expr: `up${matchers({ namespace: t.namespace, service: `~${exporters.join('|')}` })} == 0`, for: '10m', severity: 'warning' as const,
      summary: 'Prometheus cannot scrape a ClearML data store exporter',
      description: 'The store\'s own alerts are blind while its exporter is down.',
    }] : []),
  ];
}

/** Every alert for this installation, by store; stores that are not monitored have no group. */
export function alertDefinitions(t: AlertTargets): Record<string, AlertDefinition[]> {
  return {
    elasticsearch: elasticsearchAlerts(t),
    mongo: mongoAlerts(t),
    redis: redisAlerts(t),
    kubernetes: kubernetesAlerts(t),
  };
}

/** The rule groups of a PrometheusRule, one per store plus one for the pods and claims. */
export function alertRuleGroups(t: AlertTargets): RuleGroup[] {
  return Object.entries(alertDefinitions(t)).filter(([, alerts]) => alerts.length > 0).map(([group, alerts]) => ({
    name: `${t.instance}.${group}`,
    rules: alerts.map((a): AlertingRule => ({
      alert: a.alert,
      expr: a.expr,
      for: a.for,
      labels: { severity: a.severity },
      annotations: {
        summary: a.summary,
        description: `${a.description} Runbook: docs/monitoring.md#${runbookAnchor(a.alert)} of cdk8s-clearml.`,
        ...(t.runbookBaseUrl ? { runbook_url: `${t.runbookBaseUrl}#${runbookAnchor(a.alert)}` } : {}),
      },
    })),
  }));
}
