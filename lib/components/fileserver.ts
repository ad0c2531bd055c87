import { Construct } from 'constructs';
import { container, envVars } from '../core/container';
import { ClearmlContext } from '../core/context';
import { httpProbe, startupProbe } from '../core/probes';
import { resolveResources, resources, ResolvedResources, ResourceSpec } from '../core/resources';
import { createDeployment, createService, ServiceEndpoint } from '../core/workload';
import { CREDENTIALS, credentialEnv } from '../security/credential-keys';
import { redisEnv, ServerEndpoints, ServerStorage, serverVolumes } from './server-common';

/** Options of the file server. */
export interface FileserverOptions {
  /** Requests and limits. @default 100m/128Mi requested, 300m/512Mi limit */
  readonly resources?: ResourceSpec;
  /** NodePort of the file server. @default 30081 */
  readonly nodePort?: number;
  /** Capacity recorded on the file storage volume. @default '100Gi' */
  readonly storageSize?: string;
}

/** Props of `Fileserver`. */
export interface FileserverProps extends FileserverOptions {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Service handles of the ClearML servers. */
  readonly endpoints: ServerEndpoints;
  /** Redis, the token cache. */
  readonly redis: ServiceEndpoint;
  /** Shared node storage. */
  readonly storage: ServerStorage;
  /** Secret with the `secure.*` settings. */
  readonly credentialsSecret: string;
  /** Name of the auth cookie (must equal the apiserver's). */
  readonly cookieName: string;
}

export const FILESERVER_DEFAULT_RESOURCES: ResolvedResources = resources('100m', '128Mi', '300m', '512Mi');

/**
 * The ClearML file server. It validates tokens with the apiserver using the fileserver credentials,
 * which therefore come from the same Secret on both sides, and accepts the apiserver's cookie name.
 */
export class Fileserver extends Construct {
  /** The Service. */
  public readonly endpoint: ServiceEndpoint;

  constructor(scope: Construct, id: string, props: FileserverProps) {
    super(scope, id);
    const { ctx } = props;
    this.endpoint = props.endpoints.fileserver;
    const shared = serverVolumes(props.storage, ['logs', 'config', 'fileserverData']);
    const ok = httpProbe('/', 'http', { timeoutSeconds: 5 });
    createDeployment(this, ctx, {
      component: 'fileserver',
      version: ctx.versions.clearml,
      strategy: 'RollingUpdate',
      containers: [container(ctx, {
        name: 'fileserver',
        image: ctx.images.clearml,
        args: ['fileserver'],
        env: [
          ...envVars({
            CLEARML__HOSTS__API_SERVER: props.endpoints.apiserver.url,
            CLEARML__FILESERVER__AUTH__COOKIE_NAMES: JSON.stringify([props.cookieName]),
            CLEARML__fileserver__delete__allow_batch: 'true',
          }),
          ...redisEnv(props.redis),
          ...credentialEnv(props.credentialsSecret, CREDENTIALS.fileserver),
        ],
        ports: { http: this.endpoint.port },
        probes: { startup: startupProbe(ok, 300, 5), liveness: ok, readiness: ok },
        resources: resolveResources('fileserver.resources', FILESERVER_DEFAULT_RESOURCES, props.resources),
        volumeMounts: shared.mounts,
      })],
      volumes: shared.volumes,
    });
    createService(this, ctx, 'fileserver', this.endpoint, [{ name: 'http', port: this.endpoint.port, targetPort: 'http', nodePort: props.nodePort ?? 30081 }], 'NodePort');
  }
}
