/**
 * Restore: the Job's scripts and the steps script run with /bin/sh against fakes (mongorestore, curl as
 * an Elasticsearch, aws as a bucket in a directory, kubectl as a cluster), and the clearml-restore
 * command end to end on configuration files: generated objects validated, unsafe restores refused.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { EXAMPLES } from '../examples/apps';
import { DEFAULT_VERSIONS } from '../lib';
import { CLEARML_INDICES } from '../lib/backup/backup-scripts';
import { EXIT_ERROR, EXIT_OK, EXIT_REFUSED, main } from '../lib/cli/restore';
import { CHECK_SCRIPT, ELASTICSEARCH_RESTORE_SCRIPT, FILES_RESTORE_SCRIPT, MONGO_RESTORE_SCRIPT, restoreStepsScript } from '../lib/restore/restore-scripts';
import { validateManifests } from '../lib/validate/k8s-validate';
import { LOG_CALL, shellSandbox, ShellSandbox } from './support/shell-fakes';

const ROOT = path.resolve(__dirname, '..');

const SHIMS: Record<string, string> = {
  mongorestore: LOG_CALL,
  curl: [
    LOG_CALL,
    'for a in "$@"; do case "$a" in http*) url="$a" ;; esac; done',
    'case "$url" in',
    '  */_restore*) printf \'{"snapshot":{"shards":{"total":3,"failed":%s,"successful":3}}}\' "${FAKE_FAILED_SHARDS:-0}" ;;',
    '  */_cat/indices/*) printf "%s\\n" $FAKE_INDICES ;;',
    '  */_snapshot/clearml/*) [ -z "${FAKE_NO_SNAPSHOT:-}" ] || exit 22; echo "{}" ;;',
    '  *) echo \'{"acknowledged":true}\' ;;',
    'esac',
  ].join('\n'),
  aws: [
    LOG_CALL,
    'local_of() { echo "$FAKE_S3/${1#s3://}"; }',
    'shift; cmd=$1; shift',
    'args=""; for a in "$@"; do case "$a" in --*) ;; *) args="$args $a" ;; esac; done',
    'set -- $args',
    'case "$cmd" in',
    '  cp) s=$(local_of "$1"); [ -e "$s" ] || exit 1; cp "$s" "$2" ;;',
    '  ls) [ -e "$(local_of "$1")" ] ;;',
    '  sync) s=$(local_of "$1"); find "$2" -mindepth 1 -delete; cp -R "$s/." "$2" ;;',
    'esac',
  ].join('\n'),
  // A cluster: `get job` answers $FAKE_JOB_STATE, `get pods` nothing.
  kubectl: [
    LOG_CALL,
    'case "$*" in',
    '  *"get job"*) echo "$FAKE_JOB_STATE" ;;',
    'esac',
  ].join('\n'),
  sleep: ':',
};

let box: ShellSandbox;
let dir: string;
beforeEach(() => {
  box = shellSandbox(SHIMS, ['work', 'dump/20261201T013000Z', 'files/old', 's3/bucket/p/20261201T013000Z/fileserver/1234'], {
    BACKUP_ID: '20261201T013000Z',
    EXPECTED_CLEARML_VERSION: '2.3.0',
    EXPECTED_ELASTICSEARCH_VERSION: '8.17.0',
    EXPECTED_MONGO_VERSION: '7.0.22',
    MONGO_URI: 'mongodb://clearml-mongo:27017/',
    ES_URL: 'http://clearml-elasticsearch:9200',
    ES_REPOSITORY: 'clearml',
    ES_REPOSITORY_SETTINGS: '{"type":"fs"}',
    FAKE_INDICES: '',
    S3_PATH_STYLE: 'true',
  });
  dir = box.dir;
  fs.writeFileSync(path.join(dir, 'files/old/stale.bin'), 'stale');
});
afterEach(() => box.remove());

const BACKUP_ENV = 'BACKUP_ID=20261201T013000Z\nCLEARML_VERSION=2.3.0\nELASTICSEARCH_VERSION=8.17.0\nMONGO_VERSION=7.0.22\nELASTICSEARCH_SNAPSHOT=clearml-20261201t013000z\nMONGO_OPLOG=\n';

