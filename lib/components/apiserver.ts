import { Construct } from 'constructs';
import { container, envVars } from '../core/container';
import { ClearmlContext } from '../core/context';
import { httpProbe, startupProbe } from '../core/probes';
import { resolveResources, resources, ResolvedResources, ResourceSpec } from '../core/resources';
import { createDeployment, createService, ServiceEndpoint } from '../core/workload';
import { ALL_CREDENTIAL_KEYS, credentialEnv } from '../security/credential-keys';
import { backendEnv, Backends, SERVER_PATHS, ServerEndpoints, ServerStorage, serverVolumes, urlPrefixesEnv } from './server-common';

/** Options of the API server. */
export interface ApiserverOptions {
  /** Requests and limits. @default 200m/512Mi requested, 1 CPU/1Gi limit */
  readonly resources?: ResourceSpec;
  /** NodePort of the API. @default 30008 */
  readonly nodePort?: number;
}

/** Props of `Apiserver`. */
export interface ApiserverProps extends ApiserverOptions {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Service handles of the ClearML servers. */
  readonly endpoints: ServerEndpoints;
  /** Data stores. */
  readonly backends: Backends;
  /** Shared node storage. */
  readonly storage: ServerStorage;
  /** Secret with the `secure.*` settings. */
  readonly credentialsSecret: string;
  /** Name of the auth cookie (must equal the fileserver's). */
  readonly cookieName: string;
  /** Fileserver URL prefixes for async deletion. */
  readonly fileserverUrlPrefixes: readonly string[];
}

export const APISERVER_DEFAULT_RESOURCES: ResolvedResources = resources('200m', '512Mi', '1', '1Gi');

/**
 * The ClearML API server. `Recreate`: a new version migrates the database on start, which must not race
 * an old server still writing.
 */
export class Apiserver extends Construct {
  /** The Service. */
  public readonly endpoint: ServiceEndpoint;

  constructor(scope: Construct, id: string, props: ApiserverProps) {
    super(scope, id);
    const { ctx } = props;
    this.endpoint = props.endpoints.apiserver;
    const shared = serverVolumes(props.storage, ['logs', 'config', 'fileserverData']);
    const ping = httpProbe('/debug.ping', 'http', { timeoutSeconds: 5 });
    createDeployment(this, ctx, {
      component: 'apiserver',
      version: ctx.versions.clearml,
      strategy: 'Recreate',
      containers: [container(ctx, {
        name: 'apiserver',
        image: ctx.images.clearml,
        args: ['apiserver'],
        env: [
          ...backendEnv(props.backends),
          ...envVars({
            CLEARML_SERVER_DEPLOYMENT_TYPE: 'k8s',
            CLEARML__apiserver__pre_populate__enabled: 'true',
            CLEARML__apiserver__pre_populate__zip_files: '/opt/clearml/db-pre-populate',
            // The examples' artifacts are copied where the fileserver serves them from.
            CLEARML__apiserver__pre_populate__artifacts_path: SERVER_PATHS.fileserverData,
            CLEARML__APISERVER__AUTH__SESSION_AUTH_COOKIE_NAME: props.cookieName,
            CLEARML__services__async_urls_delete__enabled: 'true',
          }),
          urlPrefixesEnv(props.fileserverUrlPrefixes),
          ...credentialEnv(props.credentialsSecret, ALL_CREDENTIAL_KEYS),
        ],
        ports: { http: this.endpoint.port },
        // First start and upgrades migrate the database: allow 10 minutes before liveness applies.
        probes: { startup: startupProbe(ping, 600), liveness: ping, readiness: ping },
        resources: resolveResources('apiserver.resources', APISERVER_DEFAULT_RESOURCES, props.resources),
        volumeMounts: shared.mounts,
      })],
      volumes: shared.volumes,
    });
    createService(this, ctx, 'apiserver', this.endpoint, [{ name: 'http', port: this.endpoint.port, targetPort: 'http', nodePort: props.nodePort ?? 30008 }], 'NodePort');
  }
}
