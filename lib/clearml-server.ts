import { Construct } from 'constructs';
import { agentCredentialsEnv } from './agents/agent-credentials';
import { AgentPlan, KubernetesAgentOptions, planAgents } from './agents/agent-options';
import { KubernetesAgent } from './agents/kubernetes-agent';
import { BackupNetworkPolicy, BACKUP_COMPONENTS } from './backup/backup-network-policy';
import { BackupOptions, ResolvedBackup, resolveBackup } from './backup/backup-options';
import { BACKUP_USER, BackupSchedule } from './backup/backup-schedule';
import { SnapshotRepository } from './backup/elasticsearch-repository';
import { AgentServices, AgentServicesOptions } from './components/agent-services';
import { Apiserver, ApiserverOptions } from './components/apiserver';
import { AsyncDelete, AsyncDeleteOptions } from './components/async-delete';
import { Fileserver, FileserverOptions } from './components/fileserver';
import { SERVER_PORTS, ServerEndpoints, serverEndpoints, ServerStorage } from './components/server-common';
import { Webserver, WebserverOptions } from './components/webserver';
import { ComponentOptions } from './core/component-options';
import { ClearmlContext, NodeLabel } from './core/context';
import { createNamespace } from './core/namespace';
import { checkAbsolutePath, checkDnsLabel, checkDnsSubdomain, checkInt, checkLabel, checkNodePort, checkOneOf, checkOwnNamespace, checkPinnedImage, checkPositiveQuantity, checkSecretKey, checkSysctlInt, ClearmlConfigError } from './core/errors';
import { checkScheduling, SchedulingOptions } from './core/scheduling';
import { ServiceExposure } from './core/workload';
import { Backends, externalElasticsearch, externalMongo, externalRedis } from './datastores/backends';
import { Elasticsearch, ElasticsearchOptions } from './datastores/elasticsearch';
import { Mongo, MongoOptions } from './datastores/mongo';
import { checkMongoReplicas } from './datastores/mongo-replica-set';
import { Redis, RedisOptions } from './datastores/redis';
import { checkAnnotations, commonParentDomain, ExposureOptions, followsAppConvention, INGRESS_DEFAULT_ANNOTATIONS, PublicHosts, resolveHosts, ServerIngress } from './exposure/exposure';
import { HostPreparation } from './host/host-preparation';
import { EXPORTER_COMPONENTS, Metrics, MetricsOptions, ResolvedMetrics, resolveMetrics } from './monitoring/metrics';
import { AuthSettings, FixedUsersOptions } from './security/auth';
import { CREDENTIALS } from './security/credential-keys';
import { Credentials, CredentialsOptions } from './security/credentials';
import { IngressRule, NetworkIsolation, NetworkPolicyOptions } from './security/network-policies';
import { configSourceVolume, DataVolume } from './storage/data-volume';
import { NodeDirectory } from './storage/node-volume';
import { refuseClashes } from './core/installation-clashes';
import { createDataVolume, DefaultStorageOptions, ResolvedStorage, resolveStorage, StorageOptions } from './storage/storage-options';
import { DEFAULT_VERSIONS, IMAGE_REPOSITORIES, ImageRole, VersionSet } from './versions';

/** Options of the host-preparation DaemonSet. */
export interface HostPreparationOptions {
  /**
   * Run the privileged DaemonSet that sets `vm.max_map_count` and creates the node directories. Turn
   * it off when nodes are prepared otherwise (docs/deployment.md, "Without the DaemonSet", lists the steps).
   * @default - true when Elasticsearch is bundled or anything uses node storage
   */
  readonly enabled?: boolean;
  /** Lowest `vm.max_map_count` for Elasticsearch (at least its own minimum, 262144); a higher node value is never lowered. @default 262144 */
  readonly maxMapCount?: number;
}

/** Storage of the servers' logs and configuration directory. */
export interface ServerStorageOptions {
  /** `/var/log/clearml` of the apiserver, fileserver and async-delete. @default - node storage `logs` (5Gi) in the classic layout, else `ephemeral` */
  readonly logs?: StorageOptions;
  /** `/opt/clearml/config`. @default - node storage `config` (100Mi) in the classic layout, else `ephemeral` */
  readonly config?: StorageOptions;
}

/** ClearML Server configuration files (`apiserver.conf`, `services.conf`, ...) mounted at the config directory. */
export interface ServerConfigOptions {
  /** ConfigMap whose keys are file names. @default - none */
  readonly configMap?: string;
  /** Secret whose keys are file names (for files with secrets, e.g. S3 keys in services.conf). @default - none */
  readonly secret?: string;
}

/** Image pull policies. */
export type ImagePullPolicy = 'IfNotPresent' | 'Always' | 'Never';

