import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ComponentOptions } from '../core/component-options';
import { envVars } from '../core/container';
import { ClearmlContext, identity, objectName } from '../core/context';
import { componentMetadata } from '../core/labels';
import { resolveResources, resources, ResolvedResources } from '../core/resources';
import { quantityToUnits } from '../util/quantity';
import { ServiceEndpoint, ServiceExposure } from '../core/workload';
import { createServer, ServerEndpoints } from './server-common';

/** Options of the web server. */
export interface WebserverOptions extends ComponentOptions {
  /** NodePort of the web app. @default 30080 @onlyWith exposure.type NodePort */
  readonly nodePort?: number;
  /** Replicas. @default 1 */
  readonly replicas?: number;
  /** The web app's `configuration.json` (merged with the `WEBSERVER__*` settings the library sets). @default - none */
  readonly configuration?: Record<string, unknown>;
  /**
   * nginx also listens on `[::]:80`. Set false on nodes whose kernel has IPv6 disabled, where nginx
   * otherwise fails to start ("Address family not supported by protocol"); sets `DISABLE_NGINX_IPV6`.
   * @default true
   */
  readonly ipv6?: boolean;
}

/** Props of `Webserver`. */
export interface WebserverProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** The user's options. */
  readonly options: WebserverOptions;
  /** Service handles of the ClearML servers. */
  readonly endpoints: ServerEndpoints;
  /** How its Service is exposed. */
  readonly service: ServiceExposure;
  /** Web app settings, as `WEBSERVER__<key>` (values JSON), e.g. where the API is when the host names do not follow `app.`/`api.`/`files.`. */
  readonly webSettings: Record<string, unknown>;
}

export const WEBSERVER_DEFAULT_RESOURCES: ResolvedResources = resources('50m', '64Mi', '200m', '256Mi');

const EXTERNAL_CONFIG_DIR = '/mnt/external_files/configs';

/**
 * nginx's `worker_processes auto` starts one worker per CPU of the node, not of the container, which on a
 * large node outgrows the memory limit. The line is in Debian's /etc/nginx/nginx.conf (current images,
 * whose template is only the `server` block) or in the template the entrypoint renders into nginx.conf
 * (older images): both are bounded to NGINX_WORKER_PROCESSES before the image's entrypoint runs.
 */
const NGINX_CONFIGS = ['/etc/nginx/nginx.conf', '/etc/nginx/clearml.conf.template'];
const BOUNDED_WORKERS_SCRIPT = `bounded=
for f in ${NGINX_CONFIGS.join(' ')}; do
  [ -f "$f" ] || continue
  sed -i "s/^worker_processes auto;/worker_processes $NGINX_WORKER_PROCESSES;/" "$f"
  if grep -q "^worker_processes $NGINX_WORKER_PROCESSES;" "$f"; then bounded=yes; fi
done
[ -n "$bounded" ] || echo "warning: no worker_processes line in ${NGINX_CONFIGS.join(' or ')}: nginx workers are not bounded" >&2
exec /opt/clearml/entrypoint.sh "$@"`;

/** nginx workers: one per CPU of the container's limit (rounded up), at least one. */
export function nginxWorkers(cpuLimit: string): number {
  return Math.max(1, Number(quantityToUnits(cpuLimit)));
}

/** The ClearML web app: nginx serving the UI and proxying `/api` and `/files` to the other servers. */
export class Webserver extends Construct {
  /** The Service. */
  public readonly endpoint: ServiceEndpoint;

  constructor(scope: Construct, id: string, props: WebserverProps) {
    super(scope, id);
    const { ctx, endpoints, options } = props;
    this.endpoint = endpoints.webserver;
    const configMap = options.configuration ? objectName(ctx, 'webserver-config') : undefined;
    if (configMap) {
      new k8s.KubeConfigMap(this, 'Configuration', {
        metadata: componentMetadata(identity(ctx, 'webserver'), configMap, ctx.namespace),
        data: { 'configuration.json': `${JSON.stringify(options.configuration, null, 2)}\n` },
      });
    }
    const limits = resolveResources('webserver.resources', WEBSERVER_DEFAULT_RESOURCES, options.resources).limits;
    createServer(this, ctx, {
      component: 'webserver',
      command: ['sh', '-c', BOUNDED_WORKERS_SCRIPT, 'webserver-entrypoint'],
      options,
      endpoint: this.endpoint,
      service: props.service,
      strategy: 'RollingUpdate',
      env: envVars({
        NGINX_APISERVER_ADDRESS: endpoints.apiserver.url,
        NGINX_FILESERVER_ADDRESS: endpoints.fileserver.url,
        NGINX_WORKER_PROCESSES: String(nginxWorkers(limits.cpu)),
        ...(options.ipv6 === false ? { DISABLE_NGINX_IPV6: 'true' } : {}),
        // The entrypoint parses each WEBSERVER__ value as JSON into configuration.json.
        ...Object.fromEntries(Object.entries(props.webSettings).map(([k, v]) => [`WEBSERVER__${k}`, JSON.stringify(v)])),
      }),
      healthPath: '/',
      startupSeconds: 300,
      defaultResources: WEBSERVER_DEFAULT_RESOURCES,
      volumes: configMap
        ? { volumes: [{ name: 'configuration', configMap: { name: configMap } }], mounts: [{ name: 'configuration', mountPath: EXTERNAL_CONFIG_DIR, readOnly: true }], usesNodeStorage: false }
        : undefined,
      // nginx: the root master binds :80, switches its workers to www-data, chowns their temp dirs and signals them.
      capabilities: ['NET_BIND_SERVICE', 'SETUID', 'SETGID', 'CHOWN', 'KILL'],
    });
  }
}
