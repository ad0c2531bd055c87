import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { container, nonRootSecurityContext } from '../core/container';
import { ClearmlContext, identity, objectName } from '../core/context';
import { componentLabels, componentMetadata } from '../core/labels';
import { resources } from '../core/resources';
import { createServiceAccount, podTemplate } from '../core/workload';
import { BOOTSTRAP_SCRIPT } from './bootstrap-script';
import { ALL_CREDENTIAL_KEYS, CredentialKey } from './credential-keys';

/** Where ClearML's `secure.*` settings come from. */
export interface CredentialsOptions {
  /**
   * An existing Secret (for sealed-secrets, external-secrets, ...) holding every key listed in the
   * README. Nothing is generated then.
   * @default - a bootstrap Job creates `<name>-credentials` once, with random values
   */
  readonly existingSecret?: string;
}

/** A copy of some credential keys in another namespace. */
export interface CredentialMirror {
  /** Namespace of the copy. */
  readonly namespace: string;
  /** Keys to copy. */
  readonly keys: readonly CredentialKey[];
}

/** Props of `Credentials`. */
export interface CredentialsProps extends CredentialsOptions {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Copies needed by pods in other namespaces. @default none */
  readonly mirrors?: readonly CredentialMirror[];
}

const COMPONENT = 'credentials';
const BOOTSTRAP = 'credentials-bootstrap';
const SCRIPT_DIR = '/bootstrap';

/**
 * The credentials Secret of an installation. No secret value is ever synthesized: either the user
 * names an existing Secret, or an idempotent in-cluster Job creates it once with random values (and
 * never touches it again), so `kubectl apply -f dist/` alone ends with credentials unique to the
 * cluster that survive every re-synth and redeploy.
 */
export class Credentials extends Construct {
  /** Name of the Secret that pods read (in the ClearML namespace, and in every mirror namespace). */
  public readonly secretName: string;
  /** Whether this installation generates the Secret itself. */
  public readonly generated: boolean;

  constructor(scope: Construct, id: string, props: CredentialsProps) {
    super(scope, id);
    const { ctx } = props;
    this.generated = props.existingSecret === undefined;
    this.secretName = props.existingSecret ?? objectName(ctx, COMPONENT);
    if (this.generated) {
      this.createBootstrap(ctx, props.mirrors ?? []);
    }
  }

  private createBootstrap(ctx: ClearmlContext, mirrors: readonly CredentialMirror[]): void {
    const secretLabels = componentLabels(identity(ctx, COMPONENT));
    createSecretBootstrap(this, ctx, {
      component: BOOTSTRAP,
      grants: [
        { namespace: ctx.namespace, secretNames: [this.secretName] },
        ...mirrors.map((m) => ({ namespace: m.namespace, secretNames: [this.secretName] })),
      ],
      spec: {
        secret: { namespace: ctx.namespace, name: this.secretName, labels: secretLabels, keys: Object.fromEntries(ALL_CREDENTIAL_KEYS.map((k) => [k.secretKey, k.kind])) },
        mirrors: mirrors.map((m) => ({ namespace: m.namespace, name: this.secretName, labels: secretLabels, keys: m.keys.map((k) => k.secretKey) })),
      },
    });
  }
}

/** Secrets a bootstrap Job may create and read in one namespace. */
export interface SecretGrant {
  /** Namespace. */
  readonly namespace: string;
  /** The Secrets it reads (create cannot be limited by name). */
  readonly secretNames: readonly string[];
}

/** A Job that runs the credentials bootstrap script (or a module built on it) once in the cluster. */
export interface SecretBootstrapSpec {
  /** Component name of the Job, its ServiceAccount, Roles and script ConfigMap. */
  readonly component: string;
  /** Where it creates and reads Secrets. */
  readonly grants: readonly SecretGrant[];
  /** The script's input (`BOOTSTRAP_SPEC`). */
  readonly spec: unknown;
  /** More Python modules next to `bootstrap.py`, by file name; the Job runs the first one. @default - runs bootstrap.py */
  readonly modules?: Readonly<Record<string, string>>;
}

/**
 * The bootstrap Job with the narrowest rights: create Secrets where it must, and read back only its
 * own. It runs the ClearML Server image (Python's standard library only).
 */
export function createSecretBootstrap(scope: Construct, ctx: ClearmlContext, s: SecretBootstrapSpec): void {
  const name = objectName(ctx, s.component);
  const id = identity(ctx, s.component, ctx.versions.clearml);
  const sa = createServiceAccount(scope, ctx, s.component);
  s.grants.forEach((g, i) => {
    const metadata = componentMetadata(id, name, g.namespace);
    const suffix = i === 0 ? '' : `Mirror${i - 1}`;
    new k8s.KubeRole(scope, `Role${suffix}`, {
      metadata,
      rules: [
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        { apiGroups: [''], resources: ['secrets'], resourceNames: [...g.secretNames], verbs: ['get'] },
      ],
    });
    new k8s.KubeRoleBinding(scope, `RoleBinding${suffix}`, {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: ctx.namespace }],
    });
  });

  const modules = s.modules ?? {};
  new k8s.KubeConfigMap(scope, 'Script', {
    metadata: componentMetadata(id, name, ctx.namespace),
    data: { 'bootstrap.py': BOOTSTRAP_SCRIPT, ...modules },
  });

  new k8s.KubeJob(scope, 'Job', {
    metadata: componentMetadata(id, name, ctx.namespace),
    spec: {
      backoffLimit: 10,
      template: podTemplate(ctx, {
        component: s.component,
        version: ctx.versions.clearml,
        serviceAccountName: sa.name,
        mountServiceAccountToken: true,
        restartPolicy: 'OnFailure',
        containers: [container(ctx, {
          name: 'bootstrap',
          image: ctx.images.clearml,
          command: ['python3', `${SCRIPT_DIR}/${Object.keys(modules)[0] ?? 'bootstrap.py'}`],
          env: [{ name: 'BOOTSTRAP_SPEC', value: JSON.stringify(s.spec) }],
          resources: resources('10m', '32Mi', '50m', '128Mi'),
          volumeMounts: [{ name: 'script', mountPath: SCRIPT_DIR, readOnly: true }],
          securityContext: nonRootSecurityContext(65534, 65534, true),
        })],
        volumes: [{ name: 'script', configMap: { name } }],
      }),
    },
  });
}