/** Props of `ClearmlServer`. */
export interface ClearmlServerProps {
  /** Installation name: prefix of every object name and value of `app.kubernetes.io/instance`. @default 'clearml' */
  readonly name?: string;
  /** Namespace of the ClearML workloads; it is created and enforces Pod Security `baseline`. @default 'clearml' */
  readonly namespace?: string;
  /** Namespace of the privileged host-level workloads (host preparation, agent-services). @default '<namespace>-privileged' */
  readonly privilegedNamespace?: string;
  /** Pinned versions; a partial set overrides only what it names. @default DEFAULT_VERSIONS (server 2.4.0, ES 8.19.9, Mongo 8.0.15, Redis 8.2.3) */
  readonly versions?: Partial<VersionSet>;
  /** Full image references per role, each pinned; they win over `imageRegistry`. @default - `<official repository>:<version>` */
  readonly images?: Partial<Record<ImageRole, string>>;
  /** A registry mirror for air-gapped clusters: every image becomes `<imageRegistry>/<repository path>:<version>`. @default - the official registries */
  readonly imageRegistry?: string;
  /** Secrets for pulling images (every pod). @default [] */
  readonly imagePullSecrets?: string[];
  /** Pull policy of every container. @default 'IfNotPresent' */
  readonly imagePullPolicy?: ImagePullPolicy;
  /** Label of the ClearML nodes (node storage lives there). @default { key: 'app', value: 'clearml' } */
  readonly nodeLabel?: NodeLabel;
  /** Pin every pod to the ClearML nodes; pods with node storage are always pinned. @default - true when everything is on node storage (the classic layout) */
  readonly pinToNodeLabel?: boolean;
  /** Root of the node storage, laid out like the official docker-compose. @default '/opt/clearml' */
  readonly nodeStorageRoot?: string;
  /** Storage of every data store that does not set its own (type, storage class, access modes). @default { type: 'node' } */
  readonly defaultStorage?: DefaultStorageOptions;
  /** Storage of the servers' logs and configuration. @default - see ServerStorageOptions */
  readonly serverStorage?: ServerStorageOptions;
  /** Configuration files of ClearML Server from a ConfigMap or Secret (instead of the config directory storage). @default - none */
  readonly serverConfig?: ServerConfigOptions;
  /** Scheduling of every pod (node selector, affinity, tolerations, priority class); components add their own. @default {} */
  readonly scheduling?: SchedulingOptions;
  /** Host preparation. @default - see HostPreparationOptions */
  readonly hostPreparation?: HostPreparationOptions;
  /** How clients reach the servers. @default { type: 'NodePort' } */
  readonly exposure?: ExposureOptions;
  /** Domain of the `app.`, `api.` and `files.` host names, e.g. `clearml.example.com`. @default - none */
  readonly domain?: string;
  /** Clients use HTTPS (TLS ends at your load balancer); implied by `exposure.ingress.tlsSecretName`. Cookies become Secure and scoped to the domain. @default false */
  readonly https?: boolean;
  /** More URLs clients upload to the file server with (e.g. `http://10.0.0.5:30081`), for async deletion. @default [] */
  readonly extraFileserverUrls?: readonly string[];
  /** Auth cookie name, set on both the apiserver and the fileserver. @default 'clearml_token_basic' */
  readonly cookieName?: string;
  /** Credentials (`secure.*` settings). @default - generated once in the cluster */
  readonly credentials?: CredentialsOptions;
  /** Web login with fixed users from a Secret. @default - none: anyone who reaches the server can use it (synth warns) */
  readonly fixedUsers?: FixedUsersOptions;
  /** NetworkPolicies that isolate the data stores. @default - enabled */
  readonly networkPolicies?: NetworkPolicyOptions;
  /** API server. @default - see ApiserverOptions */
  readonly apiserver?: ApiserverOptions;
  /** Web server. @default - see WebserverOptions */
  readonly webserver?: WebserverOptions;
  /** File server. @default - see FileserverOptions */
  readonly fileserver?: FileserverOptions;
  /** Async-delete worker. @default - see AsyncDeleteOptions */
  readonly asyncDelete?: AsyncDeleteOptions;
  /** Elasticsearch. @default - bundled, single node */
  readonly elasticsearch?: ElasticsearchOptions;
  /** MongoDB. @default - bundled */
  readonly mongo?: MongoOptions;
  /** Redis. @default - bundled */
  readonly redis?: RedisOptions;
  /** Legacy services agent on the node's Docker socket; prefer an agent serving the `services` queue in `agents`. @default - disabled */
  readonly agentServices?: AgentServicesOptions;
  /** Exporters for the data stores, and Prometheus Operator objects with alerts (docs/monitoring.md). @default - disabled */
  readonly metrics?: MetricsOptions;
  /** ClearML agents on this cluster (Kubernetes glue): each serves its queues and runs every task as a pod in its namespace. @default - none */
  readonly agents?: KubernetesAgentOptions[];
  /** Scheduled backups of MongoDB, Elasticsearch and the file server's data; setting it turns them on (docs/backup.md). @default - none */
  readonly backup?: BackupOptions;
}

/** Public addresses, when host names are known. */
export interface PublicUrls {
  /** Web app, `http(s)://app.<domain>`: the host `exposure.ingress.hosts.app`. */
  readonly app: string;
  /** @deprecated use `app`, named like `exposure.ingress.hosts.app`; `web` will be removed in a later minor release. */
  readonly web: string;
  /** API, `http(s)://api.<domain>`. */
  readonly api: string;
  /** File server, `http(s)://files.<domain>`. */
  readonly files: string;
}

