import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { container, envVars, nonRootSecurityContext, secretEnv } from '../core/container';
import { ClearmlContext, identity, objectName } from '../core/context';
import { checkDnsLabel, checkDnsSubdomain, checkLabel, checkSecretKey, ClearmlConfigError } from '../core/errors';
import { componentMetadata, selectorLabels } from '../core/labels';
import { httpProbe } from '../core/probes';
import { resolveResources, resources, ResolvedResources, ResourceSpec } from '../core/resources';
import { createDeployment, createService, serviceEndpoint } from '../core/workload';
import { durationMs } from '../validate/monitoring-validate';
import { ElasticsearchBackend, MongoBackend, REDIS_CA_FILE, RedisBackend, SecretKeySelector, withRedisCa } from '../datastores/backends';
import { alertRuleGroups } from './alerts';
import { PrometheusRule, ServiceMonitor, ServiceMonitorEndpoint } from './prometheus-operator';

/** Metrics of the data stores and alerts for them (opt-in). */
export interface MetricsOptions {
  /** Deploy a Prometheus exporter for Elasticsearch, MongoDB and Redis (bundled or external). @default false */
  readonly enabled?: boolean;
  /** Namespace of Prometheus: the exporters admit scrapes from this namespace only. @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** Also write Prometheus Operator objects: a ServiceMonitor per exporter and a PrometheusRule with the alerts (needs the operator's CRDs). @default false */
  readonly prometheusOperator?: boolean;
  /** Labels on the ServiceMonitors and the PrometheusRule so that Prometheus selects them (kube-prometheus-stack: `release: <its release name>`). @default {} */
  readonly prometheusLabels?: Record<string, string>;
  /** Scrape interval of the ServiceMonitors, a Prometheus duration. @default '30s' */
  readonly scrapeInterval?: string;
  /** URL of docs/monitoring.md as your team reads it; alerts link to `<url>#<alert name in lowercase>` in `runbook_url`. @default - no runbook_url (the description names the runbook entry) */
  readonly runbookBaseUrl?: string;
  /** Secret with the user name and password of a MongoDB user with `clusterMonitor` on `admin` and `read` on `local`, for a bundled MongoDB with authentication. @default - none (the bundled MongoDB has no authentication; an external one is read with its connection string) */
  readonly mongoCredentialsSecret?: { readonly name: string; readonly usernameKey?: string; readonly passwordKey?: string };
  /** Requests and limits of each exporter container. @default - requests 10m CPU and 32Mi, limits 200m CPU and 128Mi */
  readonly resources?: ResourceSpec;
}

/** Metrics options, validated, with defaults applied. */
export interface ResolvedMetrics {
  /** Namespace allowed to scrape. */
  readonly monitoringNamespace: string;
  /** Write ServiceMonitors and the PrometheusRule. */
  readonly prometheusOperator: boolean;
  /** Labels that make Prometheus select them. */
  readonly prometheusLabels: Record<string, string>;
  /** Scrape interval. */
  readonly scrapeInterval: string;
  /** Prefix of the runbook links. */
  readonly runbookBaseUrl?: string;
  /** The MongoDB exporter's user, from a Secret. */
  readonly mongoCredentials?: { readonly username: SecretKeySelector; readonly password: SecretKeySelector };
  /** Requests and limits of each exporter container. */
  readonly resources: ResolvedResources;
}

export const METRICS_DEFAULT_RESOURCES: ResolvedResources = resources('10m', '32Mi', '200m', '128Mi');
/** Exporter images are static binaries: run them as `nobody`, numerically so the kubelet can verify it is not root. */
const NOBODY = 65534;
/** Component names of the exporters; their Services, ServiceMonitors and NetworkPolicies carry the same names. */
export const EXPORTER_COMPONENTS = { elasticsearch: 'elasticsearch-exporter', mongo: 'mongo-exporter', redis: 'redis-exporter' } as const;

