import { Construct } from 'constructs';
import { container, envVars, rootSecurityContext } from '../core/container';
import { ClearmlContext } from '../core/context';
import { processAliveProbe, pythonUrlProbe } from '../core/probes';
import { resolveResources, resources, ResolvedResources } from '../core/resources';
import { ComponentOptions, withExtraEnv } from '../core/component-options';
import { backendEnv, Backends, withRedisCa } from '../datastores/backends';
import { createDeployment } from '../core/workload';
import { CREDENTIALS, credentialEnv } from '../security/credential-keys';
import { PYTHON_SERVER_CAPABILITIES, SERVER_PATHS, ServerEndpoints, ServerStorage, serverVolumes, urlPrefixesEnv } from './server-common';

/** Options of the async-delete worker. */
export interface AsyncDeleteOptions extends ComponentOptions {}

/** Props of `AsyncDelete`. */
export interface AsyncDeleteProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** The user's options. */
  readonly options: AsyncDeleteOptions;
  /** Service handles of the ClearML servers. */
  readonly endpoints: ServerEndpoints;
  /** Data stores. */
  readonly backends: Backends;
  /** Shared storage. */
  readonly storage: ServerStorage;
  /** Secret with the `secure.*` settings. */
  readonly credentialsSecret: string;
  /** Fileserver URL prefixes for async deletion (the same list as the apiserver's). */
  readonly fileserverUrlPrefixes: readonly string[];
}

/** Log file of the async-delete worker, next to the apiserver's. */
export const ASYNC_DELETE_LOG_FILE = `${SERVER_PATHS.logs}/async_delete.log`;

export const ASYNC_DELETE_DEFAULT_RESOURCES: ResolvedResources = resources('50m', '128Mi', '200m', '512Mi');

/**
 * The worker that deletes the files of deleted tasks and models from the fileserver, as in the current
 * docker-compose. It has no Service: a Service selecting it would send API traffic to it (Helm #277).
 */
export class AsyncDelete extends Construct {
  constructor(scope: Construct, id: string, props: AsyncDeleteProps) {
    super(scope, id);
    const { ctx, endpoints } = props;
    const shared = withRedisCa(serverVolumes(props.storage, ['logs', 'config']), props.backends.redis);
    createDeployment(this, ctx, {
      component: 'async-delete',
      version: ctx.versions.clearml,
      // One worker at a time: two would race on the same deletion queue.
      strategy: 'Recreate',
      scheduling: props.options.scheduling,
      usesNodeStorage: shared.usesNodeStorage,
      containers: [container(ctx, {
        name: 'async-delete',
        image: ctx.images.clearml,
        command: ['python3', '-m', 'jobs.async_urls_delete', '--fileserver-host', endpoints.fileserver.url],
        env: withExtraEnv('asyncDelete.env', [
          ...backendEnv(props.backends),
          ...envVars({
            PYTHONPATH: '/opt/clearml/apiserver',
            // Its own log file: the apiserver rotates apiserver.log in the same shared directory.
            CLEARML__logging__handlers__text_file__filename: ASYNC_DELETE_LOG_FILE,
          }),
          urlPrefixesEnv(props.fileserverUrlPrefixes),
          ...credentialEnv(props.credentialsSecret, [CREDENTIALS.tokenSecret]),
        ], props.options.env, props.options.unsafeEnv),
        probes: { liveness: processAliveProbe(), readiness: pythonUrlProbe(`${endpoints.fileserver.url}/`) },
        resources: resolveResources('asyncDelete.resources', ASYNC_DELETE_DEFAULT_RESOURCES, props.options.resources),
        volumeMounts: shared.mounts,
        securityContext: rootSecurityContext(PYTHON_SERVER_CAPABILITIES),
      })],
      volumes: shared.volumes,
    });
  }
}
