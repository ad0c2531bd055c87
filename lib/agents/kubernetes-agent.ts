import { Construct } from 'constructs';
import { stringify } from 'yaml';
import * as k8s from '../../imports/k8s';
import { ServerEndpoints } from '../components/server-common';
import { withExtraEnv } from '../core/component-options';
import { container, envVars, rootSecurityContext } from '../core/container';
import { ClearmlContext, identity, objectName } from '../core/context';
import { componentLabels, componentMetadata, selectorLabels } from '../core/labels';
import { createNamespace } from '../core/namespace';
import { processAliveProbe } from '../core/probes';
import { resolveResources, resources, ResolvedResources, toResourceRequirements } from '../core/resources';
import { mergeScheduling, schedulingFields } from '../core/scheduling';
import { createDeployment } from '../core/workload';
import { apiKeyEnv } from '../security/credential-keys';
import { AgentCredentials } from './agent-credentials';
import { AgentPlan } from './agent-options';

/** Props of `KubernetesAgent`. */
export interface KubernetesAgentProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** The agent's checked options. */
  readonly plan: AgentPlan;
  /** Service handles of the ClearML servers (in-cluster API and files). */
  readonly endpoints: ServerEndpoints;
  /** The web app address that tasks report in their links: the public one when known. */
  readonly webUrl: string;
  /** Create NetworkPolicies in the agent's namespace. */
  readonly networkPolicies: boolean;
}

export const GLUE_DEFAULT_RESOURCES: ResolvedResources = resources('50m', '256Mi', '500m', '512Mi');
export const TASK_DEFAULT_RESOURCES: ResolvedResources = resources('500m', '1Gi', '2', '4Gi');

/** Port `clearml-session` opens in a task pod (the glue's ports mode forwards NodePorts to it). */
export const SESSION_PORT = 10022;
/** Label the glue image's agent puts on the pod of session N (`pod-N`). */
export const SESSION_POD_LABEL = 'ai.allegro.agent.serial';

const CONFIG_DIR = '/etc/clearml-agent';
const GLUE_SCRIPT = '/root/k8s_glue_example.py';

/**
 * Starts the glue without the image's entrypoint, which traces (`bash -x`) the keys into the log and
 * writes them into the clearml.conf that the glue copies into every task pod's command line.
 */
const START_SCRIPT = `#!/bin/bash
set -euo pipefail
# The image's entrypoint (not used: it traces the keys into the log) adds kubectl's directory through
# ~/.bashrc; the glue shells out to kubectl for every task, so it must be found before the glue starts.
export PATH="\$PATH:\$HOME/bin"
command -v kubectl >/dev/null || { echo "kubectl is not in the image (PATH=\$PATH): the glue cannot start task pods" >&2; exit 1; }
if [ -n "\${AGENT_VERSION:-}" ]; then
  python3 -m pip install --quiet --no-cache-dir "clearml-agent==\${AGENT_VERSION}"
fi
exec python3 ${GLUE_SCRIPT} "$@"
`;

/**
 * Waits until the API server accepts the glue's keys (they are registered when the apiserver starts),
 * then creates the missing queues when asked to. Python 3.6 standard library, as in the glue image.
 */
const QUEUES_SCRIPT = String.raw`import base64, json, os, re, sys, time, urllib.error, urllib.request

API = os.environ["CLEARML_API_HOST"].rstrip("/")


def call(endpoint, body, auth):
    req = urllib.request.Request(API + "/" + endpoint, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": auth})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read().decode())["data"]


def login():
    basic = base64.b64encode(("%s:%s" % (os.environ["CLEARML_API_ACCESS_KEY"], os.environ["CLEARML_API_SECRET_KEY"])).encode()).decode()
    for attempt in range(120):
        try:
            return "Bearer " + call("auth.login", {}, "Basic " + basic)["token"]
        except (urllib.error.URLError, OSError, KeyError, ValueError) as e:
            print("waiting for the API server to accept the agent's keys (%s)" % e, flush=True)
            time.sleep(5)
    raise RuntimeError("the API server did not accept the agent's keys within 10 minutes")


def main():
    token = login()
    if os.environ.get("CREATE_QUEUES") != "true":
        return
    for name in json.loads(os.environ["QUEUES"]):
        found = call("queues.get_all", {"name": "^%s$" % re.escape(name), "only_fields": ["id"]}, token)["queues"]
        if found:
            print("queue %s exists" % name)
        else:
            call("queues.create", {"name": name}, token)
            print("created queue %s" % name)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        print("queue setup failed: %s" % e, file=sys.stderr)
        sys.exit(1)
`;

/**
 * One ClearML agent on Kubernetes: the agent's Kubernetes glue pulls tasks from its queues and starts
 * each as a pod in its own namespace. The glue gets a Role limited to pods in that namespace; task pods
 * get a ServiceAccount without token or rights, their own ClearML keys (never the glue's), and the
 * in-cluster API and file server addresses.
 */
