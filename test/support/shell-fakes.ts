import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A shim body that logs its name and arguments (tab-separated, one line per call) to $SHIM_LOG. */
export const LOG_CALL = 'printf "%s" "$(basename "$0")" >> "$SHIM_LOG"; for a in "$@"; do printf "\\t%s" "$a" >> "$SHIM_LOG"; done; printf "\\n" >> "$SHIM_LOG"';

/** The result of one script. */
export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temporary directory with fake commands on PATH, where the backup and restore scripts run. */
export interface ShellSandbox {
  readonly dir: string;
  /** Runs a script with /bin/sh; the work, dump, files and fake-bucket paths point into the sandbox. */
  run(script: string, env?: Record<string, string>): ScriptRun;
  /** Logged calls of one fake command, as argv arrays (command name first), in order. */
  calls(command: string): string[][];
  remove(): void;
}

export function shellSandbox(shims: Record<string, string>, directories: readonly string[], defaults: Record<string, string>): ShellSandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-sh-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  for (const [name, body] of Object.entries(shims)) fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  for (const d of directories) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const log = path.join(dir, 'calls.log');
  return {
    dir,
    run(script, env = {}) {
      const r = spawnSync('/bin/sh', ['-c', script], {
        encoding: 'utf8',
        env: {
          PATH: `${bin}:/usr/bin:/bin`,
          SHIM_LOG: log,
          HOME: path.join(dir, 'work'),
          WORK: path.join(dir, 'work'),
          DUMP_DIR: path.join(dir, 'dump'),
          FILES_DIR: path.join(dir, 'files'),
          FAKE_S3: path.join(dir, 's3'),
          ...defaults,
          ...env,
        },
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    calls(command) {
      if (!fs.existsSync(log)) return [];
      return fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')).filter((c) => c[0] === command);
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
