import { canonicalQuantity, compareQuantities, isQuantity, suggestQuantity } from '../util/quantity';

/** A bad option: thrown at synth time, before anything is written. The message names the option. */
export class ClearmlConfigError extends Error {
  constructor(public readonly option: string, message: string) {
    super(`${option}: ${message}`);
    this.name = 'ClearmlConfigError';
  }
}

/** Several bad options at once (a configuration file reports all its mistakes in one run). */
export class ClearmlConfigErrors extends ClearmlConfigError {
  constructor(public readonly errors: readonly ClearmlConfigError[]) {
    super(errors[0].option, errors[0].message.slice(errors[0].option.length + 2));
    this.name = 'ClearmlConfigErrors';
    this.message = errors.map((e) => e.message).join('\n');
  }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const SYSCTL_INT_MAX = 2147483647;

/** A DNS-1123 label (namespaces, name prefixes): at most `max` characters. */
export function checkDnsLabel(option: string, value: string, max = 63): string {
  if (typeof value !== 'string' || value.length > max || !DNS1123_LABEL.test(value)) {
    throw new ClearmlConfigError(option, `"${value}" must be a DNS-1123 label of at most ${max} characters `
      + '(lowercase letters, digits and "-", starting and ending with a letter or digit)');
  }
  return value;
}

/** A DNS-1123 subdomain such as a host or domain name. */
export function checkDnsSubdomain(option: string, value: string): string {
  if (typeof value !== 'string' || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new ClearmlConfigError(option, `"${value}" must be a DNS name of at most 253 characters `
      + '(lowercase letters, digits, "-" and ".", e.g. "clearml.example.com")');
  }
  return value;
}

/** An integer within [min, max]. */
export function checkInt(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ClearmlConfigError(option, `${value} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** A NodePort: the API server only accepts the default service-node-port-range. */
export function checkNodePort(option: string, value: number): number {
  return checkInt(option, value, 30000, 32767);
}

/** A sysctl value of at least `min` (default 1) that fits the kernel's int. */
export function checkSysctlInt(option: string, value: number, min = 1): number {
  return checkInt(option, value, min, SYSCTL_INT_MAX);
}

/** A Kubernetes quantity, returned in the API server's canonical form so re-applies change nothing. */
export function checkQuantity(option: string, value: string | number): string {
  if (!isQuantity(value)) {
    const hint = typeof value === 'string' ? suggestQuantity(value) : undefined;
    throw new ClearmlConfigError(option, `"${value}" is not a Kubernetes quantity`
      + (hint ? ` (try "${hint}")` : ' (e.g. "500m", "2Gi", "2600M")'));
  }
  return canonicalQuantity(value);
}

/** A quantity greater than zero (storage sizes), in canonical form. */
export function checkPositiveQuantity(option: string, value: string | number): string {
  const canonical = checkQuantity(option, value);
  if (compareQuantities(canonical, '0') <= 0) {
    throw new ClearmlConfigError(option, `"${value}" must be greater than zero (e.g. "50Gi")`);
  }
  return canonical;
}

/** Namespaces that belong to Kubernetes: the library would relabel them with Pod Security levels. */
export function checkOwnNamespace(option: string, value: string, max = 63): string {
  checkDnsLabel(option, value, max);
  if (value === 'default' || value.startsWith('kube-')) {
    throw new ClearmlConfigError(option, `"${value}" belongs to Kubernetes ("default" and every "kube-*" namespace are refused): name a namespace of the installation's own, e.g. "clearml"`);
  }
  return value;
}

/** An absolute, normalised host path (no "..", no trailing slash). */
export function checkAbsolutePath(option: string, value: string): string {
  const parts = value.split('/');
  // Paths reach a shell script in the host-preparation pod: keep them to a safe alphabet.
  if (!/^[A-Za-z0-9._/-]+$/.test(value) || !value.startsWith('/') || value === '/' || value.endsWith('/') || parts.some((p, i) => i > 0 && (p === '' || p === '.' || p === '..'))) {
    throw new ClearmlConfigError(option, `"${value}" must be an absolute path of letters, digits, ".", "_", "-" and "/", without "." or ".." segments or a trailing "/" (e.g. "/opt/clearml")`);
  }
  return value;
}

/** A label key (optional DNS prefix + name) and value, as the API server validates them. */
export function checkLabel(option: string, key: string, value: string): void {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if ((prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) || name.length > 63 || !LABEL_NAME.test(name)) {
    throw new ClearmlConfigError(option, `"${key}" is not a valid label key (an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or ".")`);
  }
  if (value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
    throw new ClearmlConfigError(option, `"${value}" is not a valid label value (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)`);
  }
}

/** An image reference pinned to a tag or digest; `latest` and untagged images are refused. */
export function checkPinnedImage(option: string, image: string): string {
  const digest = image.includes('@sha256:');
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
  if (/\s/.test(image) || image === '' || (!digest && (!tag || tag === 'latest'))) {
    throw new ClearmlConfigError(option, `"${image}" must be pinned to a version tag or digest (e.g. "repo/name:1.2.3"); "latest" and untagged images are not allowed`);
  }
  return image;
}

/** A key of a Secret or ConfigMap, as the API server validates it. */
export function checkSecretKey(option: string, key: string): string {
  if (typeof key !== 'string' || !/^[-._a-zA-Z0-9]{1,253}$/.test(key)) {
    throw new ClearmlConfigError(option, `"${key}" must be a Secret key (letters, digits, "-", "_" and ".")`);
  }
  return key;
}

/** One of a fixed set of values. */
export function checkOneOf<T extends string>(option: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new ClearmlConfigError(option, `"${value}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value;
}
