/**
 * Behaviour of the backup pod's scripts (lib/backup/backup-scripts.ts), run with /bin/sh in the order the
 * CronJob runs them, against fakes on PATH: `date` (the run's id), `mongosh`/`mongodump`, `curl` (an
 * Elasticsearch that answers the snapshot API) and `aws` (a bucket kept in a directory). Every call is
 * logged, so the tests see what would have been sent.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  CLAIM_FINISH_SCRIPT, CLEARML_INDICES, ELASTICSEARCH_SNAPSHOT_SCRIPT, FILES_ARCHIVE_SCRIPT, KEYSTORE_SCRIPT, MONGO_DUMP_SCRIPT, S3_FINISH_SCRIPT,
} from '../lib/backup/backup-scripts';
import { LOG_CALL, ScriptRun, shellSandbox, ShellSandbox } from './support/shell-fakes';

const REAL_DATE = ['/usr/bin/date', '/bin/date'].find((p) => fs.existsSync(p))!;

const SHIMS: Record<string, string> = {
  // The keystore tool: `create` makes the file, `add` appends the setting and what it read from stdin.
  'elasticsearch-keystore': [
    LOG_CALL,
    'case "$1" in',
    '  create) : > "$ES_PATH_CONF/elasticsearch.keystore" ;;',
    '  add) for a in "$@"; do name="$a"; done; printf "%s=%s\\n" "$name" "$(cat)" >> "$ES_PATH_CONF/elasticsearch.keystore" ;;',
    'esac',
  ].join('\n'),
  date: `if [ "$*" = "-u +%Y%m%dT%H%M%SZ" ]; then echo "$FAKE_ID"; else exec ${REAL_DATE} "$@"; fi`,
  mongosh: `${LOG_CALL}\necho "\${FAKE_SET_NAME:-}"`,
  mongodump: [
    LOG_CALL,
    '[ -z "${FAKE_MONGODUMP_FAIL:-}" ] || { echo "Failed: connection refused" >&2; exit 1; }',
    'for a in "$@"; do case "$a" in --archive=*) echo dump > "${a#--archive=}" ;; esac; done',
  ].join('\n'),
  // An Elasticsearch: the snapshot PUT answers $FAKE_SNAPSHOT_STATE, _cat/snapshots lists $FAKE_SNAPSHOTS.
  curl: [
    LOG_CALL,
    'for a in "$@"; do case "$a" in http*) url="$a" ;; esac; done',
    'case "$url" in',
    '  *wait_for_completion=true) printf \'{"snapshot":{"state":"%s"}}\' "$FAKE_SNAPSHOT_STATE" ;;',
    '  */_cat/snapshots/*) printf "%s\\n" $FAKE_SNAPSHOTS ;;',
    '  *) echo \'{"acknowledged":true}\' ;;',
    'esac',
  ].join('\n'),
  // A bucket under $FAKE_S3: cp, sync, ls (PRE lines for prefixes), rm --recursive.
  aws: [
    LOG_CALL,
    'local_of() { echo "$FAKE_S3/${1#s3://}"; }',
    'shift',
    'cmd=$1; shift',
    'args=""; for a in "$@"; do case "$a" in --*) ;; *) args="$args $a" ;; esac; done',
    'set -- $args',
    'case "$cmd" in',
    '  cp) d=$(local_of "$2"); mkdir -p "$(dirname "$d")"; cp "$1" "$d" ;;',
    '  sync) d=$(local_of "$2"); mkdir -p "$d"; cp -R "$1/." "$d" ;;',
    '  ls) d=$(local_of "$1"); case "$1" in */) [ -d "$d" ] && for e in $(ls -1 "$d"); do [ -d "$d/$e" ] && echo "                           PRE $e/"; done; exit 0 ;; *) [ -e "$d" ] || exit 1; echo "2026-01-01 00:00:00 1 $(basename "$d")" ;; esac ;;',
    '  rm) rm -rf "$(local_of "$1")" ;;',
    'esac',
  ].join('\n'),
};

let box: ShellSandbox;
let dir: string;
beforeEach(() => {
  box = shellSandbox(SHIMS, ['work', 'dump', 'files/1234/artifacts', 's3/bucket'], {
    FAKE_ID: '20261201T013000Z',
    FAKE_SNAPSHOT_STATE: 'SUCCESS',
    FAKE_SNAPSHOTS: '',
    BACKUP_KEEP: '3',
    MONGO_URI: 'mongodb://clearml-mongo:27017/',
    ES_URL: 'http://clearml-elasticsearch:9200',
    ES_REPOSITORY: 'clearml',
    ES_REPOSITORY_SETTINGS: '{"type":"fs","settings":{"location":"/usr/share/elasticsearch/snapshots"}}',
    CLEARML_VERSION: '2.3.0',
    ELASTICSEARCH_VERSION: '8.17.0',
    MONGO_VERSION: '7.0.22',
    S3_URL: 's3://bucket/clearml/clearml',
    S3_PATH_STYLE: 'true',
  });
  dir = box.dir;
  fs.writeFileSync(path.join(dir, 'files/1234/artifacts/model.pkl'), 'weights');
});
afterEach(() => box.remove());