const DEFAULT_NODE_LABEL: NodeLabel = { key: 'app', value: 'clearml' };
const DEFAULT_MAX_MAP_COUNT = 262144;
/** Elasticsearch's bootstrap check. */
const ELASTICSEARCH_MIN_MAP_COUNT = 262144;
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const DATA_STORAGE_TYPES = ['node', 'claim', 'existingClaim'] as const;
const SERVER_STORAGE_TYPES = ['node', 'claim', 'existingClaim', 'ephemeral'] as const;

/** A complete ClearML Server: namespaces, servers, data stores, credentials, isolation and host preparation. */
export class ClearmlServer extends Construct {
  /** Namespace of the ClearML workloads. */
  public readonly namespace: string;
  /** Handles of the apiserver, fileserver and webserver Services. */
  public readonly endpoints: ServerEndpoints;
  /** How the servers reach the data stores. */
  public readonly backends: Backends;
  /** Secret holding the `secure.*` settings. */
  public readonly credentialsSecretName: string;
  /** Public URLs, when host names are known (`domain` or Ingress hosts). */
  public readonly publicUrls?: PublicUrls;
  /** Every node directory the installation uses. */
  public readonly nodeDirectories: readonly string[];
  /** The agents, in the order of `agents`. */
  public readonly agents: readonly KubernetesAgent[];

