import { Construct } from 'constructs';
import { ClearmlContext, identity, objectName } from '../core/context';
import { componentLabels } from '../core/labels';
import { ALL_CREDENTIAL_KEYS, CredentialKey } from './credential-keys';
import { createSecretBootstrap } from './secret-bootstrap';

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

/**
 * The credentials Secret of an installation. No secret value is ever synthesized: either the user
 * names an existing Secret, or an idempotent in-cluster Job creates it once with random values (and
 * never touches it again), so applying `dist/` alone ends with credentials unique to the
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
