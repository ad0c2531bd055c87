/**
 * Behaviour of the replica-set sidecar script, executed with /bin/sh against fakes: a `mongosh` shim
 * answers each snippet from scripted sequences (the last answer repeats) and records what was asked,
 * and `sleep` returns at once, so the waits and retries run offline in milliseconds.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { find, synthServer } from './support/synth';

interface Answers {
  /** Failed pings before mongod answers. */
  readonly pingFailures?: number;
  /** Whether `root` authenticates. */
  readonly canAuth: 'yes' | 'no';
  readonly status?: string[];
  readonly initiate?: string[];
  readonly primary?: string[];
  readonly createUser?: string[];
  /** Members missing from the set: `none` or `missing:<host>,...`. @default ['none'] */
  readonly missing?: string[];
  readonly add?: string[];
}

interface Run { readonly status: number | null; readonly stdout: string; readonly calls: string[] }

const objects = synthServer({ defaultStorage: { type: 'claim' }, mongo: { replicas: 3 } });
const sidecar = find(objects, 'StatefulSet', 'clearml-mongo').spec.template.spec.containers.find((c: { name: string }) => c.name === 'replica-set');
const script: string = sidecar.command[2];
const rsConfig: string = sidecar.env.find((e: { name: string }) => e.name === 'RS_CONFIG').value;

/** Answers the next scripted value of a sequence, keeping a cursor per sequence in the state directory. */
const MONGOSH = String.raw`js="$5"
auth=""; case "$js" in *'.auth("root"'*'replSet'*|*'.auth("root"'*'rs.'*|*'.auth("root"'*'createUser'*) auth=" as-root";; esac
answer() { key="$1"; seq="$2"; n=$(cat "$STATE/$key" 2>/dev/null || echo 0); echo $((n+1)) > "$STATE/$key"; set -- $seq; last=""; i=0; for v in "$@"; do last="$v"; if [ "$i" -eq "$n" ]; then echo "$v"; return; fi; i=$((i+1)); done; echo "$last"; }
case "$js" in
  *'ping: 1'*) n=$(cat "$STATE/ping" 2>/dev/null || echo 0); echo $((n+1)) > "$STATE/ping"; echo "ping" >> "$LOG"; [ "$n" -ge "$PING_FAILURES" ] && echo 1; exit 0 ;;
  *'print("yes")'*) echo "can-auth" >> "$LOG"; echo "$CAN_AUTH" ;;
  *replSetGetStatus*) echo "status$auth" >> "$LOG"; answer status "$STATUS" ;;
  *replSetInitiate*) echo "initiate$auth" >> "$LOG"; case "$js" in *'process.env.RS_CONFIG'*) ;; *) echo "initiate without RS_CONFIG" >> "$LOG";; esac; answer initiate "$INITIATE" ;;
  *isWritablePrimary*) echo "primary" >> "$LOG"; answer primary "$PRIMARY" ;;
  *createUser*) echo "create-user$auth" >> "$LOG"; answer create "$CREATE" ;;
  *rs.conf*) echo "missing$auth via $1" >> "$LOG"; answer missing "$MISSING" ;;
  *rs.add*) echo "add $RS_ADD$auth" >> "$LOG"; answer add "$ADD" ;;
  *) echo "unknown snippet: $js" >> "$LOG"; exit 1 ;;
esac`;

