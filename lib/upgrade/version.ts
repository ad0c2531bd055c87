/** A release number `major.minor.patch`, read from an image tag such as `8.17.0` or `7.0.22-jammy`. */
export interface Release {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The tag as written. */
  readonly text: string;
}

/** The release of an image tag, or undefined when the tag is not a release number (a digest, `latest`, a custom name). */
export function parseRelease(tag: string | undefined): Release | undefined {
  if (tag === undefined) return undefined;
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(tag.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), text: tag };
}

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`. */
export function compareReleases(a: Release, b: Release): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** `a < b` for release strings that are known to parse (the rule table's own constants). */
export function below(a: Release, b: string): boolean {
  return compareReleases(a, parseRelease(b)!) < 0;
}

/** `a >= b`. */
export function atLeast(a: Release, b: string): boolean {
  return !below(a, b);
}

/** The tag of an image reference (`repo/name:tag`, `repo:5000/name:tag@sha256:…`); undefined without one. */
export function imageTag(image: string): string | undefined {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : undefined;
}
