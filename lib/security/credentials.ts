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
    const name = objectName(ctx, BOOTSTRAP);
    const id = identity(ctx, BOOTSTRAP, ctx.versions.clearml);
    const secretLabels = componentLabels(identity(ctx, COMPONENT));
    const sa = createServiceAccount(this, ctx, BOOTSTRAP);
    const spec = {
      secret: { namespace: ctx.namespace, name: this.secretName, labels: secretLabels, keys: Object.fromEntries(ALL_CREDENTIAL_KEYS.map((k) => [k.secretKey, k.kind])) },
      mirrors: mirrors.map((m) => ({ namespace: m.namespace, name: this.secretName, labels: secretLabels, keys: m.keys.map((k) => k.secretKey) })),
    };

    // Narrowest rights: create Secrets (create cannot be limited by name) and read only this one.
    const grant = (namespace: string, suffix: string) => {
      const metadata = componentMetadata(id, name, namespace);
      new k8s.KubeRole(this, `Role${suffix}`, {
        metadata,
        rules: [
          { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
          { apiGroups: [''], resources: ['secrets'], resourceNames: [this.secretName], verbs: ['get'] },
        ],
      });
      new k8s.KubeRoleBinding(this, `RoleBinding${suffix}`, {
        metadata,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: ctx.namespace }],
      });
    };
    grant(ctx.namespace, '');
    mirrors.forEach((m, i) => grant(m.namespace, `Mirror${i}`));

    new k8s.KubeConfigMap(this, 'Script', {
      metadata: componentMetadata(id, name, ctx.namespace),
      data: { 'bootstrap.py': BOOTSTRAP_SCRIPT },
    });

    new k8s.KubeJob(this, 'Job', {
      metadata: componentMetadata(id, name, ctx.namespace),
      spec: {
        backoffLimit: 10,
        template: podTemplate(ctx, {
          component: BOOTSTRAP,
          version: ctx.versions.clearml,
          serviceAccountName: sa.name,
          mountServiceAccountToken: true,
          restartPolicy: 'OnFailure',
          containers: [container(ctx, {
            name: 'bootstrap',
            image: ctx.images.clearml,
            command: ['python3', `${SCRIPT_DIR}/bootstrap.py`],
            env: [{ name: 'BOOTSTRAP_SPEC', value: JSON.stringify(spec) }],
            resources: resources('10m', '32Mi', '50m', '128Mi'),
            volumeMounts: [{ name: 'script', mountPath: SCRIPT_DIR, readOnly: true }],
            securityContext: nonRootSecurityContext(65534, 65534, true),
          })],
          volumes: [{ name: 'script', configMap: { name } }],
        }),
      },
    });
  }
}