/** Validates `metrics` once, before anything is built; undefined when metrics are off. */
export function resolveMetrics(o: MetricsOptions | undefined, mongoExternal: boolean, mongoAccessControl = false): ResolvedMetrics | undefined {
  if (!o?.enabled) {
    const set = Object.entries(o ?? {}).find(([k, v]) => k !== 'enabled' && v !== undefined);
    if (set) throw new ClearmlConfigError(`metrics.${set[0]}`, 'has no effect unless metrics.enabled is true');
    return undefined;
  }
  const operator = o.prometheusOperator ?? false;
  if (!operator) {
    for (const key of ['prometheusLabels', 'scrapeInterval', 'runbookBaseUrl'] as const) {
      if (o[key] !== undefined) throw new ClearmlConfigError(`metrics.${key}`, 'only applies with metrics.prometheusOperator: true (it configures the ServiceMonitors and the PrometheusRule)');
    }
  }
  const scrapeInterval = o.scrapeInterval ?? '30s';
  // The validator's own reading of a duration, so that what synth accepts the validator accepts too.
  if (!((durationMs(scrapeInterval) ?? 0) > 0)) {
    throw new ClearmlConfigError('metrics.scrapeInterval', `"${scrapeInterval}" must be a positive Prometheus duration such as "30s" or "1m"`);
  }
  for (const [k, v] of Object.entries(o.prometheusLabels ?? {})) checkLabel('metrics.prometheusLabels', k, v);
  if (o.runbookBaseUrl !== undefined && !/^https?:\/\/[^\s#"]+$/.test(o.runbookBaseUrl)) {
    throw new ClearmlConfigError('metrics.runbookBaseUrl', `"${o.runbookBaseUrl}" must be an http:// or https:// URL without a "#" fragment`);
  }
  const creds = o.mongoCredentialsSecret;
  if (creds && mongoExternal) {
    throw new ClearmlConfigError('metrics.mongoCredentialsSecret', 'has no effect with mongo.external: the exporter reads the connection string of mongo.external.connectionStringSecret');
  }
  if (!creds && mongoAccessControl) {
    throw new ClearmlConfigError('metrics.mongoCredentialsSecret', 'is required with mongo.replicas > 1: the replica set enforces access control, so the exporter needs its own user (clusterMonitor on admin, read on local; see docs/monitoring.md)');
  }
  const secret = creds && checkDnsSubdomain('metrics.mongoCredentialsSecret.name', creds.name);
  return {
    monitoringNamespace: checkDnsLabel('metrics.monitoringNamespace', o.monitoringNamespace ?? 'monitoring'),
    prometheusOperator: operator,
    prometheusLabels: o.prometheusLabels ?? {},
    scrapeInterval,
    runbookBaseUrl: o.runbookBaseUrl,
    mongoCredentials: secret ? {
      username: { name: secret, key: checkSecretKey('metrics.mongoCredentialsSecret.usernameKey', creds!.usernameKey ?? 'username') },
      password: { name: secret, key: checkSecretKey('metrics.mongoCredentialsSecret.passwordKey', creds!.passwordKey ?? 'password') },
    } : undefined,
    resources: resolveResources('metrics.resources', METRICS_DEFAULT_RESOURCES, o.resources),
  };
}

/** What the exporters watch: each store's backend, and for bundled stores their pods and members. */
export interface MonitoredStores {
  /** Elasticsearch, and its node count when bundled. */
  readonly elasticsearch: { readonly backend: ElasticsearchBackend; readonly bundledNodes?: number };
  /**
   * MongoDB. A bundled one lists its members (`host:port`), each watched by its own exporter
   * container with a direct connection, so a replica set reports every member's state; without
   * members the store is external and read through its connection string.
   */
  readonly mongo: { readonly backend: MongoBackend; readonly members?: readonly string[]; readonly replicaSet?: boolean };
  /** Redis, and whether it is bundled. */
  readonly redis: { readonly backend: RedisBackend; readonly bundled: boolean };
}

/** Props of `Metrics`. */
export interface MetricsProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Resolved metrics options. */
  readonly options: ResolvedMetrics;
  /** The stores to watch. */
  readonly stores: MonitoredStores;
  /** Write NetworkPolicies for the exporters. */
  readonly networkPolicies: boolean;
}

