import { Construct } from 'constructs';
import { container, envVars } from '../core/container';
import { ClearmlContext } from '../core/context';
import { checkPinnedImage, ClearmlConfigError } from '../core/errors';
import { processAliveProbe, pythonUrlProbe } from '../core/probes';
import { resolveResources, resources, ResolvedResources } from '../core/resources';
import { ComponentOptions, withExtraEnv } from '../core/component-options';
import { createDeployment } from '../core/workload';
import { apiKeyEnv, CREDENTIALS } from '../security/credential-keys';
import { ServerEndpoints } from './server-common';

/** Options of the optional services agent. */
export interface AgentServicesOptions extends ComponentOptions {
  /**
   * Run the services agent (the `services` queue: pipelines controllers, cleanup and monitoring
   * services). It needs the Docker socket of the node, which containerd-only nodes do not have, and runs
   * privileged, so it is placed in the privileged namespace.
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * The agent-services image, pinned to a tag or digest. Required when enabled: the project publishes
   * no version tags we could verify, and `latest` is never used.
   * @default - none (an error when enabled)
   */
  readonly image?: string;
  /** Docker image for service tasks that name none. @default 'ubuntu:22.04' */
  readonly defaultBaseDocker?: string;
}

/** Props of `AgentServices`. */
export interface AgentServicesProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** The user's options. */
  readonly options: AgentServicesOptions;
  /** Service handles of the ClearML servers. */
  readonly endpoints: ServerEndpoints;
  /** Secret (mirrored into the privileged namespace) with the services-agent keys. */
  readonly credentialsSecret: string;
}

export const AGENT_SERVICES_DEFAULT_RESOURCES: ResolvedResources = resources('100m', '256Mi', '1', '1Gi');

/** The ClearML services agent, as in the docker-compose: it starts service tasks as Docker containers on the node. */
export class AgentServices extends Construct {
  constructor(scope: Construct, id: string, props: AgentServicesProps) {
    super(scope, id);
    const { ctx, endpoints, options } = props;
    if (options.image === undefined) {
      throw new ClearmlConfigError('agentServices.image', 'is required when agentServices.enabled is true: name a pinned image such as "clearml/clearml-agent-services:<version>"');
    }
    const image = checkPinnedImage('agentServices.image', options.image);
    const agentDir = `${ctx.nodeStorageRoot}/agent`;
    const [agentKey, agentSecret] = CREDENTIALS.servicesAgent;
    createDeployment(this, ctx, {
      component: 'agent-services',
      version: image.slice(image.lastIndexOf(':') + 1),
      namespace: ctx.privilegedNamespace,
      strategy: 'Recreate',
      scheduling: options.scheduling,
      // Its agent directory is on the node that runs the Docker daemon it drives.
      usesNodeStorage: true,
      containers: [container(ctx, {
        name: 'agent-services',
        image,
        env: withExtraEnv('agentServices.env', [
          ...envVars({
            CLEARML_API_HOST: endpoints.apiserver.clusterUrl,
            CLEARML_WEB_HOST: endpoints.webserver.clusterUrl,
            CLEARML_FILES_HOST: endpoints.fileserver.clusterUrl,
            CLEARML_WORKER_ID: 'clearml-services',
            CLEARML_AGENT_DEFAULT_BASE_DOCKER: options.defaultBaseDocker ?? 'ubuntu:22.04',
            // Paths as the Docker daemon on the node sees them.
            CLEARML_AGENT_DOCKER_HOST_MOUNT: `${agentDir}:/root/.clearml`,
            SHUTDOWN_IF_NO_ACCESS_KEY: '1',
          }),
          ...apiKeyEnv(props.credentialsSecret, agentKey.secretKey, agentSecret.secretKey),
        ], options.env, options.unsafeEnv),
        probes: { liveness: processAliveProbe(), readiness: pythonUrlProbe(`${endpoints.apiserver.clusterUrl}/debug.ping`) },
        resources: resolveResources('agentServices.resources', AGENT_SERVICES_DEFAULT_RESOURCES, options.resources),
        volumeMounts: [
          { name: 'docker-socket', mountPath: '/var/run/docker.sock' },
          { name: 'agent-data', mountPath: '/root/.clearml' },
        ],
        // Starting sibling containers through the node's Docker daemon is root on the node anyway.
        securityContext: { privileged: true, allowPrivilegeEscalation: true },
      })],
      volumes: [
        { name: 'docker-socket', hostPath: { path: '/var/run/docker.sock', type: 'Socket' } },
        { name: 'agent-data', hostPath: { path: agentDir, type: 'DirectoryOrCreate' } },
      ],
    });
  }
}
