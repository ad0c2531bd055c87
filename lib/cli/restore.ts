#!/usr/bin/env node
/**
 * Generates the restore of one backup: the steps (a shell script: pause backups, scale the servers down,
 * run the restore Job, scale up) and the Job's manifest, for the installation of `clearml.yaml`.
 *
 *   clearml-restore --backup 20261201T013000Z --backup-versions clearml=2.3.0,elasticsearch=8.17.0,mongo=7.0.22 --output restore/
 *   sh restore/restore-20261201T013000Z.sh
 *
 * The backup's versions are in its `backup.env` (and at the end of its backup Job's log). A backup that
 * the upgrade rules say cannot go into this server (a newer schema into an older server, an old release
 * ClearML must migrate step by step) is refused with exit code 2 and the path to take instead; the Job
 * itself refuses a backup whose `backup.env` differs from the versions checked here.
 *
 * Exit codes: 0 written; 2 refused; 3 usage, configuration or generation error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { ClearmlServer } from '../clearml-server';
import { ClearmlConfigError } from '../core/errors';
import { configFileFor, readConfigFile } from '../config/load';
import { loadManifestDir } from '../diff/manifest-diff';
import { checkRestore } from '../restore/restore-check';
import { findBackupCronJob, restoreJob, RestoreError } from '../restore/restore-job';
import { restoreStepsScript } from '../restore/restore-scripts';
import { installationVersions, placeholdersFor } from '../upgrade/manifest-versions';
import { fillPlaceholders, ReleaseSet, UpgradeComponent } from '../upgrade/rules';
import { parseRelease } from '../upgrade/version';
import { validateManifests } from '../validate/k8s-validate';

export const USAGE = 'usage: clearml-restore --backup <id> --backup-versions clearml=<v>[,elasticsearch=<v>][,mongo=<v>] [--config <file> | --manifests <dir>] [--output <dir>]\n'
  + '  --backup <id>            the backup to restore, e.g. 20261201T013000Z\n'
  + '  --backup-versions <list> the versions in its backup.env (CLEARML_VERSION, ELASTICSEARCH_VERSION, MONGO_VERSION)\n'
  + '  --config <file>          the installation\'s configuration (default: clearml.yaml when present, or $CLEARML_CONFIG)\n'
  + '  --manifests <dir>        instead, the installation\'s synthesized manifests (e.g. dist/ of your own cdk8s app)\n'
  + '  --output <dir>           write restore-<id>.sh and restore-job-<id>.yaml there (default: print both)\n'
  + 'Exit codes: 0 generated; 2 refused (unsafe for this server); 3 usage or configuration error.\n';

export const EXIT_OK = 0;
export const EXIT_REFUSED = 2;
export const EXIT_ERROR = 3;

const SERVERS_TO_STOP = ['apiserver', 'fileserver', 'async-delete'];

interface Args { backup?: string; versions?: string; config?: string; manifests?: string; output?: string; help: boolean }

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { help: false };
  const names: Record<string, keyof Args> = { '--backup': 'backup', '--backup-versions': 'versions', '--config': 'config', '--manifests': 'manifests', '--output': 'output' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') { args.help = true; continue; }
    const [flag, inline] = a.includes('=') && a.startsWith('--') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const key = names[flag];
    if (!key) throw new RestoreError(`unknown argument ${a}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new RestoreError(`${flag} needs a value`);
    (args as any)[key] = value;
  }
  return args;
}

function parseVersions(text: string): ReleaseSet & Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of text.split(',')) {
    const [k, v] = part.split('=');
    if (!['clearml', 'elasticsearch', 'mongo'].includes(k) || !v) throw new RestoreError(`--backup-versions: "${part}" must be clearml=<v>, elasticsearch=<v> or mongo=<v>`);
    const r = parseRelease(v);
    if (!r) throw new RestoreError(`--backup-versions: "${v}" is not a release number`);
    out[k as UpgradeComponent] = r;
  }
  if (!out.clearml) throw new RestoreError('--backup-versions: clearml=<version> is required');
  return out as ReleaseSet & Record<string, unknown>;
}

/** The objects of the installation that a configuration file describes (the default one without a file). */
function configuredObjects(file: string | undefined, cwd: string): Record<string, any>[] {
  const props = file === undefined ? {} : readConfigFile(path.resolve(cwd, file), file).props;
  const chart = new Chart(new App(), 'clearml', { disableResourceNameHashes: true });
  new ClearmlServer(chart, 'server', props);
  return chart.toJson();
}