  constructor(scope: Construct, id: string, props: ClearmlServerProps = {}) {
    super(scope, id);
    const plan = planInstallation(props);
    const { ctx } = plan;
    this.namespace = ctx.namespace;
    this.endpoints = serverEndpoints(ctx);
    this.publicUrls = plan.urls;
    if (!plan.auth.fixedUsers) {
      console.warn(`cdk8s-clearml: ClearML Server "${ctx.instance}" in namespace "${ctx.namespace}" allows unrestricted access: `
        + 'anyone who reaches it can use it. Set fixedUsers to require a login.');
    }

    // Clients reaching the NodePort by node address upload with URLs no prefix matches (by domain, files.<domain> does).
    const fileserverNodePort = plan.services.fileserver.nodePort;
    if (fileserverNodePort !== undefined && !plan.hosts && plan.extraFileserverUrls.length === 0) {
      console.warn(`cdk8s-clearml: files uploaded through the fileserver NodePort (http://<node>:${fileserverNodePort}) are never deleted `
        + `with their tasks: async deletion only knows the URL prefixes in extraFileserverUrls. Set extraFileserverUrls to the URLs clients `
        + `upload with, e.g. ["http://10.0.0.5:${fileserverNodePort}"].`);
    }

    createNamespace(this, 'Namespace', ctx, ctx.namespace, 'baseline');
    if (plan.hostPreparation || plan.agentServices) {
      createNamespace(this, 'PrivilegedNamespace', ctx, ctx.privilegedNamespace, 'privileged');
    }
    const credentials = new Credentials(this, 'Credentials', {
      ctx,
      existingSecret: props.credentials?.existingSecret === undefined ? undefined : checkDnsSubdomain('credentials.existingSecret', props.credentials.existingSecret),
      mirrors: plan.agentServices ? [{ namespace: ctx.privilegedNamespace, keys: CREDENTIALS.servicesAgent }] : [],
    });
    this.credentialsSecretName = credentials.secretName;

    // Data stores: bundled ones are built, external ones only give their addresses.
    const directories: NodeDirectory[] = [];
    const snapshots = plan.bundled.elasticsearch && plan.backup ? this.snapshotRepository(ctx, plan.backup) : undefined;
    if (snapshots?.volume?.directory) directories.push(snapshots.volume.directory);
    const es = plan.bundled.elasticsearch && new Elasticsearch(this, 'Elasticsearch', { ctx, options: props.elasticsearch ?? {}, storage: plan.bundled.elasticsearch, maxMapCount: plan.maxMapCount, snapshots });
    const mongo = plan.bundled.mongo && new Mongo(this, 'Mongo', { ctx, options: props.mongo ?? {}, storage: plan.bundled.mongo });
    const redis = plan.bundled.redis && new Redis(this, 'Redis', { ctx, options: props.redis ?? {}, storage: plan.bundled.redis });
    directories.push(...(es?.directories ?? []), ...(mongo?.directories ?? []), ...(redis?.directories ?? []));
    this.backends = {
      elasticsearch: es?.backend ?? externalElasticsearch('elasticsearch.external', props.elasticsearch!.external!),
      mongo: mongo?.backend ?? externalMongo('mongo.external', props.mongo!.external!),
      redis: redis?.backend ?? externalRedis('redis.external', props.redis!.external!),
    };

    const storage = this.serverStorage(ctx, props, plan);
    for (const v of Object.values(storage) as DataVolume[]) {
      if (v.directory) directories.push(v.directory);
    }
    const fileserverUrlPrefixes = [...new Set([
      this.endpoints.fileserver.url,
      this.endpoints.fileserver.clusterUrl,
      ...(plan.hosts ? [`http://${plan.hosts.files}`, `https://${plan.hosts.files}`] : []),
      ...(plan.urls ? [plan.urls.files] : []),
      ...plan.extraFileserverUrls,
    ])];
    const common = { ctx, endpoints: this.endpoints, credentialsSecret: credentials.secretName };
    // The apiserver copies the examples' artifacts into the file storage: only when it can mount it too.
    const mountFileserverData = storage.fileserverData.onNode || storage.fileserverData.shareable;

    new Apiserver(this, 'Apiserver', {
      ...common, options: props.apiserver ?? {}, service: plan.services.apiserver, backends: this.backends, storage, mountFileserverData, auth: plan.auth, fileserverUrlPrefixes,
      extraCredentialsEnv: plan.agents.flatMap((a) => agentCredentialsEnv(ctx, a.name)),
    });
    new Fileserver(this, 'Fileserver', { ...common, options: props.fileserver ?? {}, service: plan.services.fileserver, redis: this.backends.redis, storage, cookieName: plan.auth.cookieName });
    new Webserver(this, 'Webserver', { ...common, options: props.webserver ?? {}, service: plan.services.webserver, webSettings: plan.webSettings });
    new AsyncDelete(this, 'AsyncDelete', { ...common, options: props.asyncDelete ?? {}, backends: this.backends, storage, fileserverUrlPrefixes });
    if (plan.agentServices) {
      new AgentServices(this, 'AgentServices', { ...common, options: props.agentServices ?? {} });
    }
    const networkPolicies = props.networkPolicies?.enabled ?? true;
    this.agents = plan.agents.map((a) => new KubernetesAgent(this, `Agent-${a.name}`, {
      ctx, plan: a, endpoints: this.endpoints, webUrl: plan.urls?.app ?? this.endpoints.webserver.clusterUrl, networkPolicies,
    }));
    if (plan.ingress && plan.hosts) {
      new ServerIngress(this, 'Ingress', {
        ctx,
        hosts: plan.hosts,
        backends: { app: this.endpoints.webserver, api: this.endpoints.apiserver, files: this.endpoints.fileserver },
        className: plan.ingress.className,
        annotations: plan.ingress.annotations,
        tlsSecretName: plan.ingress.tlsSecretName,
      });
    }
    if (plan.backup) {
      const destination = plan.backup.storage && createDataVolume(this, 'BackupVolume', ctx, plan.backup.storage, { component: 'backup', name: 'backup', subPath: 'backup/clearml', owner: { uid: BACKUP_USER, gid: BACKUP_USER } });
      if (destination?.directory) directories.push(destination.directory);
      new BackupSchedule(this, 'Backup', {
        ctx,
        backup: plan.backup,
        mongo: mongo ? { endpoint: mongo.endpoint, replicaSet: this.backends.mongo.replicaSet } : undefined,
        elasticsearch: es && snapshots ? { endpoint: es.endpoint, repository: snapshots } : undefined,
        fileserverData: storage.fileserverData,
        destination,
      });
      if (networkPolicies) {
        new BackupNetworkPolicy(this, 'BackupNetworkPolicy', { ctx, mongoPort: mongo ? mongo.endpoint.port : undefined, elasticsearchPort: es ? es.endpoint.port : undefined, s3: plan.backup.s3 });
      }
    }
    if (networkPolicies) {
      new NetworkIsolation(this, 'NetworkPolicies', { ctx, rules: this.isolationRules(plan) });
    }
    if (plan.metrics) {
      new Metrics(this, 'Metrics', {
        ctx,
        options: plan.metrics,
        networkPolicies,
        stores: {
          elasticsearch: { backend: this.backends.elasticsearch, bundledNodes: es ? plan.elasticsearchReplicas : undefined },
          mongo: {
            backend: this.backends.mongo,
            members: this.backends.mongo.replicaSet?.members ?? (mongo ? [`${mongo.endpoint.name}:${mongo.endpoint.port}`] : undefined),
            replicaSet: this.backends.mongo.replicaSet !== undefined,
          },
          redis: { backend: this.backends.redis, bundled: redis !== undefined },
        },
      });
    }
    this.nodeDirectories = directories.map((d) => d.path);
    refuseClashes(this, { instance: ctx.instance, nodeLabel: ctx.nodeLabel, nodeDirectories: this.nodeDirectories });
    if (plan.hostPreparation) {
      new HostPreparation(this, 'HostPreparation', { ctx, directories, maxMapCount: plan.maxMapCount, pinned: ctx.pinAllPods || directories.length > 0, scheduling: props.elasticsearch?.scheduling });
    }
  }

  /** Logs, config and file storage shared by the server pods. */
  private serverStorage(ctx: ClearmlContext, props: ClearmlServerProps, plan: Plan): ServerStorage {
    const volume = (id: string, storage: ResolvedStorage, component: string, name: string, subPath: string) =>
      createDataVolume(this, id, ctx, storage, { component, name, subPath });
    const logs = volume('Logs', plan.serverStorage.logs, 'apiserver', 'logs', 'logs');
    const config = props.serverConfig
      ? configSourceVolume(props.serverConfig)
      : volume('Config', plan.serverStorage.config, 'apiserver', 'config', 'config');
    return {
      logs,
      config,
      fileserverData: volume('FileserverData', plan.serverStorage.fileserverData, 'fileserver', 'fileserver-data', 'data/fileserver'),
    };
  }

