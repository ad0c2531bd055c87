#!/usr/bin/env node
/**
 * `clearml-validate`: checks a directory (or files) of manifests offline, as a Kubernetes 1.27+ API server
 * would when they are applied in order with `kubectl apply -f`: the 1.27 schema, unknown fields and the
 * API server's own rules (lib/validate/k8s-validate.ts). No cluster is needed.
 *
 *   npx clearml-validate dist/
 *   npx clearml-validate --require-namespaces --require-references dist/ other.yaml
 *
 * Exit codes: 0 every object is valid; 1 violations (one line each on stdout); 2 usage or loading error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadManifestDir, Manifest, ManifestDiffError, parseManifests } from '../diff/manifest-diff';
import { validateManifests, ValidateOptions } from '../validate/k8s-validate';

export const USAGE = 'usage: clearml-validate [--require-namespaces] [--require-references] <dir or file>...\n'
  + '  <dir or file>          manifests: *.yaml, *.yml and *.json files (directories recursively, in path order)\n'
  + '  --require-namespaces   report namespaced objects whose Namespace is not in the set (built-in ones excepted)\n'
  + '  --require-references   report references (ServiceAccounts, claims, Secrets, ...) to objects not in the set\n'
  + '  -h, --help             print this help\n'
  + 'Exit codes: 0 valid; 1 violations; 2 usage or loading error.\n';

export const EXIT_VALID = 0;
export const EXIT_VIOLATIONS = 1;
export const EXIT_USAGE = 2;

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): { inputs: string[]; options: ValidateOptions; help: boolean } {
  const inputs: string[] = [];
  const options: { requireNamespaces?: boolean; requireReferences?: boolean } = {};
  let help = false;
  for (const arg of argv) {
    if (arg === '-h' || arg === '--help') help = true;
    else if (arg === '--require-namespaces') options.requireNamespaces = true;
    else if (arg === '--require-references') options.requireReferences = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else inputs.push(arg);
  }
  if (!help && inputs.length === 0) throw new UsageError('name a directory or file of manifests');
  return { inputs, options, help };
}

function load(input: string, cwd: string): Manifest[] {
  const p = path.resolve(cwd, input);
  if (fs.existsSync(p) && fs.statSync(p).isFile()) return parseManifests(fs.readFileSync(p, 'utf8'), input);
  return loadManifestDir(p);
}

/** Runs the command; returns the exit code. */
export function main(argv: readonly string[], write: (s: string) => void, writeErr: (s: string) => void, cwd = process.cwd()): number {
  try {
    const { inputs, options, help } = parseArgs(argv);
    if (help) {
      write(USAGE);
      return EXIT_VALID;
    }
    const objects = inputs.flatMap((i) => load(i, cwd));
    if (objects.length === 0) throw new ManifestDiffError(`no Kubernetes objects in ${inputs.join(', ')}`);
    const violations = validateManifests(objects, options);
    for (const v of violations) write(`${v.object}: ${v.path || '<object>'}: ${v.message}\n`);
    const count = `${objects.length} object${objects.length === 1 ? '' : 's'}`;
    write(violations.length === 0 ? `${count}: valid\n` : `${count}: ${violations.length} violation${violations.length === 1 ? '' : 's'}\n`);
    return violations.length === 0 ? EXIT_VALID : EXIT_VIOLATIONS;
  } catch (e) {
    if (e instanceof UsageError) {
      writeErr(`clearml-validate: ${e.message}\n${USAGE}`);
    } else if (e instanceof ManifestDiffError) {
      writeErr(`clearml-validate: ${e.message}\n`);
    } else {
      throw e;
    }
    return EXIT_USAGE;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
}