/** One exporter container: what it runs and the port it serves metrics on. */
interface ExporterContainer {
  readonly name: string;
  readonly port: { readonly name: string; readonly number: number };
  readonly args: string[];
  readonly env: k8s.EnvVar[];
  /** Liveness and readiness: an HTTP path, or a TCP check when the exporter has no cheap health page. */
  readonly healthPath?: string;
  /** Extra labels of its scrape target (e.g. which member it watches). */
  readonly targetLabels?: Record<string, string>;
  /** Volume mounts (e.g. a CA certificate). @default none */
  readonly mounts?: k8s.VolumeMount[];
}

/** A store's exporter: containers, and where it may connect. */
interface ExporterSpec {
  readonly component: string;
  readonly version: string;
  readonly image: string;
  readonly containers: readonly ExporterContainer[];
  /** The store's pods (bundled) or nothing (external: any address on the store's ports). */
  readonly storeSelector?: Record<string, string>;
  /** The store's TCP ports; none when they are unknown (a connection string in a Secret): then any. */
  readonly storePorts: readonly number[];
  /** Pod volumes. @default none */
  readonly volumes?: k8s.Volume[];
}

/**
 * Prometheus exporters for the data stores, each a Deployment of its own next to the store rather than
 * a sidecar: turning metrics on never restarts a data store, an exporter never shares the store's
 * identity or volumes, one Elasticsearch exporter reads the whole cluster, and external stores are
 * watched the same way. MongoDB gets one exporter container per member with a direct connection, so
 * each member of a replica set reports its own state.
 */
export class Metrics extends Construct {
  /** Names of the exporter Services. */
  public readonly services: Readonly<Record<keyof typeof EXPORTER_COMPONENTS, string>>;

  constructor(scope: Construct, id: string, props: MetricsProps) {
    super(scope, id);
    const { ctx, options, stores } = props;
    const specs = { elasticsearch: elasticsearchExporter(ctx, stores.elasticsearch), mongo: mongoExporter(ctx, stores.mongo, options), redis: redisExporter(ctx, stores.redis) };
    for (const spec of Object.values(specs)) {
      new Exporter(this, spec.component, { ctx, options, spec, networkPolicies: props.networkPolicies });
    }
    this.services = {
      elasticsearch: objectName(ctx, EXPORTER_COMPONENTS.elasticsearch),
      mongo: objectName(ctx, EXPORTER_COMPONENTS.mongo),
      redis: objectName(ctx, EXPORTER_COMPONENTS.redis),
    };
    if (options.prometheusOperator) {
      const metadata = componentMetadata(identity(ctx, 'alerts'), objectName(ctx, 'alerts'), ctx.namespace);
      new PrometheusRule(this, 'Alerts', {
        metadata: { ...metadata, labels: { ...metadata.labels, ...options.prometheusLabels } },
        spec: {
          groups: alertRuleGroups({
            namespace: ctx.namespace,
            instance: ctx.instance,
            elasticsearch: { service: this.services.elasticsearch, nodes: stores.elasticsearch.bundledNodes ?? 1, bundled: stores.elasticsearch.bundledNodes !== undefined },
            mongo: { service: this.services.mongo, replicaSet: stores.mongo.replicaSet ?? false },
            redis: { service: this.services.redis, bundled: stores.redis.bundled },
            runbookBaseUrl: options.runbookBaseUrl,
          }),
        },
      });
    }
  }
}