  /** Elasticsearch's snapshot repository: a volume of its own, or the bucket. */
  private snapshotRepository(ctx: ClearmlContext, backup: ResolvedBackup): SnapshotRepository {
    if (backup.s3) return { s3: backup.s3 };
    return { volume: createDataVolume(this, 'ElasticsearchSnapshots', ctx, backup.elasticsearchStorage!, { component: 'elasticsearch', name: 'elasticsearch-snapshots', subPath: 'backup/elasticsearch', owner: { uid: BACKUP_USER, gid: BACKUP_USER } }) };
  }

  /** Data stores accept only the components that use them; the servers accept anyone on their port. */
  private isolationRules(plan: Plan): IngressRule[] {
    const serverSide = ['apiserver', 'async-delete'];
    const exporter = (store: keyof typeof EXPORTER_COMPONENTS) => (plan.metrics ? [EXPORTER_COMPONENTS[store]] : []);
    const readers = plan.backup ? [...serverSide, ...BACKUP_COMPONENTS] : serverSide;
    const { apiserver, fileserver, webserver } = this.endpoints;
    return [
      { component: 'apiserver', ports: [{ port: apiserver.port, from: 'anyone' }] },
      { component: 'fileserver', ports: [{ port: fileserver.port, from: 'anyone' }] },
      { component: 'webserver', ports: [{ port: webserver.port, from: 'anyone' }] },
      ...(plan.bundled.elasticsearch ? [{ component: 'elasticsearch', ports: [
        { port: this.backends.elasticsearch.hosts[0].port, from: [...readers, ...exporter('elasticsearch')] },
        ...(plan.elasticsearchReplicas > 1 ? [{ port: 9300, from: ['elasticsearch'] }] : []),
      ] }] : []),
      ...(plan.bundled.mongo ? [{ component: 'mongo', ports: [
        { port: this.backends.mongo.port!, from: [...readers, ...exporter('mongo')] },
        ...(plan.mongoReplicas > 1 ? [{ port: this.backends.mongo.port!, from: ['mongo'] }] : []),
      ] }] : []),
      ...(plan.bundled.redis ? [{ component: 'redis', ports: [{ port: this.backends.redis.port, from: [...serverSide, 'fileserver', ...exporter('redis')] }] }] : []),
    ];
  }
}

/** `publicUrls.web`, the old name of `publicUrls.app`: readable, but not listed (keys, JSON) twice. */
function withDeprecatedWeb(urls: Omit<PublicUrls, 'web'>): PublicUrls {
  return Object.defineProperty({ ...urls }, 'web', { get: () => urls.app, enumerable: false }) as PublicUrls;
}

/** Everything decided from the props before any object is created: validation happens here, all at once. */
interface Plan {
  readonly ctx: ClearmlContext;
  readonly bundled: { readonly elasticsearch?: ResolvedStorage; readonly mongo?: ResolvedStorage; readonly redis?: ResolvedStorage };
  readonly elasticsearchReplicas: number;
  readonly mongoReplicas: number;
  readonly serverStorage: { readonly logs: ResolvedStorage; readonly config: ResolvedStorage; readonly fileserverData: ResolvedStorage };
  readonly services: { readonly apiserver: ServiceExposure; readonly webserver: ServiceExposure; readonly fileserver: ServiceExposure };
  readonly hosts?: PublicHosts;
  readonly urls?: PublicUrls;
  readonly ingress?: { readonly className?: string; readonly annotations: Record<string, string>; readonly tlsSecretName?: string };
  readonly webSettings: Record<string, unknown>;
  readonly auth: AuthSettings;
  readonly extraFileserverUrls: readonly string[];
  readonly maxMapCount: number;
  readonly hostPreparation: boolean;
  readonly agentServices: boolean;
  readonly metrics?: ResolvedMetrics;
  readonly agents: readonly AgentPlan[];
  readonly backup?: ResolvedBackup;
}

