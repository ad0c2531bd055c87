/**
 * Behaviour of the host preparation init script, executed with /bin/sh against fakes: PATH shims stand in
 * for `cat` (only for /proc/sys/vm/max_map_count), `sysctl`, `mkdir`, `stat` and `chown`, and record
 * every call to a log file, so nothing touches the real node.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ClearmlServerProps } from '../lib';
import { find, synthServer } from './support/synth';

interface PrepContainer {
  readonly script: string;
  readonly args: string[];
}

interface RunOptions {
  /** What `cat /proc/sys/vm/max_map_count` prints. */
  readonly nodeMaxMapCount: number;
  /** Owner (`uid:gid`) `stat -c %u:%g` reports per directory (full /host path); default 0:0. */
  readonly owners?: Record<string, string>;
  /** A directory (full /host path) whose `mkdir -p` fails. */
  readonly failMkdir?: string;
}

interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Calls of the shimmed commands, as argv arrays (command name first), in order. */
  readonly calls: string[][];
}

const DEFAULT_MAX_MAP_COUNT = 262144;

function realPath(command: string): string {
  const found = ['/usr/bin', '/bin'].map((d) => path.join(d, command)).find((p) => fs.existsSync(p));
  if (!found) throw new Error(`no ${command} on this machine`);
  return found;
}

/** One log line per call: the command name and each argument, tab-separated. */
const LOG_CALL = 'printf "%s" "$(basename "$0")" >> "$SHIM_LOG"; for a in "$@"; do printf "\\t%s" "$a" >> "$SHIM_LOG"; done; printf "\\n" >> "$SHIM_LOG"';

const SHIMS: Record<string, string> = {
  cat: [
    'if [ "$#" -eq 1 ] && [ "$1" = /proc/sys/vm/max_map_count ]; then',
    `  ${LOG_CALL}`,
    '  echo "$FAKE_MAX_MAP_COUNT"',
    '  exit 0',
    'fi',
    `exec ${realPath('cat')} "$@"`,
  ].join('\n'),
  sysctl: LOG_CALL,
  chown: LOG_CALL,
  mkdir: [
    LOG_CALL,
    'for a in "$@"; do',
    '  if [ -n "${FAKE_MKDIR_FAIL:-}" ] && [ "$a" = "$FAKE_MKDIR_FAIL" ]; then',
    '    echo "mkdir: can\'t create directory \'$a\': Permission denied" >&2',
    '    exit 1',
    '  fi',
    'done',
  ].join('\n'),
  // `stat -c %u:%g DIR`: the owner configured for DIR in $FAKE_OWNERS ("DIR<TAB>uid:gid" lines), else 0:0.
  stat: [
    LOG_CALL,
    'for last in "$@"; do :; done',
    'owner=0:0',
    'while IFS="$(printf "\\t")" read -r dir own; do',
    '  if [ "$dir" = "$last" ]; then owner="$own"; fi',
    'done < "$FAKE_OWNERS"',
    'echo "$owner"',
  ].join('\n'),
};