const run = (script: string, env: Record<string, string> = {}) => box.run(script, env);
const calls = (command: string): string[][] => box.calls(command);
const writeBackup = (env = BACKUP_ENV) => {
  fs.writeFileSync(path.join(dir, 'dump/20261201T013000Z/backup.env'), env);
  fs.writeFileSync(path.join(dir, 'dump/20261201T013000Z/mongo.archive.gz'), 'dump');
};

describe('restore Job scripts', () => {
  test('the check accepts the backup whose versions were checked and keeps its backup.env', () => {
    writeBackup();
    expect(run(CHECK_SCRIPT).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'work/backup.env'), 'utf8')).toBe(BACKUP_ENV);
  });

  test('the check refuses other versions, naming each, and incomplete backups', () => {
    writeBackup(BACKUP_ENV.replace('CLEARML_VERSION=2.3.0', 'CLEARML_VERSION=2.4.0'));
    const r = run(CHECK_SCRIPT);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refused: .*CLEARML_VERSION=2\.4\.0 \(checked: 2\.3\.0\)/);
    fs.rmSync(path.join(dir, 'dump/20261201T013000Z/backup.env'));
    expect(run(CHECK_SCRIPT).stderr).toMatch(/not a complete backup/);
  });

  test('the check downloads backup.env and the dump from S3', () => {
    const s3 = path.join(dir, 's3/bucket/p/20261201T013000Z');
    fs.writeFileSync(path.join(s3, 'backup.env'), BACKUP_ENV);
    fs.writeFileSync(path.join(s3, 'mongo.archive.gz'), 'dump');
    expect(run(CHECK_SCRIPT, { S3_URL: 's3://bucket/p' }).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'dump/20261201T013000Z/mongo.archive.gz'), 'utf8')).toBe('dump');
    expect(run(CHECK_SCRIPT, { S3_URL: 's3://bucket/p', BACKUP_ID: '20261202T013000Z' }).stderr).toMatch(/not a complete backup/);
  });

  test('MongoDB is replaced (--drop), replaying the oplog only for oplog dumps', () => {
    writeBackup();
    fs.writeFileSync(path.join(dir, 'work/backup.env'), BACKUP_ENV);
    expect(run(MONGO_RESTORE_SCRIPT).status).toBe(0);
    fs.writeFileSync(path.join(dir, 'work/backup.env'), BACKUP_ENV.replace('MONGO_OPLOG=', 'MONGO_OPLOG=--oplog'));
    expect(run(MONGO_RESTORE_SCRIPT).status).toBe(0);
    const [plain, oplog] = calls('mongorestore').map((c) => c.slice(1));
    expect(plain).toEqual(['--uri=mongodb://clearml-mongo:27017/', `--archive=${dir}/dump/20261201T013000Z/mongo.archive.gz`, '--gzip', '--drop', '--quiet']);
    expect(oplog).toContain('--oplogReplay');
  });

  test('the file server data is replaced by the archive', () => {
    fs.mkdirSync(path.join(dir, 'src/1234'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src/1234/model.pkl'), 'weights');
    spawnSync('tar', ['-C', path.join(dir, 'src'), '-cf', path.join(dir, 'dump/20261201T013000Z/fileserver.tar'), '.']);
    expect(run(FILES_RESTORE_SCRIPT).status).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'files'))).toEqual(['1234']);
    expect(fs.readFileSync(path.join(dir, 'files/1234/model.pkl'), 'utf8')).toBe('weights');
  });

  test('a missing archive fails before anything is deleted', () => {
    expect(run(FILES_RESTORE_SCRIPT).status).toBe(1);
    expect(fs.existsSync(path.join(dir, 'files/old/stale.bin'))).toBe(true);
  });

  test('Elasticsearch: current ClearML indices deleted by name, then restored from the snapshot', () => {
    fs.writeFileSync(path.join(dir, 'work/backup.env'), BACKUP_ENV);
    const r = run(ELASTICSEARCH_RESTORE_SCRIPT, { FAKE_INDICES: 'events-log-d1 worker_stats_d1' });
    expect(r.status).toBe(0);
    const es = calls('curl').map((c) => c.slice(1).join(' '));
    expect(es.filter((c) => c.includes('DELETE')).map((c) => c.split('/').pop())).toEqual(['events-log-d1', 'worker_stats_d1']);
    expect(es[es.length - 1]).toContain(`clearml-20261201t013000z/_restore?wait_for_completion=true -d {"indices":"${CLEARML_INDICES}"`);
    expect(run(ELASTICSEARCH_RESTORE_SCRIPT, { FAKE_FAILED_SHARDS: '1' }).stderr).toMatch(/incomplete/);
  });

  test('Elasticsearch: a missing snapshot stops before any index is deleted', () => {
    fs.writeFileSync(path.join(dir, 'work/backup.env'), BACKUP_ENV);
    const r = run(ELASTICSEARCH_RESTORE_SCRIPT, { FAKE_NO_SNAPSHOT: '1', FAKE_INDICES: 'events-log-d1' });
    expect(r.status).not.toBe(0);
    expect(calls('curl').some((c) => c.includes('DELETE'))).toBe(false);
  });
});

