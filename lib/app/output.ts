/**
 * Where the default app writes, so that a failed synth never leaves a partial or empty manifest
 * directory behind: it synthesizes into a staging directory next to the output and swaps it in only when
 * everything succeeded.
 *
 * The stock `cdk8s synth` empties its output directory before it runs the app, so the project's
 * cdk8s.yaml names the staging directory (`output: .dist.synth`) instead of `dist/`: the CLI empties and
 * lists the staging directory, and the app publishes a copy of it to `dist/`. Any other output directory
 * (`npm run synth`, `cdk8s synth --output <dir>`) is written through its own staging directory.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The output directory when neither `CDK8S_OUTDIR` nor cdk8s.yaml names one. */
export const DEFAULT_OUTDIR = 'dist';

/** Where a synth goes: `synthDir` is what the app writes, `publishDir` what it swaps in on success. */
export interface OutputPlan {
  readonly synthDir: string;
  readonly publishDir: string;
  /** Whether `synthDir` stays after publishing (the cdk8s CLI lists the manifests there). */
  readonly keepSynthDir: boolean;
}

const STAGING = /^\.(.+)\.synth$/;

/** The staging directory of an output directory: `.dist.synth` next to `dist`. */
export function stagingDirOf(outdir: string): string {
  return path.join(path.dirname(outdir), `.${path.basename(outdir)}.synth`);
}

/** The plan for an output directory as the cdk8s CLI or `npm run synth` gives it (`$CDK8S_OUTDIR`). */
export function outputPlan(outdir: string = process.env.CDK8S_OUTDIR || DEFAULT_OUTDIR): OutputPlan {
  const staged = STAGING.exec(path.basename(outdir));
  if (staged) return { synthDir: outdir, publishDir: path.join(path.dirname(outdir), staged[1]), keepSynthDir: true };
  return { synthDir: stagingDirOf(outdir), publishDir: outdir, keepSynthDir: false };
}

function siblingOf(plan: OutputPlan, suffix: 'new' | 'old'): string {
  return path.join(path.dirname(plan.publishDir), `.${path.basename(plan.publishDir)}.${suffix}`);
}

/** Empties the directory the app is about to synthesize into; puts back the last good output if a swap was cut short. */
export function prepare(plan: OutputPlan): void {
  const old = siblingOf(plan, 'old');
  if (!fs.existsSync(plan.publishDir) && fs.existsSync(old)) fs.renameSync(old, plan.publishDir);
  fs.rmSync(plan.synthDir, { recursive: true, force: true });
}

/** Replaces `publishDir` with what was synthesized; call only after the synth succeeded. */
export function publish(plan: OutputPlan): void {
  let ready = plan.synthDir;
  if (plan.keepSynthDir) {
    ready = siblingOf(plan, 'new');
    fs.rmSync(ready, { recursive: true, force: true });
    fs.cpSync(plan.synthDir, ready, { recursive: true });
  }
  const old = siblingOf(plan, 'old');
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(plan.publishDir)) fs.renameSync(plan.publishDir, old);
  fs.renameSync(ready, plan.publishDir);
  fs.rmSync(old, { recursive: true, force: true });
}