let workDir: string;
let shimDir: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-prep-'));
  shimDir = path.join(workDir, 'bin');
  fs.mkdirSync(shimDir);
  for (const [name, body] of Object.entries(SHIMS)) {
    fs.writeFileSync(path.join(shimDir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
});

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** The init container's script and arguments, exactly as synthesized. */
function prepContainer(props?: ClearmlServerProps): PrepContainer {
  const ds = find(synthServer(props), 'DaemonSet', 'clearml-host-prep');
  const init = ds.spec.template.spec.initContainers[0];
  expect(init.command.slice(0, 2)).toEqual(['sh', '-c']);
  expect(init.command).toHaveLength(3);
  return { script: init.command[2], args: init.args };
}

let runCount = 0;

/** Runs the script like the container does (`sh -c SCRIPT prepare-host DIR...`), against the shims. */
function run(prep: PrepContainer, opts: RunOptions): RunResult {
  const id = `${runCount++}`;
  const log = path.join(workDir, `calls-${id}.log`);
  const owners = path.join(workDir, `owners-${id}.tsv`);
  fs.writeFileSync(log, '');
  fs.writeFileSync(owners, Object.entries(opts.owners ?? {}).map(([d, o]) => `${d}\t${o}\n`).join(''));
  const result = spawnSync('/bin/sh', ['-c', prep.script, ...prep.args], {
    encoding: 'utf8',
    timeout: 10_000,
    env: {
      PATH: `${shimDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      SHIM_LOG: log,
      FAKE_MAX_MAP_COUNT: String(opts.nodeMaxMapCount),
      FAKE_OWNERS: owners,
      FAKE_MKDIR_FAIL: opts.failMkdir ?? '',
    },
  });
  if (result.error) throw result.error;
  const calls = fs.readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

function callsOf(result: RunResult, command: string): string[][] {
  return result.calls.filter((c) => c[0] === command).map((c) => c.slice(1));
}

/** `path[:uid:gid]` arguments, split. */
function directories(prep: PrepContainer): Array<{ host: string; owner?: string }> {
  expect(prep.args[0]).toBe('prepare-host'); // $0 of `sh -c`, not a directory
  return prep.args.slice(1).map((spec) => {
    const [p, ...owner] = spec.split(':');
    return { host: `/host${p}`, owner: owner.length ? owner.join(':') : undefined };
  });
}

describe('vm.max_map_count', () => {
  const prep = () => prepContainer();

  test('a lower node value is raised to the wanted value', () => {
    const result = run(prep(), { nodeMaxMapCount: 65530 });
    expect(result.status).toBe(0);
    expect(callsOf(result, 'cat')).toEqual([['/proc/sys/vm/max_map_count']]);
    expect(callsOf(result, 'sysctl')).toEqual([['-w', `vm.max_map_count=${DEFAULT_MAX_MAP_COUNT}`]]);
    expect(result.stdout).toContain(`raised from 65530 to ${DEFAULT_MAX_MAP_COUNT}`);
  });

  test('an equal node value is left alone', () => {
    const result = run(prep(), { nodeMaxMapCount: DEFAULT_MAX_MAP_COUNT });
    expect(result.status).toBe(0);
    expect(callsOf(result, 'sysctl')).toEqual([]);
    expect(result.stdout).toContain('unchanged');
  });

  test('a higher node value is never lowered', () => {
    const result = run(prep(), { nodeMaxMapCount: 1048576 });
    expect(result.status).toBe(0);
    expect(callsOf(result, 'sysctl')).toEqual([]);
    expect(result.stdout).toContain('vm.max_map_count is 1048576');
  });

  test('a configured maxMapCount is honoured', () => {
    const custom = prepContainer({ hostPreparation: { maxMapCount: 524288 } });
    const raised = run(custom, { nodeMaxMapCount: DEFAULT_MAX_MAP_COUNT });
    expect(raised.status).toBe(0);
    expect(callsOf(raised, 'sysctl')).toEqual([['-w', 'vm.max_map_count=524288']]);

    const kept = run(custom, { nodeMaxMapCount: 524288 });
    expect(kept.status).toBe(0);
    expect(callsOf(kept, 'sysctl')).toEqual([]);
  });

  test('the real cat is used for anything else', () => {
    // Guards the shim itself: only the sysctl file is faked.
    const file = path.join(workDir, 'plain.txt');
    fs.writeFileSync(file, 'hello\n');
    const result = spawnSync(path.join(shimDir, 'cat'), [file], { encoding: 'utf8', env: { SHIM_LOG: '/dev/null' } });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('hello\n');
  });
});

describe('directories', () => {
  const prep = prepContainer();
  const dirs = directories(prep);

  test('the synthesized arguments cover owned and unowned directories', () => {
    // The cases below are only meaningful when both kinds exist.
    expect(dirs.filter((d) => d.owner !== undefined).length).toBeGreaterThan(0);
    expect(dirs.filter((d) => d.owner === undefined).length).toBeGreaterThan(0);
    for (const d of dirs) {
      expect(d.host).toMatch(/^\/host\/[^:]+$/);
      if (d.owner !== undefined) expect(d.owner).toMatch(/^\d+:\d+$/);
    }
  });

  test('every directory is created under /host', () => {
    const result = run(prep, { nodeMaxMapCount: DEFAULT_MAX_MAP_COUNT });
    expect(result.status).toBe(0);
    expect(callsOf(result, 'mkdir')).toEqual(dirs.map((d) => ['-p', d.host]));
    for (const d of dirs) expect(result.stdout).toContain(`${d.host}: ready`);
  });

  test('a directory already owned as wanted is not chowned; one owned otherwise is, recursively', () => {
    const owned = dirs.filter((d) => d.owner !== undefined);
    const [matching, ...differing] = owned;
    // 0:0 (the default of the stat shim) is what a fresh mkdir by root gives.
    const result = run(prep, { nodeMaxMapCount: DEFAULT_MAX_MAP_COUNT, owners: { [matching.host]: matching.owner! } });
    expect(result.status).toBe(0);
    expect(callsOf(result, 'chown')).toEqual(differing.map((d) => ['-R', d.owner!, d.host]));
    expect(result.stdout).not.toContain(`${matching.host}: owner set`);
    for (const d of differing) expect(result.stdout).toContain(`${d.host}: owner set to ${d.owner}`);
  });

  test('nothing is chowned when every owner already matches (a restart does not walk the data)', () => {
    const owners = Object.fromEntries(dirs.filter((d) => d.owner !== undefined).map((d) => [d.host, d.owner!]));
    const result = run(prep, { nodeMaxMapCount: DEFAULT_MAX_MAP_COUNT, owners });
    expect(result.status).toBe(0);
    expect(callsOf(result, 'chown')).toEqual([]);
  });

  test('a directory owned by another uid with the same gid is still chowned', () => {
    const d = dirs.find((x) => x.owner !== undefined)!;
    const [uid, gid] = d.owner!.split(':');
    const result = run(prep, { nodeMaxMapCount: DEFAULT_MAX_MAP_COUNT, owners: { [d.host]: `${Number(uid) + 1}:${gid}` } });
    expect(result.status).toBe(0);
    expect(callsOf(result, 'chown')).toContainEqual(['-R', d.owner!, d.host]);
  });

  test('directories without an owner are never stat-ed nor chowned', () => {
    const unowned = dirs.filter((d) => d.owner === undefined);
    const owners = Object.fromEntries(unowned.map((d) => [d.host, '12345:12345']));
    const result = run(prep, { nodeMaxMapCount: DEFAULT_MAX_MAP_COUNT, owners });
    expect(result.status).toBe(0);
    const touched = [...callsOf(result, 'chown'), ...callsOf(result, 'stat')].map((args) => args[args.length - 1]);
    for (const d of unowned) expect(touched).not.toContain(d.host);
  });

  test('a failing mkdir fails the script (set -eu) and stops there', () => {
    const failing = dirs[1];
    const result = run(prep, { nodeMaxMapCount: DEFAULT_MAX_MAP_COUNT, failMkdir: failing.host });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`can't create directory '${failing.host}'`);
    expect(callsOf(result, 'mkdir')).toEqual([['-p', dirs[0].host], ['-p', failing.host]]);
    expect(result.stdout).not.toContain(`${failing.host}: ready`);
    for (const d of dirs.slice(2)) expect(result.calls.flat()).not.toContain(d.host);
  });
});
