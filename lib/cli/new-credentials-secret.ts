#!/usr/bin/env node
/**
 * Prints a ready-to-seal credentials Secret for `credentials.existingSecret` (sealed-secrets,
 * external-secrets, SOPS, ...): every key of ALL_CREDENTIAL_KEYS with fresh random values of the same
 * shapes as the in-cluster bootstrap Job makes (keys: 30 characters of [A-Z0-9]; secrets: 64 characters
 * of [A-Za-z0-9]), each one that ClearML's HOCON parsing reads back unchanged (see hocon-safe.ts).
 *
 *   npm run --silent new-secret -- --namespace clearml | kubeseal -o yaml > sealed-credentials.yaml
 *
 * `--also-namespace <ns>` (repeatable) adds a copy holding only the services-agent keys, with the same
 * values, for the agent-services pod in the privileged namespace (pods only read Secrets of their own
 * namespace). Nothing is written to disk: the values only go to stdout.
 */
import { randomFillSync } from 'crypto';
import { stringify } from 'yaml';
import { checkDnsLabel, checkDnsSubdomain } from '../core/errors';
import { ALL_CREDENTIAL_KEYS, CREDENTIALS, CredentialKind } from '../security/credential-keys';
import { isHoconSafe } from '../security/hocon-safe';

export const USAGE = 'usage: clearml-new-secret [--name <secret>] [--namespace <ns>] [--also-namespace <ns>]...\n'
  + '  --name <secret>        name of the Secret (default: clearml-credentials)\n'
  + '  --namespace <ns>       namespace of the Secret (default: clearml)\n'
  + '  --also-namespace <ns>  also print a Secret of the same name in <ns> holding only the services-agent\n'
  + '                         keys, with the same values (repeatable; e.g. the privileged namespace)\n'
  + '  -h, --help             print this help\n'
  + 'Prints the Secret manifest(s) as YAML to stdout and writes nothing to disk.\n';

/** What the command prints. */
export interface SecretOptions {
  /** Name of the Secret (also of every copy). */
  readonly name: string;
  /** Namespace of the full Secret. */
  readonly namespace: string;
  /** Namespaces that get a copy of the services-agent keys. */
  readonly alsoNamespaces: readonly string[];
}

export const DEFAULT_OPTIONS: SecretOptions = { name: 'clearml-credentials', namespace: 'clearml', alsoNamespaces: [] };

/** A bad command line; the message names the option. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'clearml',
  'app.kubernetes.io/part-of': 'clearml',
};

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SHAPES: Record<CredentialKind, { alphabet: string; length: number }> = {
  key: { alphabet: KEY_ALPHABET, length: 30 },
  secret: { alphabet: SECRET_ALPHABET, length: 64 },
};

/**
 * One random value of the given shape that HOCON reads back unchanged: uniform characters (random bytes
 * at or above the largest multiple of the alphabet's size are skipped, so there is no modulo bias),
 * redrawn until the value passes the rule.
 */
export function generateValue(kind: CredentialKind): string {
  const { alphabet, length } = SHAPES[kind];
  const limit = 256 - (256 % alphabet.length);
  for (;;) {
    let out = '';
    while (out.length < length) {
      const byte = randomByte();
      if (byte < limit) out += alphabet[byte % alphabet.length];
    }
    if (isHoconSafe(out)) return out;
  }
}

// Random bytes drawn a block at a time: one call into the CSPRNG per value costs more than the value.
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;
function randomByte(): number {
  if (poolUsed === pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  return pool[poolUsed++];
}

/** Fresh values for every key of the credentials Secret, in ALL_CREDENTIAL_KEYS order. */
export function generateCredentials(): Record<string, string> {
  return Object.fromEntries(ALL_CREDENTIAL_KEYS.map((k) => [k.secretKey, generateValue(k.kind)]));
}

/** Reads the command line. Returns undefined for `--help`. Throws UsageError. */
export function parseArgs(argv: readonly string[]): SecretOptions | undefined {
  let name: string | undefined;
  let namespace: string | undefined;
  const alsoNamespaces: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      return undefined;
    }
    const eq = arg.indexOf('=');
    const option = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (option !== '--name' && option !== '--namespace' && option !== '--also-namespace') {
      throw new UsageError(arg.startsWith('-') ? `unknown option ${option}` : `unexpected argument "${arg}"`);
    }
    let value: string | undefined;
    if (option !== arg) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) {
        throw new UsageError(`${option}: missing value`);
      }
      i++;
    }
    if (option === '--name') {
      if (name !== undefined) throw new UsageError('--name: given more than once');
      name = checkName(option, value);
    } else if (option === '--namespace') {
      if (namespace !== undefined) throw new UsageError('--namespace: given more than once');
      namespace = checkNamespace(option, value);
    } else {
      if (alsoNamespaces.includes(value)) throw new UsageError(`--also-namespace: "${value}" given more than once`);
      alsoNamespaces.push(checkNamespace(option, value));
    }
  }
  const result: SecretOptions = {
    name: name ?? DEFAULT_OPTIONS.name,
    namespace: namespace ?? DEFAULT_OPTIONS.namespace,
    alsoNamespaces,
  };
  if (result.alsoNamespaces.includes(result.namespace)) {
    throw new UsageError(`--also-namespace: "${result.namespace}" is the namespace of the Secret itself`);
  }
  return result;
}

function checkName(option: string, value: string): string {
  return rethrowAsUsage(() => checkDnsSubdomain(option, value));
}

function checkNamespace(option: string, value: string): string {
  return rethrowAsUsage(() => checkDnsLabel(option, value));
}

function rethrowAsUsage(check: () => string): string {
  try {
    return check();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The Secret and its copies as objects; `values` defaults to fresh random ones. */
export function credentialsSecretManifests(options: SecretOptions, values: Record<string, string> = generateCredentials()): object[] {
  const secret = (namespace: string, stringData: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: options.name, namespace, labels: { ...LABELS } },
    type: 'Opaque',
    stringData,
  });
  const agentValues = Object.fromEntries(CREDENTIALS.servicesAgent.map((k) => [k.secretKey, values[k.secretKey]]));
  return [
    secret(options.namespace, { ...values }),
    ...options.alsoNamespaces.map((ns) => secret(ns, { ...agentValues })),
  ];
}

/** The manifests as a multi-document YAML stream. */
export function renderCredentialsSecret(options: SecretOptions, values?: Record<string, string>): string {
  return credentialsSecretManifests(options, values).map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n');
}

/** Runs the command; returns the exit code (0, or 2 for a bad command line). */
export function main(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  let options: SecretOptions | undefined;
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`new-credentials-secret: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (options === undefined) {
    out(USAGE);
    return 0;
  }
  out(renderCredentialsSecret(options));
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
}
