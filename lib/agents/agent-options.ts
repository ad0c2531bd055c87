import * as k8s from '../../imports/k8s';
import { ClearmlContext } from '../core/context';
import { checkDnsLabel, checkDnsSubdomain, checkInt, checkNodePort, checkOneOf, checkOwnNamespace, checkPinnedImage, ClearmlConfigError } from '../core/errors';
import { ResourceSpec } from '../core/resources';
import { checkScheduling, SchedulingOptions } from '../core/scheduling';

/** Pod Security Admission levels of a task namespace (`restricted` refuses the glue and the task boot script, which run as root). */
export type PodSecurityLevel = 'baseline' | 'privileged';

/** GPUs of every task pod. */
export interface GpuOptions {
  /** GPUs per task pod. @default 1 */
  readonly count?: number;
  /** Extended resource name of the device plugin, e.g. `nvidia.com/gpu` or `amd.com/gpu`. */
  readonly resourceName: string;
}

/** Interactive sessions (`clearml-session`): NodePort Services in front of task pods. */
export interface AgentSessionsOptions {
  /** Expose task pods for sessions (the glue's ports mode; replaces `maxPods` by `count`). @default false */
  readonly enabled?: boolean;
  /** Sessions at a time: one NodePort Service each. @default 10 */
  readonly count?: number;
  /** First NodePort; session N uses `basePort + N - 1`. @default 30100 */
  readonly basePort?: number;
  /** Address users reach the NodePorts at (a node or load balancer), reported to `clearml-session`. @default - none: the session reports the node address it sees */
  readonly externalAddress?: string;
}

/** The pod every task of an agent runs in. */
export interface TaskPodOptions {
  /** Image of tasks that name none. @default 'python:3.12-slim-bookworm' */
  readonly defaultImage?: string;
  /** clearml-agent version the pod installs to run the task (a pip constraint). @default '3.0.3' */
  readonly agentVersion?: string;
  /** Requests and limits of the task container. @default { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } } */
  readonly resources?: ResourceSpec;
  /** GPUs per task pod. @default - none */
  readonly gpu?: GpuOptions;
  /** Where task pods run (node selector, affinity, tolerations, priority class); the global scheduling does not apply. @default {} */
  readonly scheduling?: SchedulingOptions;
  /** Extra environment variables of the task container; names the library sets, and ClearML's wiring, are refused. @default {} */
  readonly env?: Record<string, string>;
  /**
   * Escape hatch: task environment variables set as given even when they override the library's wiring
   * (replacing its value). Nothing checks that tasks still reach the server. @default {}
   */
  readonly unsafeEnv?: Record<string, string>;
  /** Name of a Secret in the agent's namespace whose keys (e.g. `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`) become task environment variables: storage credentials for the SDK. @default - none */
  readonly storageCredentialsSecret?: string;
  /** Extra volumes of task pods. @default [] */
  readonly volumes?: k8s.Volume[];
  /** Where the task container mounts them. @default [] */
  readonly volumeMounts?: k8s.VolumeMount[];
}

/** One ClearML agent on Kubernetes: the agent's Kubernetes glue, which starts every task of its queues as a pod. */
export interface KubernetesAgentOptions {
  /** Agent name (a DNS label without `--`): names its objects `<name>-agent-<agent>` and its ClearML users `agent_<agent>` and `agent_<agent>_tasks`. */
  readonly name: string;
  /** The queue it serves, as a list of one (the pinned glue image takes a single queue; define one agent per queue); a queue belongs to one agent. */
  readonly queues: string[];
  /** Create missing queues when the agent starts; else create them in the web app (Orchestration, Queues) before. @default true */
  readonly createQueues?: boolean;
  /** Namespace of the glue and its task pods, created by the library. @default '<namespace>-agent-<agent>' */
  readonly namespace?: string;
  /** Pod Security level enforced in that namespace: `privileged` only for tasks that need host access. @default 'baseline' */
  readonly podSecurity?: PodSecurityLevel;
  /** Task pods at a time (without sessions). @default 4 */
  readonly maxPods?: number;
  /** clearml-agent version the glue installs at start (e.g. "2.0.4"; the image runs Python 3.6). @default - none: the image's agent, no update at start */
  readonly agentVersion?: string;
  /** Requests and limits of the glue. @default { requests: { cpu: '50m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } */
  readonly resources?: ResourceSpec;
  /** Scheduling of the glue pod, on top of the global `scheduling`. @default - the global scheduling */
  readonly scheduling?: SchedulingOptions;
  /** The pods tasks run in. @default - see TaskPodOptions */
  readonly taskPods?: TaskPodOptions;
  /** Interactive sessions. @default - disabled */
  readonly sessions?: AgentSessionsOptions;
}

