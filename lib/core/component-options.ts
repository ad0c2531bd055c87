import * as k8s from '../../imports/k8s';
import { ClearmlConfigError } from './errors';
import { ResourceSpec } from './resources';
import { SchedulingOptions } from './scheduling';

/** Options every component takes. */
export interface ComponentOptions {
  /** Requests and limits, merged onto the component's defaults. @default - the component's defaults (docs/options.md, "Default resources") */
  readonly resources?: ResourceSpec;
  /** Scheduling of this component's pods, on top of the global `scheduling`. @default - the global scheduling */
  readonly scheduling?: SchedulingOptions;
  /** Extra environment variables; names the library sets, and names ClearML reads for its wiring (`CLEARML__hosts__*`, `CLEARML__secure__*`, `*_SERVICE_HOST`/`_PORT`, data store connection settings), are refused. @default {} */
  readonly env?: Record<string, string>;
  /**
   * Escape hatch: environment variables set as given even when they override the library's wiring
   * (replacing its value). Nothing checks that the installation still works. @default {}
   */
  readonly unsafeEnv?: Record<string, string>;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Names ClearML reads for its wiring, case-insensitive as ClearML reads them: the data stores' and
 * servers' addresses and credentials (also as Kubernetes service-link variables), `hosts.*` and
 * `secure.*` settings, and the configuration directory.
 */
export const WIRING_ENV: readonly RegExp[] = [
  /^(CLEARML|TRAINS)__(hosts|secure)__/i,
  /^((CLEARML|TRAINS)_)?(ELASTIC|MONGODB|REDIS)_SERVICE_/i,
  /_SERVICE_(HOST|PORT)(_|$)/i,
  /^(CLEARML|TRAINS)_CONFIG_DIR$/i,
];

const WIRING_HELP = 'CLEARML__hosts__*, CLEARML__secure__*, *_SERVICE_HOST, *_SERVICE_PORT, [CLEARML_]{ELASTIC,MONGODB,REDIS}_SERVICE_*, CLEARML_CONFIG_DIR';

/**
 * The library's environment plus the user's extra variables, which may neither redefine ours nor
 * override ClearML's wiring; `unsafe` variables may (they replace ours in place).
 */
export function withExtraEnv(option: string, env: k8s.EnvVar[], extra: Record<string, string> = {}, unsafe: Record<string, string> = {}): k8s.EnvVar[] {
  const unsafeOption = option.replace(/\.env$/, '.unsafeEnv');
  const taken = new Set(env.map((e) => e.name.toLowerCase()));
  const check = (opt: string, name: string, value: unknown) => {
    if (!ENV_NAME.test(name)) {
      throw new ClearmlConfigError(`${opt}.${name}`, 'is not a valid environment variable name (letters, digits, "_", "-" and ".", not starting with a digit)');
    }
    if (typeof value !== 'string') {
      throw new ClearmlConfigError(`${opt}.${name}`, `must be a string (got ${typeof value})`);
    }
  };
  const extras = Object.entries(extra).map(([name, value]) => {
    check(option, name, value);
    if (taken.has(name.toLowerCase())) {
      throw new ClearmlConfigError(`${option}.${name}`, `is set by the library; use the matching option instead (or ${unsafeOption} to override it deliberately)`);
    }
    if (WIRING_ENV.some((re) => re.test(name))) {
      throw new ClearmlConfigError(`${option}.${name}`, `overrides ClearML's wiring, which the library sets (refused: ${WIRING_HELP}, in any case); use the matching option, or ${unsafeOption} to override it deliberately`);
    }
    return { name, value };
  });
  const overrides = new Map(Object.entries(unsafe).map(([name, value]) => {
    check(unsafeOption, name, value);
    if (Object.keys(extra).some((n) => n.toLowerCase() === name.toLowerCase())) {
      throw new ClearmlConfigError(`${unsafeOption}.${name}`, `is also in ${option}: set it in one of them`);
    }
    return [name, value] as const;
  }));
  // ClearML reads names case-insensitively: an override replaces the library's variable whatever its case.
  const overrideOf = (name: string) => [...overrides].find(([n]) => n.toLowerCase() === name.toLowerCase());
  const replaced = env.map((e) => {
    const o = overrideOf(e.name);
    return o ? { name: e.name, value: o[1] } : e;
  });
  const added = [...overrides].filter(([name]) => !env.some((e) => e.name.toLowerCase() === name.toLowerCase())).map(([name, value]) => ({ name, value }));
  return [...replaced, ...extras, ...added];
}