function planInstallation(props: ClearmlServerProps): Plan {
  const fallback = checkDefaultStorage(props.defaultStorage ?? {});
  const external = {
    elasticsearch: externalOnly('elasticsearch', props.elasticsearch),
    mongo: externalOnly('mongo', props.mongo),
    redis: externalOnly('redis', props.redis),
  };
  const bundled = {
    elasticsearch: external.elasticsearch ? undefined : resolveStorage('elasticsearch.storage', props.elasticsearch?.storage, fallback, '50Gi', DATA_STORAGE_TYPES),
    mongo: external.mongo ? undefined : resolveStorage('mongo.storage', props.mongo?.storage, fallback, '50Gi', DATA_STORAGE_TYPES),
    redis: external.redis ? undefined : resolveStorage('redis.storage', props.redis?.storage, fallback, '5Gi', DATA_STORAGE_TYPES),
  };
  const fileserverData = resolveStorage('fileserver.storage', props.fileserver?.storage, fallback, '100Gi', DATA_STORAGE_TYPES);
  const classic = [...Object.values(bundled), fileserverData].every((s) => s === undefined || s.type === 'node');
  const serverFallback: StorageOptions = { type: classic ? 'node' : 'ephemeral' };
  if (props.serverConfig && (props.serverConfig.configMap === undefined) === (props.serverConfig.secret === undefined)) {
    throw new ClearmlConfigError('serverConfig', 'set exactly one of configMap or secret');
  }
  if (props.serverConfig && props.serverStorage?.config) {
    throw new ClearmlConfigError('serverStorage.config', 'has no effect with serverConfig: the configuration comes from the ConfigMap or Secret');
  }
  const serverStorage = {
    logs: resolveStorage('serverStorage.logs', props.serverStorage?.logs, serverFallback, '5Gi', SERVER_STORAGE_TYPES),
    config: resolveStorage('serverStorage.config', props.serverStorage?.config, serverFallback, '100Mi', SERVER_STORAGE_TYPES),
    fileserverData,
  };
  const ctx = resolveContext(props, classic);
  for (const component of ['apiserver', 'webserver', 'fileserver', 'asyncDelete', 'elasticsearch', 'mongo', 'redis', 'agentServices'] as const) {
    checkScheduling(`${component}.scheduling`, props[component]?.scheduling);
  }
  const elasticsearchReplicas = checkElasticsearchReplicas(props.elasticsearch?.replicas ?? 1, bundled.elasticsearch);
  const mongoReplicas = checkMongoReplicas(props.mongo?.replicas ?? 1, bundled.mongo);
  checkServerReplicas(props, serverStorage, props.serverConfig !== undefined);

  const exposureType = checkOneOf('exposure.type', props.exposure?.type ?? 'NodePort', ['NodePort', 'Ingress', 'LoadBalancer']);
  const domain = props.domain === undefined ? undefined : checkDnsSubdomain('domain', props.domain);
  if (props.exposure?.ingress && exposureType !== 'Ingress') {
    throw new ClearmlConfigError('exposure.ingress', `only applies to exposure.type "Ingress", not "${exposureType}"`);
  }
  const hosts = resolveHosts('exposure.ingress.hosts', props.exposure?.ingress?.hosts, domain);
  if (exposureType === 'Ingress' && !hosts) {
    throw new ClearmlConfigError('exposure.ingress.hosts', 'an Ingress needs host names: set domain (for app./api./files.<domain>) or exposure.ingress.hosts');
  }
  const tls = props.exposure?.ingress?.tlsSecretName === undefined ? undefined : checkDnsSubdomain('exposure.ingress.tlsSecretName', props.exposure.ingress.tlsSecretName);
  const https = (props.https ?? false) || tls !== undefined;
  if (props.https && !hosts) {
    throw new ClearmlConfigError('https', 'requires domain (or Ingress hosts): secure cookies are scoped to it');
  }
  const scheme = https ? 'https' : 'http';
  const behindIngress = exposureType === 'Ingress';
  // Load balancers listen on the server ports, which the web app cannot guess from an app. origin.
  const publicPort = (port: number) => exposureType === 'LoadBalancer' && port !== (https ? 443 : 80) ? `:${port}` : '';
  const urls = hosts && withDeprecatedWeb({
    app: `${scheme}://${hosts.app}${publicPort(SERVER_PORTS.webserver)}`,
    api: `${scheme}://${hosts.api}${publicPort(SERVER_PORTS.apiserver)}`,
    files: `${scheme}://${hosts.files}${publicPort(SERVER_PORTS.fileserver)}`,
  });
  const guessable = hosts !== undefined && exposureType !== 'LoadBalancer' && followsAppConvention(hosts);
  const cookieName = props.cookieName ?? 'clearml_token_basic';
  if (!COOKIE_NAME.test(cookieName)) {
    throw new ClearmlConfigError('cookieName', `"${cookieName}" must be a cookie name (letters, digits and !#$%&'*+.^_\`|~-)`);
  }
  const auth: AuthSettings = {
    cookieName,
    secureCookies: https,
    // One login for the app., api. and files. hosts, when browsers reach them by name.
    cookieDomain: hosts && (https || behindIngress) ? commonParentDomain(hosts) : undefined,
    fixedUsers: props.fixedUsers && checkFixedUsers(props.fixedUsers),
  };
  const webSettings: Record<string, unknown> = {
    ...(urls && !guessable ? { apiBaseUrl: urls.api } : {}),
    // Files on another host are fetched through the web app's /files proxy, which carries the cookie.
    ...(urls && (behindIngress || !guessable) ? { fileBaseUrl: `${urls.files}/`, useFilesProxy: true } : {}),
  };
  const annotations = checkAnnotations('exposure.serviceAnnotations', props.exposure?.serviceAnnotations);
  const agentServices = props.agentServices?.enabled ?? false;
  const services = serviceExposures(props, exposureType, annotations);
  const serverNodePorts = new Map((['apiserver', 'webserver', 'fileserver'] as const).flatMap((c) => {
    const port = services[c].nodePort;
    return port === undefined ? [] : [[port, `${c}.nodePort`] as [number, string]];
  }));
  return {
    ctx,
    bundled,
    elasticsearchReplicas,
    mongoReplicas,
    serverStorage,
    services,
    hosts,
    urls,
    ingress: behindIngress ? {
      className: props.exposure?.ingress?.className === undefined ? undefined : checkDnsSubdomain('exposure.ingress.className', props.exposure.ingress.className),
      annotations: { ...INGRESS_DEFAULT_ANNOTATIONS, ...checkAnnotations('exposure.ingress.annotations', props.exposure?.ingress?.annotations) },
      tlsSecretName: tls,
    } : undefined,
    webSettings,
    auth,
    extraFileserverUrls: (props.extraFileserverUrls ?? []).map((u, i) => checkUrl(`extraFileserverUrls[${i}]`, u)),
    // Elasticsearch refuses to start below its own minimum; a lower value would only make its init step wait for it.
    maxMapCount: checkSysctlInt('hostPreparation.maxMapCount', props.hostPreparation?.maxMapCount ?? DEFAULT_MAX_MAP_COUNT, ELASTICSEARCH_MIN_MAP_COUNT),
    // Needed for Elasticsearch's sysctl and for any node directory.
    hostPreparation: props.hostPreparation?.enabled ?? (bundled.elasticsearch !== undefined || [...Object.values(bundled), ...Object.values(serverStorage)].some((st) => st?.type === 'node')),
    agentServices,
    metrics: resolveMetrics(props.metrics, external.mongo, mongoReplicas > 1),
    agents: planAgents(ctx, props.agents ?? [], serverNodePorts, agentServices),
    backup: props.backup && resolveBackup(props.backup, { namespace: ctx.namespace, instance: ctx.instance, defaultStorage: fallback, elasticsearchReplicas, bundledElasticsearch: bundled.elasticsearch !== undefined }),
  };
}