/** An agent's options, checked, with every default resolved. */
export interface AgentPlan {
  /** Its path in the configuration (`agents[<i>]`), for error messages. */
  readonly option: string;
  /** Agent name. */
  readonly name: string;
  /** Queues it serves. */
  readonly queues: readonly string[];
  /** Create missing queues at start. */
  readonly createQueues: boolean;
  /** Namespace of the glue and its task pods. */
  readonly namespace: string;
  /** The namespace is the server's: the library neither creates nor labels it. */
  readonly sharesServerNamespace: boolean;
  /** Pod Security level of its namespace. */
  readonly podSecurity: PodSecurityLevel;
  /** Task pods at a time (without sessions). */
  readonly maxPods: number;
  /** clearml-agent release the glue installs at start. @default - none: the image's agent */
  readonly agentVersion?: string;
  /** clearml-agent release task pods install. */
  readonly taskAgentVersion: string;
  /** Image of tasks that name none. */
  readonly defaultImage: string;
  /** Session NodePorts, when sessions are on. @default - no sessions */
  readonly sessions?: { readonly count: number; readonly basePort: number; readonly externalAddress?: string };
  /** The options as given. */
  readonly options: KubernetesAgentOptions;
}

/** The NodePorts the server already uses, with the option that sets each. */
export type UsedNodePorts = ReadonlyMap<number, string>;

/** Where the glue parks tasks while their pods are pending (fixed in the glue image). */
export const PENDING_QUEUE = 'k8s_scheduler';

const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const PIP_VERSION = /^[0-9]+(\.[0-9]+){1,3}([a-z]+[0-9]*)?$/;
const RESOURCE_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Checks every agent against the installation and the other agents: unique names, queues, namespaces
 * and NodePorts; no task namespace that weakens the server's Pod Security; GPUs with a resource name.
 */
export function planAgents(ctx: ClearmlContext, agents: readonly KubernetesAgentOptions[], usedNodePorts: UsedNodePorts, agentServicesEnabled: boolean): AgentPlan[] {
  const names = new Map<string, string>();
  const queues = new Map<string, string>();
  const namespaces = new Map<string, string>();
  const ports = new Map(usedNodePorts);
  if (agentServicesEnabled) queues.set('services', 'agentServices');
  return agents.map((a, i) => {
    const option = `agents[${i}]`;
    const name = checkAgentName(`${option}.name`, a.name);
    claim(names, name, `${option}.name`, 'agent name');
    const longest = `${ctx.instance}-agent-${name}-session-100`;
    if (longest.length > 63) {
      throw new ClearmlConfigError(`${option}.name`, `"${name}" is too long for installation "${ctx.instance}": object names such as ${longest} must fit 63 characters`);
    }

    if (!Array.isArray(a.queues) || a.queues.length !== 1) {
      throw new ClearmlConfigError(`${option}.queues`, `name exactly one queue (got ${Array.isArray(a.queues) ? a.queues.length : typeof a.queues}): the pinned glue image serves a single queue, so define one agent per queue`);
    }
    a.queues.forEach((q, j) => {
      if (!QUEUE_NAME.test(q)) {
        throw new ClearmlConfigError(`${option}.queues[${j}]`, `"${q}" must be a queue name: letters, digits, "_", "-" and ".", starting with a letter or digit`);
      }
      claim(queues, q, `${option}.queues[${j}]`, 'queue (one agent per queue: the glue of each would take the other\'s tasks)');
    });
    const pending = a.queues.indexOf(PENDING_QUEUE);
    if (pending >= 0) {
      throw new ClearmlConfigError(`${option}.queues[${pending}]`, `"${PENDING_QUEUE}" is the queue where every glue parks tasks whose pods are pending: serve another queue`);
    }

    const namespace = checkOwnNamespace(`${option}.namespace`, a.namespace ?? `${ctx.namespace}-agent-${name}`);
    if ((a.podSecurity as string) === 'restricted') {
      throw new ClearmlConfigError(`${option}.podSecurity`, '"restricted" would refuse the glue and the task pods: both images run as root (apt-get, pip). Use "baseline"');
    }
    const podSecurity = checkOneOf(`${option}.podSecurity`, a.podSecurity ?? 'baseline', ['baseline', 'privileged']);
    if (namespace === ctx.privilegedNamespace) {
      throw new ClearmlConfigError(`${option}.namespace`, `"${namespace}" is the privileged namespace: task pods never run there`);
    }
    const sharesServerNamespace = namespace === ctx.namespace;
    if (sharesServerNamespace && podSecurity !== 'baseline') {
      throw new ClearmlConfigError(`${option}.namespace`, `"${namespace}" is the server's namespace, which enforces Pod Security "baseline"; podSecurity "${podSecurity}" would change it for the servers too: use a namespace of its own`);
    }
    claim(namespaces, namespace, `${option}.namespace`, 'namespace (each agent owns its namespace, Role and policies)');

    const maxPods = checkInt(`${option}.maxPods`, a.maxPods ?? 4, 1, 1000);
    const sessions = planSessions(`${option}.sessions`, a, ports);
    if (sessions && a.maxPods !== undefined) {
      throw new ClearmlConfigError(`${option}.maxPods`, 'does not apply with sessions: sessions.count limits the task pods');
    }
    const agentVersion = a.agentVersion === undefined ? undefined : checkPipVersion(`${option}.agentVersion`, a.agentVersion);
    const task = a.taskPods ?? {};
    const taskAgentVersion = checkPipVersion(`${option}.taskPods.agentVersion`, task.agentVersion ?? '3.0.3');
    const defaultImage = checkPinnedImage(`${option}.taskPods.defaultImage`, task.defaultImage ?? 'python:3.12-slim-bookworm');
    checkTaskPods(`${option}.taskPods`, task);
    checkScheduling(`${option}.scheduling`, a.scheduling);
    return {
      option, name, queues: [...a.queues], createQueues: a.createQueues ?? true, namespace, sharesServerNamespace, podSecurity,
      maxPods, agentVersion, taskAgentVersion, defaultImage, sessions, options: a,
    };
  });
}