export class KubernetesAgent extends Construct {
  /** Namespace of the glue and its task pods. */
  public readonly namespace: string;
  /** The agent's credentials (Secret names, ClearML users). */
  public readonly credentials: AgentCredentials;

  constructor(scope: Construct, id: string, props: KubernetesAgentProps) {
    super(scope, id);
    const { ctx, plan } = props;
    this.namespace = plan.namespace;
    const component = `agent-${plan.name}`;
    const taskComponent = `${component}-task`;
    const name = objectName(ctx, component);
    const meta = (n: string, c = component) => componentMetadata(identity(ctx, c), n, plan.namespace);

    if (!plan.sharesServerNamespace) createNamespace(this, 'Namespace', ctx, plan.namespace, plan.podSecurity, component);
    this.credentials = new AgentCredentials(this, 'Credentials', { ctx, agent: plan.name, namespace: plan.namespace });

    const taskSa = new k8s.KubeServiceAccount(this, 'TaskServiceAccount', { metadata: meta(`${name}-task`, taskComponent), automountServiceAccountToken: false });
    const urls = {
      CLEARML_API_HOST: props.endpoints.apiserver.clusterUrl,
      CLEARML_WEB_HOST: props.webUrl,
      CLEARML_FILES_HOST: props.endpoints.fileserver.clusterUrl,
    };
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: meta(name),
      data: {
        'start.sh': START_SCRIPT,
        'queues.py': QUEUES_SCRIPT,
        'template.yaml': stringify(taskPodTemplate(ctx, plan, taskComponent, taskSa.name, urls, this.credentials), { lineWidth: 0 }),
        // Replaces the glue's own clearml.conf in task pods: addresses only, keys come from the task Secret.
        'clearml.conf': clearmlConf(urls),
      },
    });
    new k8s.KubeConfigMap(this, 'TaskPin', {
      metadata: meta(`${name}-task-pin`, taskComponent),
      data: { 'constraints.txt': `clearml-agent==${plan.taskAgentVersion}\n` },
    });

    const role = new k8s.KubeRole(this, 'Role', {
      metadata: meta(name),
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: meta(name),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: plan.namespace }],
    });

    const glueEnv = [
      ...envVars(urls),
      ...apiKeyEnv(this.credentials.glue.secretName, this.credentials.glue.accessKey, this.credentials.glue.secretKey),
    ];
    const glueResources = resolveResources(`${plan.option}.resources`, GLUE_DEFAULT_RESOURCES, plan.options.resources);
    const mounts = [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }];
    createDeployment(this, ctx, {
      component,
      version: ctx.versions.k8sGlue,
      namespace: plan.namespace,
      // Two glues on the same queues would start the same task twice.
      strategy: 'Recreate',
      scheduling: plan.options.scheduling,
      mountServiceAccountToken: true,
      initContainers: [container(ctx, {
        name: 'queues',
        image: ctx.images.k8sGlue,
        command: ['python3', `${CONFIG_DIR}/queues.py`],
        env: [...glueEnv, ...envVars({ CREATE_QUEUES: String(plan.createQueues), QUEUES: JSON.stringify(plan.queues) })],
        resources: resources('10m', '32Mi', '100m', '128Mi'),
        volumeMounts: mounts,
        securityContext: rootSecurityContext([]),
      })],
      containers: [container(ctx, {
        name: 'glue',
        image: ctx.images.k8sGlue,
        command: ['bash', `${CONFIG_DIR}/start.sh`],
        args: glueArgs(plan),
        env: [
          ...glueEnv,
          ...envVars({
            CLEARML_WORKER_ID: name,
            CLEARML_DOCKER_IMAGE: plan.defaultImage,
            ...(plan.agentVersion ? { AGENT_VERSION: plan.agentVersion } : {}),
          }),
        ],
        probes: { liveness: processAliveProbe(), readiness: processAliveProbe() },
        resources: glueResources,
        volumeMounts: mounts,
        // The image runs as root (its files live in /root); it needs no capability.
        securityContext: rootSecurityContext([]),
      })],
      volumes: [{ name: 'config', configMap: { name } }],
    });

    if (plan.sessions) this.createSessionServices(ctx, plan, taskComponent, name);
    if (props.networkPolicies) this.createNetworkPolicies(ctx, plan, taskComponent);
  }

  /** Session N: a NodePort Service in front of the task pod the glue labels `pod-N`. */
  private createSessionServices(ctx: ClearmlContext, plan: AgentPlan, taskComponent: string, name: string): void {
    const { count, basePort } = plan.sessions!;
    for (let n = 1; n <= count; n++) {
      new k8s.KubeService(this, `Session${n}`, {
        metadata: componentMetadata(identity(ctx, taskComponent), `${name}-session-${n}`, plan.namespace),
        spec: {
          type: 'NodePort',
          selector: { ...selectorLabels(identity(ctx, taskComponent)), [SESSION_POD_LABEL]: `pod-${n}` },
          ports: [{ name: 'session', port: SESSION_PORT, targetPort: k8s.IntOrString.fromNumber(SESSION_PORT), protocol: 'TCP', nodePort: basePort + n - 1 }],
        },
      });
    }
  }

  /** Nothing connects to the glue; task pods accept only session connections, when sessions are on. */
  private createNetworkPolicies(ctx: ClearmlContext, plan: AgentPlan, taskComponent: string): void {
    const policy = (id: string, c: string, ingress: k8s.NetworkPolicyIngressRule[]) => new k8s.KubeNetworkPolicy(this, id, {
      metadata: componentMetadata(identity(ctx, c), objectName(ctx, c), plan.namespace),
      spec: { podSelector: { matchLabels: selectorLabels(identity(ctx, c)) }, policyTypes: ['Ingress'], ...(ingress.length ? { ingress } : {}) },
    });
    policy('GluePolicy', `agent-${plan.name}`, []);
    policy('TaskPolicy', taskComponent, plan.sessions ? [{ ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(SESSION_PORT) }] }] : []);
  }
}