function run(member: number, a: Answers): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-rs-'));
  const bin = path.join(dir, 'bin');
  const state = path.join(dir, 'state');
  fs.mkdirSync(bin);
  fs.mkdirSync(state);
  const log = path.join(dir, 'calls.log');
  fs.writeFileSync(path.join(bin, 'mongosh'), `#!/bin/sh\n${MONGOSH}\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'sleep'), `#!/bin/sh\necho "sleep $1" >> "$LOG"\n`, { mode: 0o755 });
  const result = spawnSync('/bin/sh', ['-c', script], {
    encoding: 'utf8',
    timeout: 20000,
    env: {
      PATH: `${bin}:/usr/bin:/bin`, HOSTNAME: `clearml-mongo-${member}`, LOG: log, STATE: state, RS_CONFIG: rsConfig, MONGO_ROOT_PASSWORD: 'PW',
      PING_FAILURES: String(a.pingFailures ?? 0), CAN_AUTH: a.canAuth,
      STATUS: (a.status ?? []).join(' '), INITIATE: (a.initiate ?? []).join(' '), PRIMARY: (a.primary ?? []).join(' '), CREATE: (a.createUser ?? []).join(' '), MISSING: (a.missing ?? ['none']).join(' '), ADD: (a.add ?? []).join(' '),
    },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: result.status, stdout: result.stdout, calls };
}

describe('replica-set sidecar script', () => {
  test('a fresh set: waits for mongod, retries initiation until every member answers, waits for primary, creates root once', () => {
    const r = run(0, { pingFailures: 2, canAuth: 'no', status: ['code:94'], initiate: ['code:74', 'ok'], primary: ['false', 'true'], createUser: ['created'] });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      'ping', 'sleep 2', 'ping', 'sleep 2', 'ping', 'can-auth',
      'status', 'initiate', 'sleep 5', 'status', 'initiate',
      'primary', 'sleep 2', 'primary', 'create-user',
      'missing as-root via mongodb://127.0.0.1:27017/?replicaSet=rs0',
      'sleep infinity',
    ]);
    expect(r.stdout).toContain('cannot initiate yet (code:74)');
    expect(r.stdout).toContain('created user root');
    expect(r.stdout).toContain('ready');
  });

  test('a re-run on a finished set changes nothing: it authenticates as root and neither initiates nor creates users', () => {
    const r = run(0, { canAuth: 'yes', status: ['initiated'] });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['ping', 'can-auth', 'status as-root', 'missing as-root via mongodb://127.0.0.1:27017/?replicaSet=rs0', 'sleep infinity']);
  });

  test('root exists but the set is not initiated: initiates as root, creates no user', () => {
    const r = run(0, { canAuth: 'yes', status: ['code:94'], initiate: ['ok'] });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['ping', 'can-auth', 'status as-root', 'initiate as-root', 'missing as-root via mongodb://127.0.0.1:27017/?replicaSet=rs0', 'sleep infinity']);
  });

  test('a standalone\'s data (no users, status hidden) or a run interrupted after initiation: AlreadyInitialized still leads to the root user', () => {
    const r = run(0, { canAuth: 'no', status: ['code:13'], initiate: ['code:23'], primary: ['true'], createUser: ['created'] });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['ping', 'can-auth', 'status', 'initiate', 'primary', 'create-user', 'missing as-root via mongodb://127.0.0.1:27017/?replicaSet=rs0', 'sleep infinity']);
  });

  test('other members only wait for mongod and idle: member 0 alone initiates', () => {
    const r = run(2, { pingFailures: 1, canAuth: 'no', status: ['code:94'] });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['ping', 'sleep 2', 'ping', 'sleep infinity']);
    expect(r.stdout).toContain('member 2: member 0 initiates');
  });

  test('data with other users and no root with the Secret\'s password: fails loudly instead of retrying forever', () => {
    const r = run(0, { canAuth: 'no', status: ['code:13'], initiate: ['code:13'] });
    expect(r.status).toBe(1);
    expect(r.calls).not.toContain('create-user');
    expect(r.stdout).toContain('not authorized: the data has users');
  });

  test('a failed user creation fails the container (it restarts and tries again)', () => {
    const r = run(0, { canAuth: 'no', status: ['code:94'], initiate: ['ok'], primary: ['true'], createUser: ['code:11000'] });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('cannot create user root (code:11000)');
  });

  test('an unexpected status is retried, not mistaken for an uninitiated set', () => {
    const r = run(0, { canAuth: 'yes', status: ['code:6', 'initiated'] });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['ping', 'can-auth', 'status as-root', 'sleep 5', 'status as-root', 'missing as-root via mongodb://127.0.0.1:27017/?replicaSet=rs0', 'sleep infinity']);
  });

  test('a scale-up: members the configuration names but the set lacks are added through the primary, retried until accepted', () => {
    const r = run(0, { canAuth: 'yes', status: ['initiated'], missing: ['missing:m-3:27017,m-4:27017'], add: ['code:109', 'ok'] });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['ping', 'can-auth', 'status as-root', 'missing as-root via mongodb://127.0.0.1:27017/?replicaSet=rs0',
      'add m-3:27017 as-root', 'sleep 5', 'add m-3:27017 as-root', 'add m-4:27017 as-root', 'sleep infinity']);
    expect(r.stdout).toContain('added m-4:27017');
  });

  test('a failed comparison of members is logged, not fatal: the set keeps working', () => {
    const r = run(0, { canAuth: 'yes', status: ['initiated'], missing: ['code:13'] });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('cannot compare the members with the configuration (code:13)');
  });
});

describe('key file init container', () => {
  const init = find(objects, 'StatefulSet', 'clearml-mongo').spec.template.spec.initContainers.find((c: { name: string }) => c.name === 'keyfile');

  test('copies the key to a file only its owner can read, also when the pod restarts and the copy exists', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-keyfile-'));
    fs.mkdirSync(path.join(dir, 'secret'));
    fs.mkdirSync(path.join(dir, 'keyfile'));
    fs.writeFileSync(path.join(dir, 'secret', 'keyfile'), 'ABC123', { mode: 0o440 });
    const command = (init.command[2] as string).replace(/\/etc\/mongo-keyfile-secret/g, `${dir}/secret`).replace(/\/etc\/mongo-keyfile/g, `${dir}/keyfile`);
    for (const attempt of [1, 2]) {
      const r = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
      expect({ attempt, status: r.status, stderr: r.stderr }).toEqual({ attempt, status: 0, stderr: '' });
      expect(fs.statSync(path.join(dir, 'keyfile', 'keyfile')).mode & 0o777).toBe(0o400);
      expect(fs.readFileSync(path.join(dir, 'keyfile', 'keyfile'), 'utf8')).toBe('ABC123');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