/** `-` becomes `_` in the ClearML user name, and `__` separates configuration keys: so no `--`. */
function checkAgentName(option: string, value: string): string {
  checkDnsLabel(option, value, 20);
  if (value.includes('--') || !/^[a-z]/.test(value)) {
    throw new ClearmlConfigError(option, `"${value}" must start with a letter and not contain "--" (it becomes the ClearML user agent_${value.replace(/-/g, '_')})`);
  }
  return value;
}

function claim(seen: Map<string, string>, value: string, option: string, what: string): void {
  const other = seen.get(value);
  if (other !== undefined) {
    throw new ClearmlConfigError(option, `"${value}" is already used by ${other}: each ${what} must be unique`);
  }
  seen.set(value, option);
}

function checkPipVersion(option: string, value: string): string {
  if (!PIP_VERSION.test(value)) {
    throw new ClearmlConfigError(option, `"${value}" must be an exact release such as "3.0.3" (no ranges, no "latest")`);
  }
  return value;
}

function planSessions(option: string, a: KubernetesAgentOptions, ports: Map<number, string>): AgentPlan['sessions'] {
  const s = a.sessions;
  if (!s?.enabled) {
    if (s && (s.count !== undefined || s.basePort !== undefined || s.externalAddress !== undefined)) {
      throw new ClearmlConfigError(`${option}.enabled`, 'is false: set it to true for the other sessions options to apply');
    }
    return undefined;
  }
  const count = checkInt(`${option}.count`, s.count ?? 10, 1, 100);
  const basePort = checkNodePort(`${option}.basePort`, s.basePort ?? 30100);
  checkNodePort(`${option}.basePort`, basePort + count - 1);
  for (let p = basePort; p < basePort + count; p++) {
    const other = ports.get(p);
    if (other !== undefined) {
      throw new ClearmlConfigError(`${option}.basePort`, `NodePorts ${basePort}-${basePort + count - 1} overlap ${p} of ${other}: move basePort`);
    }
  }
  for (let p = basePort; p < basePort + count; p++) ports.set(p, `${option} (${basePort}-${basePort + count - 1})`);
  if (s.externalAddress !== undefined && !/^[A-Za-z0-9.:-]+$/.test(s.externalAddress)) {
    throw new ClearmlConfigError(`${option}.externalAddress`, `"${s.externalAddress}" must be a host name or IP address`);
  }
  return { count, basePort, externalAddress: s.externalAddress };
}

function checkTaskPods(option: string, t: TaskPodOptions): void {
  if (t.gpu !== undefined) {
    if (t.gpu.resourceName === undefined || !RESOURCE_NAME.test(t.gpu.resourceName)) {
      throw new ClearmlConfigError(`${option}.gpu.resourceName`, `${t.gpu.resourceName === undefined ? 'is required' : `"${t.gpu.resourceName}" is not an extended resource name`}: name the device plugin's resource, e.g. "nvidia.com/gpu"`);
    }
    checkInt(`${option}.gpu.count`, t.gpu.count ?? 1, 1, 64);
  }
  checkScheduling(`${option}.scheduling`, t.scheduling);
  if (t.storageCredentialsSecret !== undefined) checkDnsSubdomain(`${option}.storageCredentialsSecret`, t.storageCredentialsSecret);
  (t.volumes ?? []).forEach((v, j) => {
    if (v.name === 'agent-pin') throw new ClearmlConfigError(`${option}.volumes[${j}].name`, '"agent-pin" is the volume of the pinned agent version: choose another name');
  });
  const volumes = new Set((t.volumes ?? []).map((v) => v.name));
  (t.volumeMounts ?? []).forEach((m, j) => {
    if (!volumes.has(m.name)) {
      throw new ClearmlConfigError(`${option}.volumeMounts[${j}].name`, `"${m.name}" is not one of taskPods.volumes`);
    }
  });
}