function elasticsearchExporter(ctx: ClearmlContext, es: MonitoredStores['elasticsearch']): ExporterSpec {
  const host = es.backend.hosts[0];
  return {
    component: EXPORTER_COMPONENTS.elasticsearch,
    version: ctx.versions.elasticsearchExporter,
    image: ctx.images.elasticsearchExporter,
    containers: [{
      name: 'exporter',
      port: { name: 'metrics', number: 9114 },
      // Since v1.10 the exporter has no default URI. indices_settings gives the read-only blocks,
      // clustersettings the watermarks; --es.all reads every node of a cluster.
      args: [
        `--es.uri=${host.scheme}://${host.host}:${host.port}`,
        '--es.all', '--es.indices', '--es.indices_settings', '--collector.clustersettings',
        ...(es.backend.verifyCerts ? [] : ['--es.ssl-skip-verify']),
      ],
      env: [
        ...(es.backend.username ? [secretEnv('ES_USERNAME', es.backend.username.name, es.backend.username.key)] : []),
        ...(es.backend.password ? [secretEnv('ES_PASSWORD', es.backend.password.name, es.backend.password.key)] : []),
      ],
      healthPath: '/healthz',
    }],
    storeSelector: es.bundledNodes !== undefined ? selectorLabels(identity(ctx, 'elasticsearch')) : undefined,
    storePorts: [...new Set(es.backend.hosts.map((h) => h.port))],
  };
}

function mongoExporter(ctx: ClearmlContext, mongo: MonitoredStores['mongo'], options: ResolvedMetrics): ExporterSpec {
  const common = ['--compatible-mode', '--collector.diagnosticdata', '--collector.replicasetstatus', '--collector.dbstats'];
  const credentials = options.mongoCredentials
    ? [secretEnv('MONGODB_USER', options.mongoCredentials.username.name, options.mongoCredentials.username.key), secretEnv('MONGODB_PASSWORD', options.mongoCredentials.password.name, options.mongoCredentials.password.key)]
    : [];
  const external = mongo.members === undefined ? mongo.backend.connectionString : undefined;
  const containers: ExporterContainer[] = external
    // An external deployment may be a replica set or an SRV address, where direct connections are invalid.
    ? [{
      name: 'exporter',
      port: { name: 'metrics', number: 9216 },
      args: [...common, '--no-mongodb.direct-connect'],
      env: [secretEnv('MONGODB_URI', external.name, external.key)],
    }]
    : (mongo.members ?? [`${mongo.backend.host}:${mongo.backend.port}`]).map((member, i, all) => ({
      name: all.length > 1 ? `member-${i}` : 'exporter',
      port: { name: all.length > 1 ? `metrics-${i}` : 'metrics', number: 9216 + i },
      args: [...common, `--web.listen-address=:${9216 + i}`],
      env: [...envVars({ MONGODB_URI: `mongodb://${member}/?directConnection=true` }), ...credentials],
      targetLabels: all.length > 1 ? { member: member.split('.')[0].split(':')[0] } : undefined,
    }));
  return {
    component: EXPORTER_COMPONENTS.mongo,
    version: ctx.versions.mongoExporter,
    image: ctx.images.mongoExporter,
    containers,
    storeSelector: external ? undefined : selectorLabels(identity(ctx, 'mongo')),
    storePorts: external ? [] : [...new Set((mongo.members ?? [`:${mongo.backend.port}`]).map((m) => Number(m.split(':').pop())))],
  };
}

function redisExporter(ctx: ClearmlContext, redis: MonitoredStores['redis']): ExporterSpec {
  // The same connection as the servers': password and TLS (with the CA from its Secret) of an external Redis.
  const { host, port, password, tls } = redis.backend;
  const ca = withRedisCa({ volumes: [], mounts: [] }, redis.backend);
  return {
    component: EXPORTER_COMPONENTS.redis,
    version: ctx.versions.redisExporter,
    image: ctx.images.redisExporter,
    containers: [{
      name: 'exporter',
      port: { name: 'metrics', number: 9121 },
      args: tls?.ca ? [`--tls-ca-cert-file=${REDIS_CA_FILE}`] : [],
      env: [
        ...envVars({ REDIS_ADDR: `${tls ? 'rediss' : 'redis'}://${host}:${port}` }),
        ...(password ? [secretEnv('REDIS_PASSWORD', password.name, password.key)] : []),
      ],
      mounts: ca.mounts.length ? ca.mounts : undefined,
    }],
    volumes: ca.volumes.length ? ca.volumes : undefined,
    storeSelector: redis.bundled ? selectorLabels(identity(ctx, 'redis')) : undefined,
    storePorts: [redis.backend.port],
  };
}

