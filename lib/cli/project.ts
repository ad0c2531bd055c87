/**
 * The cdk8s project a command runs in: the nearest directory (the working directory or a parent) with a
 * `cdk8s.yaml`, its manifest directory, and its own `cdk8s` CLI. Nothing here assumes this repository's
 * layout: the review diff runs in consumer projects on their own output.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { DEFAULT_OUTDIR, outputPlan } from '../app/output';

export interface Cdk8sProject {
  /** The directory holding cdk8s.yaml. */
  readonly root: string;
  /**
   * Where the committed manifests are, relative to `root`: cdk8s.yaml's `output` (default `dist`). A
   * staging output `.<dir>.synth` (see lib/app/output.ts) stands for `<dir>`.
   */
  readonly manifestDir: string;
}

/** The project around `cwd`, or undefined when no parent has a cdk8s.yaml. */
export function findCdk8sProject(cwd: string): Cdk8sProject | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const config = path.join(dir, 'cdk8s.yaml');
    if (fs.existsSync(config)) {
      let output: unknown;
      try {
        output = (parse(fs.readFileSync(config, 'utf8')) ?? {}).output;
      } catch {
        output = undefined;
      }
      // A staging output (`.dist.synth`) stands for the directory the app publishes to.
      return { root: dir, manifestDir: outputPlan(typeof output === 'string' && output !== '' ? output : DEFAULT_OUTDIR).publishDir };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The project's own `cdk8s` CLI: node_modules/.bin/cdk8s of the project or of a parent (workspaces). */
export function findCdk8sCli(root: string): string | undefined {
  const name = process.platform === 'win32' ? 'cdk8s.cmd' : 'cdk8s';
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'node_modules', '.bin', name);
    if (fs.existsSync(bin)) return bin;
    if (path.dirname(dir) === dir) return undefined;
  }
}