describe('restore steps script', () => {
  const script = restoreStepsScript({
    namespace: 'clearml', instance: 'clearml', backupId: '20261201T013000Z', jobName: 'clearml-restore-20261201t013000z', jobFile: 'job.yaml', cronJob: 'clearml-backup',
    servers: [{ namespace: 'clearml', name: 'clearml-apiserver', replicas: 2 }, { namespace: 'clearml', name: 'clearml-fileserver', replicas: 1 }],
  });
  const kubectl = () => calls('kubectl').map((c) => c.slice(1).join(' '));

  test('scale down, suspend backups, run the Job, scale back to the configured replicas, resume', () => {
    const r = run(script, { FAKE_JOB_STATE: 'Complete=True ' });
    expect(r.status).toBe(0);
    const k = kubectl();
    const at = (s: string) => k.findIndex((c) => c.includes(s));
    expect(at('"suspend":true')).toBeLessThan(at('clearml-apiserver --replicas=0'));
    expect(at('--replicas=0')).toBeLessThan(at('-f job.yaml'));
    expect(at('-f job.yaml')).toBeLessThan(at('clearml-apiserver --replicas=2'));
    expect(at('clearml-apiserver --replicas=2')).toBeLessThan(at('"suspend":false'));
  });

  test('a failed Job stops the script with the servers down and backups paused', () => {
    const r = run(script, { FAKE_JOB_STATE: 'Failed=True ' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/failed; the servers stay stopped/);
    expect(kubectl().some((c) => c.includes('--replicas=2') || c.includes('"suspend":false'))).toBe(false);
  });
});

describe('clearml-restore', () => {
  let cwd: string;
  beforeEach(() => { cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'restore-cli-')); });
  afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));
  const cli = (args: string[], config?: string) => {
    if (config !== undefined) fs.writeFileSync(path.join(cwd, 'clearml.yaml'), config);
    const out: string[] = [];
    const err: string[] = [];
    const code = main(args, (s) => out.push(s), (s) => err.push(s), cwd, {});
    return { code, out: out.join(''), err: err.join('') };
  };
  const V = ['--backup', '20261201T013000Z', '--backup-versions', 'clearml=2.3.0,elasticsearch=8.17.0,mongo=7.0.22'];
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  afterAll(() => warn.mockRestore());

  test.each([
    ['claim', 'backup: {}\nversions: { clearml: "2.3.0", elasticsearch: "8.17.0", mongo: "7.0.22" }\n'],
    ['claims for the stores', 'defaultStorage: { type: claim }\nbackup: {}\nversions: { clearml: "2.3.0", elasticsearch: "8.17.0", mongo: "7.0.22" }\n'],
    ['s3', 'backup: { destination: { type: s3, s3: { endpoint: "https://minio.example.com:9000", bucket: clearml-backups, credentialsSecret: backup-s3 } } }\nversions: { clearml: "2.3.0", elasticsearch: "8.17.0", mongo: "7.0.22" }\n'],
  ])('writes a valid Job and the steps (%s)', (_, config) => {
    const r = cli([...V, '--output', 'out'], config);
    expect(r.code).toBe(EXIT_OK);
    const job = parse(fs.readFileSync(path.join(cwd, 'out/restore-job-20261201T013000Z.yaml'), 'utf8'));
    expect(validateManifests([job])).toEqual([]);
    expect(job.spec.template.spec.initContainers.map((c: any) => c.name)).toEqual(['check', 'mongo-restore', 'files-restore']);
    expect(job.spec.template.spec.affinity?.podAffinity).toBeUndefined();
    // The backup reads the file server's data read-only; the restore must write it.
    const files = job.spec.template.spec.volumes.find((v: any) => v.name === 'fileserver-data');
    expect(files.persistentVolumeClaim.readOnly).toBeUndefined();
    expect(JSON.stringify(job)).not.toMatch(/AKIA|secret-key"?:\s*"[^"]/);
    expect(fs.statSync(path.join(cwd, 'out/restore-20261201T013000Z.sh')).mode & 0o111).not.toBe(0);
  });

  test('from the synthesized manifests of one\'s own app (--manifests), the same Job and steps as from its configuration', () => {
    const versions = ['--backup', '20261201T013000Z', '--backup-versions', `clearml=${DEFAULT_VERSIONS.clearml},elasticsearch=${DEFAULT_VERSIONS.elasticsearch},mongo=${DEFAULT_VERSIONS.mongo}`];
    const fromConfig = cli(versions, stringify(EXAMPLES['backups-claim']));
    const fromManifests = cli([...versions, '--manifests', path.join(ROOT, 'examples', 'backups-claim')]);
    expect(fromConfig.code).toBe(EXIT_OK);
    expect(fromManifests).toEqual(fromConfig);
    expect(cli([...versions, '--manifests', 'x', '--config', 'y']).err).toContain('--config and --manifests are alternatives');
  });

  test('refuses a backup of a newer ClearML Server (exit 2) and writes nothing', () => {
    const r = cli(['--backup', '20261201T013000Z', '--backup-versions', 'clearml=2.4.0,elasticsearch=8.19.9,mongo=8.0.15', '--output', 'out'], 'backup: {}\nversions: { clearml: "2.3.0", elasticsearch: "8.17.0", mongo: "7.0.22" }\n');
    expect(r.code).toBe(EXIT_REFUSED);
    expect(r.err).toMatch(/refused[\s\S]*rule clearml-downgrade[\s\S]*rule elasticsearch-downgrade[\s\S]*rule mongo-downgrade/);
    expect(fs.existsSync(path.join(cwd, 'out'))).toBe(false);
  });

  test('refuses a 1.16 backup into a 2.3 server and gives the path instead', () => {
    const r = cli(['--backup', '20261201T013000Z', '--backup-versions', 'clearml=1.16.2,elasticsearch=7.17.18,mongo=4.4.29'], 'backup: {}\nversions: { clearml: "2.3.0", elasticsearch: "8.17.0", mongo: "7.0.22" }\n');
    expect(r.code).toBe(EXIT_REFUSED);
    expect(r.err).toMatch(/rule clearml-via-1\.17[\s\S]*versions\.clearml: "1\.17\.1"/);
    // The steps name this installation's namespace and workloads, never the rules' placeholders.
    expect(r.err).not.toMatch(/<(namespace|name|mongo|elasticsearch)>/);
    expect(r.err).toContain('kubectl -n clearml exec deploy/clearml-mongo');
  });

  test('accepts an older backup the apiserver migrates forward (2.2 into 2.3)', () => {
    expect(cli(['--backup', '20261201T013000Z', '--backup-versions', 'clearml=2.2.0,elasticsearch=8.17.0,mongo=6.0.19'], 'backup: {}\nversions: { clearml: "2.3.0", elasticsearch: "8.17.0", mongo: "7.0.22" }\n').code).toBe(EXIT_OK);
  });

  test('usage errors: backups off, a bad id, missing versions (exit 3)', () => {
    expect(cli(V, '{}\n').err).toMatch(/backups are not enabled/);
    expect(cli(['--backup', 'latest', '--backup-versions', 'clearml=2.3.0,elasticsearch=8.17.0,mongo=7.0.22'], 'backup: {}\n').code).toBe(EXIT_ERROR);
    expect(cli(['--backup', '20261201T013000Z', '--backup-versions', 'clearml=2.3.0'], 'backup: {}\n').err).toMatch(/mongo=<version> is required|elasticsearch=<version> is required/);
    expect(cli(['--bogus'], 'backup: {}\n').code).toBe(EXIT_ERROR);
  });
});
