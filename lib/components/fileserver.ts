import { Construct } from 'constructs';
import { envVars } from '../core/container';
import { ClearmlContext } from '../core/context';
import { resolveResources, resources, ResolvedResources, ResourceSpec } from '../core/resources';
import { ServiceEndpoint } from '../core/workload';
import { CREDENTIALS, credentialEnv } from '../security/credential-keys';
import { createServer, PYTHON_SERVER_CAPABILITIES, redisEnv, ServerEndpoints, ServerStorage } from './server-common';

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
    createServer(this, ctx, {
      component: 'fileserver',
      endpoint: this.endpoint,
      strategy: 'RollingUpdate',
      env: [
        ...envVars({
          CLEARML__HOSTS__API_SERVER: props.endpoints.apiserver.url,
          CLEARML__FILESERVER__AUTH__COOKIE_NAMES: JSON.stringify([props.cookieName]),
          CLEARML__fileserver__delete__allow_batch: 'true',
        }),
        ...redisEnv(props.redis),
        ...credentialEnv(props.credentialsSecret, CREDENTIALS.fileserver),
      ],
      healthPath: '/',
      startupSeconds: 300,
      resources: resolveResources('fileserver.resources', FILESERVER_DEFAULT_RESOURCES, props.resources),
      shared: { storage: props.storage, mounts: ['logs', 'config', 'fileserverData'] },
      nodePort: props.nodePort ?? 30081,
      capabilities: PYTHON_SERVER_CAPABILITIES,
    });
  }
}
