import * as fs from 'fs';
import { ClearmlServer } from '../../lib';
import { defaultApp } from '../../lib/app/default-app';
import { withConfigFile } from '../../lib/config/load';

/** What the default app did with a configuration file. */
export interface AppRun {
  /** The exit code main.ts would end with. */
  readonly status: number;
  /** What it would print on stderr. */
  readonly stderr: string;
  /** The files written to the output directory. */
  readonly written: string[];
}

/**
 * What the default app (main.ts) does with the configuration file `configFile` (relative to `cwd`; without
 * one, `clearml.yaml` there if it exists), in this process: load it, build the construct, and synthesize
 * into `outdir` unless `check`. The specs run the real commands too, a few times; a process start costs
 * more than a synth.
 */
export function runDefaultApp(configFile: string | undefined, outdir: string, options: { readonly cwd?: string; readonly check?: boolean } = {}): AppRun {
  const { app, chart } = defaultApp(outdir);
  let stderr = '';
  let status = 0;
  withConfigFile((props) => new ClearmlServer(chart, 'server', props), {
    env: configFile === undefined ? {} : { CLEARML_CONFIG: configFile },
    cwd: options.cwd,
    writeError: (t) => { stderr += t; },
    exit: (code) => { status = code; return undefined as never; },
  });
  if (status === 0 && !options.check) {
    try {
      app.synth();
    } catch (e) {
      stderr += `error: ${(e as Error).message}\n`;
      status = 1;
    }
  }
  return { status, stderr, written: fs.existsSync(outdir) ? fs.readdirSync(outdir) : [] };
}