/** Runs the command; returns the exit code. */
export function main(argv: readonly string[], write: (s: string) => void, writeErr: (s: string) => void, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): number {
  try {
    const args = parseArgs(argv);
    if (args.help) { write(USAGE); return EXIT_OK; }
    if (!args.backup || !args.versions) throw new RestoreError('--backup and --backup-versions are required');
    const backupVersions = parseVersions(args.versions);
    if (args.config && args.manifests) throw new RestoreError('--config and --manifests are alternatives: name one');
    const objects = args.manifests ? loadManifestDir(path.resolve(cwd, args.manifests)) : configuredObjects(args.config ?? configFileFor(env, cwd), cwd);
    const cronJob = findBackupCronJob(objects);
    const namespace: string = cronJob.metadata.namespace;
    const instance: string = cronJob.metadata.labels['app.kubernetes.io/instance'];
    const target = installationVersions(objects).get(`${namespace}/${instance}`) ?? {};
    for (const k of ['elasticsearch', 'mongo'] as const) {
      if (target[k] && !backupVersions[k]) throw new RestoreError(`--backup-versions: ${k}=<version> is required (the installation bundles ${k})`);
    }
    const verdict = checkRestore(backupVersions, target);
    if (verdict.refused.length > 0) {
      writeErr(`clearml-restore: refused: backup ${args.backup} cannot be restored into this server safely:\n`);
      // The rules' texts name <namespace>, <name> and the data stores' workloads: fill in this installation's.
      const values = placeholdersFor(objects, namespace, instance);
      const fill = (text: string) => fillPlaceholders(text, values);
      verdict.refused.forEach((f) => writeErr(`  - ${fill(f.outcome.message)} [rule ${f.rule.id}]\n`));
      verdict.alternative.forEach((l) => writeErr(`  ${fill(l)}\n`));
      return EXIT_REFUSED;
    }
    const job = restoreJob(cronJob, args.backup, {
      clearml: backupVersions.clearml!.text,
      elasticsearch: backupVersions.elasticsearch?.text,
      mongo: backupVersions.mongo?.text,
    });
    const violations = validateManifests([job]);
    if (violations.length > 0) throw new Error(`generated restore Job is invalid: ${JSON.stringify(violations)}`);
    const servers = objects
      .filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/instance'] === instance && SERVERS_TO_STOP.includes(o.metadata.labels?.['app.kubernetes.io/component']))
      .map((o) => ({ namespace: o.metadata.namespace, name: o.metadata.name, replicas: o.spec.replicas ?? 1 }));
    const jobFile = `restore-job-${args.backup}.yaml`;
    const script = restoreStepsScript({ namespace, instance, backupId: args.backup, jobName: job.metadata.name, jobFile, servers, cronJob: cronJob.metadata.name });
    const manifest = stringify(job, { lineWidth: 0 });
    if (args.output) {
      const out = path.resolve(cwd, args.output);
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, `restore-${args.backup}.sh`), script, { mode: 0o755 });
      fs.writeFileSync(path.join(out, jobFile), manifest);
      write(`wrote ${path.join(args.output, `restore-${args.backup}.sh`)} and ${path.join(args.output, jobFile)}\nrun: cd ${args.output} && sh restore-${args.backup}.sh\n`);
    } else {
      write(`# --- restore-${args.backup}.sh\n${script}# --- ${jobFile}\n${manifest}`);
    }
    return EXIT_OK;
  } catch (e) {
    if (e instanceof RestoreError || e instanceof ClearmlConfigError) {
      writeErr(`clearml-restore: ${e.message}\n`);
      if (e instanceof RestoreError && /argument|needs a value|required/.test(e.message)) writeErr(USAGE);
      return EXIT_ERROR;
    }
    writeErr(`clearml-restore: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    return EXIT_ERROR;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
}
