import * as k8s from '../../imports/k8s';
import { ClearmlConfigError } from './errors';
import { ResourceSpec } from './resources';
import { SchedulingOptions } from './scheduling';

/** Options every component takes. */
export interface ComponentOptions {
  /** Requests and limits, merged onto the component's defaults. @default - the component's defaults (README) */
  readonly resources?: ResourceSpec;
  /** Scheduling of this component's pods, on top of the global `scheduling`. @default - the global scheduling */
  readonly scheduling?: SchedulingOptions;
  /** Extra environment variables; names the library sets itself are refused. @default {} */
  readonly env?: Record<string, string>;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** The library's environment plus the user's extra variables, which may not redefine ours. */
export function withExtraEnv(option: string, env: k8s.EnvVar[], extra: Record<string, string> = {}): k8s.EnvVar[] {
  const taken = new Set(env.map((e) => e.name));
  return [...env, ...Object.entries(extra).map(([name, value]) => {
    if (!ENV_NAME.test(name)) {
      throw new ClearmlConfigError(`${option}.${name}`, 'is not a valid environment variable name (letters, digits, "_", "-" and ".", not starting with a digit)');
    }
    if (taken.has(name)) {
      throw new ClearmlConfigError(`${option}.${name}`, 'is set by the library; use the matching option instead');
    }
    if (typeof value !== 'string') {
      throw new ClearmlConfigError(`${option}.${name}`, `must be a string (got ${typeof value})`);
    }
    return { name, value };
  })];
}