type Run = ScriptRun;
const run = (script: string, env: Record<string, string> = {}): Run => box.run(script, env);
const calls = (command: string): string[][] => box.calls(command);
const ls = (d: string) => fs.readdirSync(path.join(dir, d)).sort();

/** The claim pipeline in CronJob order; stops at the first failing step like the pod does. */
function claimRun(env: Record<string, string> = {}): Run[] {
  const out: Run[] = [];
  for (const script of [MONGO_DUMP_SCRIPT, FILES_ARCHIVE_SCRIPT, ELASTICSEARCH_SNAPSHOT_SCRIPT, CLAIM_FINISH_SCRIPT]) {
    const r = run(script, env);
    out.push(r);
    if (r.status !== 0) break;
  }
  return out;
}

describe('backup to a claim', () => {
  test('one run writes the dump, the files, the snapshot and backup.env, then keeps the newest backups', () => {
    for (const old of ['20261101T013000Z', '20261102T013000Z', '20261103T013000Z', '20261104T013000Z']) fs.mkdirSync(path.join(dir, 'dump', old));
    fs.mkdirSync(path.join(dir, 'dump', '20261105T013000Z.partial'));
    fs.writeFileSync(path.join(dir, 'dump', 'notes.txt'), 'not a backup');
    const runs = claimRun({ FAKE_SNAPSHOTS: 'clearml-20261101t013000z clearml-20261102t013000z clearml-20261103t013000z clearml-20261201t013000z other-snapshot' });
    expect(runs.map((r) => r.status)).toEqual([0, 0, 0, 0]);
    expect(ls('dump')).toEqual(['20261103T013000Z', '20261104T013000Z', '20261201T013000Z', 'notes.txt']);
    expect(ls('dump/20261201T013000Z')).toEqual(['backup.env', 'fileserver.tar', 'mongo.archive.gz']);
    const tar = spawnSync('tar', ['-tf', path.join(dir, 'dump/20261201T013000Z/fileserver.tar')], { encoding: 'utf8' }).stdout;
    expect(tar).toMatch(/\.\/1234\/artifacts\/model\.pkl/);
    expect(fs.readFileSync(path.join(dir, 'dump/20261201T013000Z/backup.env'), 'utf8')).toBe(
      'BACKUP_ID=20261201T013000Z\nCLEARML_VERSION=2.3.0\nELASTICSEARCH_VERSION=8.17.0\nMONGO_VERSION=7.0.22\nELASTICSEARCH_SNAPSHOT=clearml-20261201t013000z\nMONGO_OPLOG=\n');
    expect(runs[3].stdout).toMatch(/removed incomplete backup 20261105T013000Z.partial[\s\S]*deleted backup 20261102T013000Z[\s\S]*deleted backup 20261101T013000Z/);
  });

  test('the snapshot API is called to register the repository, snapshot ClearML\'s indices and delete old snapshots', () => {
    claimRun({ FAKE_SNAPSHOTS: 'clearml-20261101t013000z clearml-20261102t013000z clearml-20261103t013000z clearml-20261201t013000z other-snapshot' });
    const es = calls('curl').map((c) => c.slice(1).join(' '));
    expect(es[0]).toMatch(/-X PUT http:\/\/clearml-elasticsearch:9200\/_snapshot\/clearml -d /);
    expect(es[0]).toContain('-d {"type":"fs"');
    expect(es[1]).toContain(`-d {"indices":"${CLEARML_INDICES}","ignore_unavailable":true,"include_global_state":false}`);
    expect(es[1]).toMatch(/_snapshot\/clearml\/clearml-20261201t013000z\?wait_for_completion=true -d /);
    expect(es.filter((c) => c.includes('DELETE')).map((c) => c.split('/').pop())).toEqual(['clearml-20261101t013000z']);
  });

  test('a failed snapshot fails the run and leaves only an incomplete backup, removed by the next run', () => {
    const runs = claimRun({ FAKE_SNAPSHOT_STATE: 'PARTIAL' });
    expect(runs.map((r) => r.status)).toEqual([0, 0, 1]);
    expect(runs[2].stderr).toMatch(/did not succeed/);
    expect(ls('dump')).toEqual(['20261201T013000Z.partial']);
    expect(calls('curl').some((c) => c.includes('DELETE'))).toBe(false);
    const next = claimRun({ FAKE_ID: '20261202T013000Z' });
    expect(next.map((r) => r.status)).toEqual([0, 0, 0, 0]);
    expect(ls('dump')).toEqual(['20261202T013000Z']);
  });

  test('a failed dump stops the run before anything else', () => {
    const runs = claimRun({ FAKE_MONGODUMP_FAIL: '1' });
    expect(runs.map((r) => r.status)).toEqual([1]);
    expect(calls('curl')).toEqual([]);
  });

  test('MongoDB is dumped at one point in time (oplog) on a replica set only', () => {
    run(MONGO_DUMP_SCRIPT);
    run(MONGO_DUMP_SCRIPT, { FAKE_SET_NAME: 'rs0', FAKE_ID: '20261202T013000Z' });
    const dumps = calls('mongodump').map((c) => c.slice(1));
    expect(dumps[0]).toEqual(['--uri=mongodb://clearml-mongo:27017/', `--archive=${dir}/dump/20261201T013000Z.partial/mongo.archive.gz`, '--gzip', '--quiet']);
    expect(dumps[1]).toContain('--oplog');
  });
});

