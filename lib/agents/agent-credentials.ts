import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { envVars, secretEnv } from '../core/container';
import { ClearmlContext, identity, objectName } from '../core/context';
import { componentLabels } from '../core/labels';
import { createSecretBootstrap } from '../security/secret-bootstrap';

/** One key pair: a ClearML user that the apiserver creates at every start. */
export interface AgentKeyPair {
  /** `secure.credentials.<user>` of the apiserver. */
  readonly user: string;
  /** Secret (in the agent's namespace) that holds it for its pods. */
  readonly secretName: string;
  /** Secret key of the access key. */
  readonly accessKey: string;
  /** Secret key of the secret key. */
  readonly secretKey: string;
}

/** Props of `AgentCredentials`. */
export interface AgentCredentialsProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Agent name. */
  readonly agent: string;
  /** Namespace of the glue and its task pods. */
  readonly namespace: string;
}

/**
 * The credentials of one agent: two key pairs, one for the glue and one for its task pods, generated
 * once in the cluster (never synthesized), kept in the ClearML namespace for the apiserver and copied to
 * the agent's namespace, each pair in its own Secret. The apiserver registers both as ClearML users at
 * every start; when the agent is removed from the configuration, the apiserver deletes its users (and
 * their keys) at its next start.
 */
export class AgentCredentials extends Construct {
  /** The Secret the apiserver reads, in the ClearML namespace. */
  public readonly serverSecretName: string;
  /** The glue's key pair. */
  public readonly glue: AgentKeyPair;
  /** The task pods' key pair. */
  public readonly tasks: AgentKeyPair;

  constructor(scope: Construct, id: string, props: AgentCredentialsProps) {
    super(scope, id);
    const pairs = agentKeyPairs(props.ctx, props.agent);
    this.serverSecretName = pairs.serverSecretName;
    this.glue = pairs.glue;
    this.tasks = pairs.tasks;
    const { ctx } = props;
    const labels = componentLabels(identity(ctx, `agent-${props.agent}-credentials`));
    const keysOf = (p: AgentKeyPair) => [p.accessKey, p.secretKey];
    createSecretBootstrap(this, ctx, {
      component: `agent-${props.agent}-credentials`,
      // One Role per namespace: tasks may run in the ClearML namespace itself.
      grants: props.namespace === ctx.namespace
        ? [{ namespace: ctx.namespace, secretNames: [this.serverSecretName, this.glue.secretName, this.tasks.secretName] }]
        : [
          { namespace: ctx.namespace, secretNames: [this.serverSecretName] },
          { namespace: props.namespace, secretNames: [this.glue.secretName, this.tasks.secretName] },
        ],
      spec: {
        secret: {
          namespace: ctx.namespace, name: this.serverSecretName, labels,
          keys: Object.fromEntries([this.glue, this.tasks].flatMap((p) => [[p.accessKey, 'key'], [p.secretKey, 'secret']])),
        },
        mirrors: [this.glue, this.tasks].map((p) => ({ namespace: props.namespace, name: p.secretName, labels, keys: keysOf(p) })),
      },
    });
  }
}

/** Names of an agent's Secrets, keys and ClearML users. */
export function agentKeyPairs(ctx: ClearmlContext, agent: string): { serverSecretName: string; glue: AgentKeyPair; tasks: AgentKeyPair } {
  const base = objectName(ctx, `agent-${agent}`);
  const user = `agent_${agent.replace(/-/g, '_')}`;
  const pair = (role: 'glue' | 'task', clearmlUser: string): AgentKeyPair => ({
    user: clearmlUser,
    secretName: `${base}-${role}-credentials`,
    accessKey: `${role}_access_key`,
    secretKey: `${role}_secret_key`,
  });
  return { serverSecretName: `${base}-credentials`, glue: pair('glue', user), tasks: pair('task', `${user}_tasks`) };
}

/**
 * The apiserver settings that register an agent's users (`secure.credentials.<user>`): role `user`,
 * a display name, and the keys from the server-side Secret. A quoted display name, because ClearML
 * parses these values as HOCON.
 */
export function agentCredentialsEnv(ctx: ClearmlContext, agent: string): k8s.EnvVar[] {
  const { serverSecretName, glue, tasks } = agentKeyPairs(ctx, agent);
  return [glue, tasks].flatMap((p) => {
    const prefix = `CLEARML__SECURE__CREDENTIALS__${p.user.toUpperCase()}`;
    return [
      ...envVars({
        [`${prefix}__ROLE`]: 'user',
        [`${prefix}__DISPLAY_NAME`]: JSON.stringify(p === glue ? `Kubernetes agent ${agent}` : `Tasks of agent ${agent}`),
      }),
      secretEnv(`${prefix}__USER_KEY`, serverSecretName, p.accessKey),
      secretEnv(`${prefix}__USER_SECRET`, serverSecretName, p.secretKey),
    ];
  });
}