/** Flags of the glue: queues, namespace, template, task-pod configuration, and pods or session ports. */
function glueArgs(plan: AgentPlan): string[] {
  const s = plan.sessions;
  return [
    '--queue', plan.queues.join(','),
    '--namespace', plan.namespace,
    '--template-yaml', `${CONFIG_DIR}/template.yaml`,
    '--pod-clearml-conf', `${CONFIG_DIR}/clearml.conf`,
    ...(s
      ? ['--ports-mode', '--num-of-services', String(s.count), '--base-pod-num', '1', '--base-port', String(s.basePort - 1),
        ...(s.externalAddress ? ['--gateway-address', s.externalAddress] : [])]
      : ['--max-pods', String(plan.maxPods)]),
  ];
}

/** The addresses, in the form the glue appends to a task pod's `~/clearml.conf`. */
function clearmlConf(urls: Record<string, string>): string {
  return [
    `api.api_server: "${urls.CLEARML_API_HOST}"`,
    `api.web_server: "${urls.CLEARML_WEB_HOST}"`,
    `api.files_server: "${urls.CLEARML_FILES_HOST}"`,
    '',
  ].join('\n');
}

/**
 * The pod template the glue fills in (name, image, command) for every task: the task's own
 * ServiceAccount without a token, the task keys, in-cluster addresses, and the pinned agent version.
 */
export function taskPodTemplate(ctx: ClearmlContext, plan: AgentPlan, component: string, serviceAccountName: string, urls: Record<string, string>, credentials: AgentCredentials): Record<string, unknown> {
  const t = plan.options.taskPods ?? {};
  const base = toResourceRequirements(resolveResources(`${plan.option}.taskPods.resources`, TASK_DEFAULT_RESOURCES, t.resources));
  const gpu = t.gpu ? { [t.gpu.resourceName]: k8s.Quantity.fromNumber(t.gpu.count ?? 1) } : {};
  const tasks = credentials.tasks;
  const env = withExtraEnv(`${plan.option}.taskPods.env`, [
    ...envVars(urls),
    ...apiKeyEnv(tasks.secretName, tasks.accessKey, tasks.secretKey),
    // The boot script installs clearml-agent with pip: the constraint pins its version.
    ...envVars({ PIP_CONSTRAINT: '/etc/clearml-agent-pin/constraints.txt' }),
  ], t.env, t.unsafeEnv);
  const spec: k8s.PodSpec = {
    serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    ...schedulingFields(mergeScheduling({}, t.scheduling), undefined),
    ...(ctx.imagePullSecrets.length ? { imagePullSecrets: ctx.imagePullSecrets.map((n) => ({ name: n })) } : {}),
    securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      // The glue sets name, image, command and args.
      name: 'task',
      env,
      ...(t.storageCredentialsSecret ? { envFrom: [{ secretRef: { name: t.storageCredentialsSecret } }] } : {}),
      resources: { requests: { ...base.requests, ...gpu }, limits: { ...base.limits, ...gpu } },
      securityContext: { allowPrivilegeEscalation: false },
      ...(plan.sessions ? { ports: [{ name: 'session', containerPort: SESSION_PORT, protocol: 'TCP' }] } : {}),
      volumeMounts: [{ name: 'agent-pin', mountPath: '/etc/clearml-agent-pin', readOnly: true }, ...(t.volumeMounts ?? [])],
    }],
    volumes: [
      { name: 'agent-pin', configMap: { name: `${objectName(ctx, `agent-${plan.name}`)}-task-pin` } },
      ...(t.volumes ?? []),
    ],
  };
  return { metadata: { namespace: plan.namespace, labels: componentLabels(identity(ctx, component)) }, spec: k8s.toJson_PodSpec(spec) };
}