describe('backup to S3', () => {
  const s3Run = (env: Record<string, string> = {}) => {
    const common = { DUMP_DIR: path.join(dir, 'work/dump'), ...env };
    return [MONGO_DUMP_SCRIPT, ELASTICSEARCH_SNAPSHOT_SCRIPT, S3_FINISH_SCRIPT].map((s) => run(s, common));
  };
  const bucket = (p = '') => path.join(dir, 's3/bucket/clearml/clearml', p);

  test('uploads the dump, the files and backup.env last; keeps the newest complete backups, drops failed ones', () => {
    for (const old of ['20261101T013000Z', '20261102T013000Z', '20261103T013000Z']) {
      fs.mkdirSync(bucket(old), { recursive: true });
      fs.writeFileSync(bucket(`${old}/backup.env`), 'BACKUP_ID=x\n');
    }
    fs.mkdirSync(bucket('20261104T013000Z'), { recursive: true });
    fs.writeFileSync(bucket('20261104T013000Z/mongo.archive.gz'), 'half');
    const runs = s3Run({ BACKUP_KEEP: '2' });
    expect(runs.map((r) => r.status)).toEqual([0, 0, 0]);
    expect(fs.readdirSync(bucket()).sort()).toEqual(['20261103T013000Z', '20261201T013000Z']);
    expect(fs.readdirSync(bucket('20261201T013000Z')).sort()).toEqual(['backup.env', 'fileserver', 'mongo.archive.gz']);
    expect(fs.readFileSync(bucket('20261201T013000Z/fileserver/1234/artifacts/model.pkl'), 'utf8')).toBe('weights');
    const uploads = calls('aws').filter((c) => c[2] === 'cp' || c[2] === 'sync').map((c) => c[c.length - 1]);
    expect(uploads[uploads.length - 1]).toBe('s3://bucket/clearml/clearml/20261201T013000Z/backup.env');
    expect(fs.readFileSync(path.join(dir, 'work/.aws/config'), 'utf8')).toMatch(/addressing_style = path/);
  });
});

describe('Elasticsearch keystore', () => {
  test('the S3 keys go in through stdin, never as arguments, and the keystore is copied for the main container', () => {
    fs.mkdirSync(path.join(dir, 'config'));
    fs.mkdirSync(path.join(dir, 'keystore'));
    const r = run(KEYSTORE_SCRIPT, { ES_PATH_CONF: path.join(dir, 'config'), KEYSTORE_DIR: path.join(dir, 'keystore'), S3_ACCESS_KEY: 'AK1', S3_SECRET_KEY: 's3cr3t' });
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'keystore/elasticsearch.keystore'), 'utf8')).toBe('s3.client.default.access_key=AK1\ns3.client.default.secret_key=s3cr3t\n');
    const args = calls('elasticsearch-keystore').map((c) => c.slice(1));
    expect(args).toEqual([['create'], ['add', '--force', '--stdin', 's3.client.default.access_key'], ['add', '--force', '--stdin', 's3.client.default.secret_key']]);
  });

  test('an existing keystore is kept, not recreated', () => {
    fs.mkdirSync(path.join(dir, 'config'));
    fs.mkdirSync(path.join(dir, 'keystore'));
    fs.writeFileSync(path.join(dir, 'config/elasticsearch.keystore'), 'keystore.seed=x\n');
    expect(run(KEYSTORE_SCRIPT, { ES_PATH_CONF: path.join(dir, 'config'), KEYSTORE_DIR: path.join(dir, 'keystore'), S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b' }).status).toBe(0);
    expect(calls('elasticsearch-keystore').map((c) => c[1])).toEqual(['add', 'add']);
    expect(fs.readFileSync(path.join(dir, 'keystore/elasticsearch.keystore'), 'utf8')).toMatch(/^keystore\.seed=x\n/);
  });
});