/** With `external` set, nothing else of a data store applies: say so instead of silently ignoring it. */
function externalOnly(option: string, o: (ComponentOptions & { readonly external?: unknown; readonly storage?: unknown; readonly replicas?: number }) | undefined): boolean {
  if (o?.external === undefined) return false;
  for (const key of ['storage', 'resources', 'scheduling', 'env', 'unsafeEnv', 'replicas'] as const) {
    if (o[key] !== undefined) {
      throw new ClearmlConfigError(`${option}.${key}`, `has no effect with ${option}.external: the bundled ${option} is not deployed`);
    }
  }
  return true;
}

function checkElasticsearchReplicas(replicas: number, storage: ResolvedStorage | undefined): number {
  checkInt('elasticsearch.replicas', replicas, 1, 15);
  if (replicas === 2) {
    throw new ClearmlConfigError('elasticsearch.replicas', '2 cannot elect a master after losing a node: use 1, or 3 and more');
  }
  if (replicas > 1 && storage && storage.type !== 'claim') {
    throw new ClearmlConfigError('elasticsearch.replicas', `${replicas} nodes need storage type "claim" (one claim per node), not "${storage.type}"`);
  }
  return replicas;
}

/** The installation-wide storage default: new claims or node storage, never one existing claim for every store. */
function checkDefaultStorage(d: DefaultStorageOptions & Pick<StorageOptions, 'claimName'>): StorageOptions {
  const type = checkOneOf('defaultStorage.type', d.type ?? 'node', ['node', 'claim']);
  if (d.size !== undefined) checkPositiveQuantity('defaultStorage.size', d.size);
  if (d.claimName !== undefined) {
    throw new ClearmlConfigError('defaultStorage.claimName', 'an existing claim belongs to one store: set it on that store\'s storage');
  }
  for (const field of ['storageClassName', 'accessModes'] as const) {
    if (d[field] !== undefined && type !== 'claim') {
      throw new ClearmlConfigError(`defaultStorage.${field}`, 'only applies to defaultStorage.type "claim"');
    }
  }
  return d;
}

/** Several replicas of a server need storage that several pods can mount: never node storage, else ReadWriteMany. */
function checkServerReplicas(props: ClearmlServerProps, s: Plan['serverStorage'], configFromSource: boolean): void {
  const mounts: Record<string, Array<[string, ResolvedStorage]>> = {
    apiserver: [['serverStorage.logs', s.logs], ...(configFromSource ? [] : [['serverStorage.config', s.config]] as Array<[string, ResolvedStorage]>)],
    fileserver: [['serverStorage.logs', s.logs], ['fileserver.storage', s.fileserverData], ...(configFromSource ? [] : [['serverStorage.config', s.config]] as Array<[string, ResolvedStorage]>)],
    webserver: [],
  };
  for (const component of ['apiserver', 'fileserver', 'webserver'] as const) {
    const replicas = checkInt(`${component}.replicas`, props[component]?.replicas ?? 1, 1, 50);
    if (replicas === 1) continue;
    for (const [option, storage] of mounts[component]) {
      if (storage.type === 'node') {
        throw new ClearmlConfigError(`${component}.replicas`, `${replicas} replicas cannot share node storage (${option}); use "claim" storage with ReadWriteMany, or "ephemeral" for logs`);
      }
      if ((storage.type === 'claim' || storage.type === 'existingClaim') && !storage.accessModes.includes('ReadWriteMany')) {
        throw new ClearmlConfigError(`${component}.replicas`, `${replicas} replicas need ReadWriteMany storage for ${option} (got ${storage.accessModes.join(', ')})`);
      }
    }
  }
}