interface ExporterProps {
  readonly ctx: ClearmlContext;
  readonly options: ResolvedMetrics;
  readonly spec: ExporterSpec;
  readonly networkPolicies: boolean;
}

/** One exporter: Deployment, Service, NetworkPolicy and (with the operator) ServiceMonitor. */
class Exporter extends Construct {
  constructor(scope: Construct, id: string, props: ExporterProps) {
    super(scope, id);
    const { ctx, options, spec } = props;
    createDeployment(this, ctx, {
      component: spec.component,
      version: spec.version,
      strategy: 'RollingUpdate',
      podSecurityContext: { runAsNonRoot: true, runAsUser: NOBODY, runAsGroup: NOBODY },
      containers: spec.containers.map((c) => {
        const probe = c.healthPath
          ? httpProbe(c.healthPath, c.port.name, { periodSeconds: 30 })
          : { tcpSocket: { port: k8s.IntOrString.fromString(c.port.name) }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 };
        return container(ctx, {
          name: c.name,
          image: spec.image,
          args: c.args.length ? c.args : undefined,
          env: c.env,
          ports: { [c.port.name]: c.port.number },
          probes: { liveness: probe, readiness: probe },
          resources: options.resources,
          securityContext: nonRootSecurityContext(NOBODY, NOBODY, true),
          volumeMounts: c.mounts,
        });
      }),
      volumes: spec.volumes,
    });
    const ports = spec.containers.map((c) => ({ name: c.port.name, port: c.port.number, targetPort: c.port.name }));
    createService(this, ctx, spec.component, serviceEndpoint(ctx, spec.component, ports[0].port), ports);
    if (props.networkPolicies) this.networkPolicy(props);
    if (options.prometheusOperator) {
      const metadata = componentMetadata(identity(ctx, spec.component), objectName(ctx, spec.component), ctx.namespace);
      new ServiceMonitor(this, 'ServiceMonitor', {
        metadata: { ...metadata, labels: { ...metadata.labels, ...options.prometheusLabels } },
        spec: {
          selector: { matchLabels: selectorLabels(identity(ctx, spec.component)) },
          namespaceSelector: { matchNames: [ctx.namespace] },
          endpoints: spec.containers.map((c): ServiceMonitorEndpoint => ({
            port: c.port.name,
            path: '/metrics',
            interval: options.scrapeInterval,
            ...(c.targetLabels ? { relabelings: Object.entries(c.targetLabels).map(([targetLabel, replacement]) => ({ action: 'replace' as const, targetLabel, replacement })) } : {}),
          })),
        },
      });
    }
  }

  /** Scrapes only from the monitoring namespace; connections only to DNS and the store. */
  private networkPolicy({ ctx, options, spec }: ExporterProps): void {
    const tcp = (port: number) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: componentMetadata(identity(ctx, spec.component), objectName(ctx, spec.component), ctx.namespace),
      spec: {
        podSelector: { matchLabels: selectorLabels(identity(ctx, spec.component)) },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': options.monitoringNamespace } } }],
          ports: spec.containers.map((c) => tcp(c.port.number)),
        }],
        egress: [
          { ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, tcp(53)] },
          {
            ...(spec.storeSelector ? { to: [{ podSelector: { matchLabels: spec.storeSelector } }] } : {}),
            ports: spec.storePorts.length ? spec.storePorts.map(tcp) : [{ protocol: 'TCP' }],
          },
        ],
      },
    });
  }
}