function serviceExposures(props: ClearmlServerProps, type: 'NodePort' | 'Ingress' | 'LoadBalancer', annotations: Record<string, string>): Plan['services'] {
  const ports = { apiserver: 30008, webserver: 30080, fileserver: 30081 };
  const seen = new Map<number, string>();
  const exposures = Object.fromEntries((Object.keys(ports) as Array<keyof typeof ports>).map((component) => {
    const option = `${component}.nodePort`;
    const own = props[component]?.nodePort;
    if (own !== undefined && type !== 'NodePort') {
      throw new ClearmlConfigError(option, `only applies to exposure.type "NodePort", not "${type}"`);
    }
    const nodePort = checkNodePort(option, own ?? ports[component]);
    const other = seen.get(nodePort);
    if (other) {
      throw new ClearmlConfigError(option, `${nodePort} is already used by ${other}; each NodePort must be unique`);
    }
    seen.set(nodePort, option);
    const exposure: ServiceExposure = type === 'NodePort'
      ? { type, nodePort, annotations }
      : { type: type === 'Ingress' ? 'ClusterIP' : 'LoadBalancer', annotations };
    return [component, exposure];
  }));
  return exposures as unknown as Plan['services'];
}

function checkFixedUsers(f: FixedUsersOptions): FixedUsersOptions {
  checkDnsSubdomain('fixedUsers.secretName', f.secretName);
  if (f.secretKey !== undefined) checkSecretKey('fixedUsers.secretKey', f.secretKey);
  return f;
}

/** Validates the installation-wide options once and resolves their defaults. */
function resolveContext(props: ClearmlServerProps, classic: boolean): ClearmlContext {
  const instance = checkDnsLabel('name', props.name ?? 'clearml', 30);
  const namespace = checkOwnNamespace('namespace', props.namespace ?? 'clearml', 52);
  const privilegedNamespace = checkOwnNamespace('privilegedNamespace', props.privilegedNamespace ?? `${namespace}-privileged`);
  if (privilegedNamespace === namespace) {
    throw new ClearmlConfigError('privilegedNamespace', `must differ from namespace "${namespace}": the ClearML namespace enforces Pod Security baseline`);
  }
  const versions: VersionSet = { ...DEFAULT_VERSIONS, ...props.versions };
  const registry = props.imageRegistry === undefined ? undefined : checkRegistry(props.imageRegistry);
  const images = Object.fromEntries((Object.keys(IMAGE_REPOSITORIES) as ImageRole[]).map((role) => {
    const version = versions[role];
    if (typeof version !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(version) || version === 'latest') {
      throw new ClearmlConfigError(`versions.${role}`, `"${version}" must be a pinned version tag (e.g. "${DEFAULT_VERSIONS[role]}"), not "latest"`);
    }
    const repository = registry ? `${registry}/${repositoryPath(IMAGE_REPOSITORIES[role])}` : IMAGE_REPOSITORIES[role];
    return [role, checkPinnedImage(`images.${role}`, props.images?.[role] ?? `${repository}:${version}`)];
  })) as Record<ImageRole, string>;
  const nodeLabel = props.nodeLabel ?? DEFAULT_NODE_LABEL;
  checkLabel('nodeLabel', nodeLabel.key, nodeLabel.value);
  if (nodeLabel.value === '') {
    throw new ClearmlConfigError('nodeLabel.value', 'must not be empty: it selects the ClearML nodes');
  }
  return {
    instance,
    namespace,
    privilegedNamespace,
    versions,
    images,
    imagePullPolicy: checkOneOf('imagePullPolicy', props.imagePullPolicy ?? 'IfNotPresent', ['IfNotPresent', 'Always', 'Never']),
    nodeLabel,
    nodeStorageRoot: checkAbsolutePath('nodeStorageRoot', props.nodeStorageRoot ?? '/opt/clearml'),
    pinAllPods: props.pinToNodeLabel ?? classic,
    scheduling: checkScheduling('scheduling', props.scheduling),
    imagePullSecrets: (props.imagePullSecrets ?? []).map((s, i) => checkDnsSubdomain(`imagePullSecrets[${i}]`, s)),
  };
}

/** `registry.example.com[:5000][/path]`, no scheme, no trailing slash. */
function checkRegistry(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)*$/.test(value)) {
    throw new ClearmlConfigError('imageRegistry', `"${value}" must be a registry host with an optional port and path, e.g. "registry.example.com:5000/mirror" (no scheme, no trailing "/")`);
  }
  return value;
}

/** The repository path without its registry host; Docker Hub's official images live under `library/`. */
function repositoryPath(repository: string): string {
  const parts = repository.split('/');
  const hasHost = parts.length > 1 && /[.:]/.test(parts[0]);
  const path = hasHost ? parts.slice(1) : parts;
  return !hasHost && path.length === 1 ? `library/${path[0]}` : path.join('/');
}

function checkUrl(option: string, value: string): string {
  if (!/^https?:\/\/[^\s/"]+(\/[^\s"]*)?$/.test(value)) {
    throw new ClearmlConfigError(option, `"${value}" must be an http:// or https:// URL`);
  }
  return value;
}
