/**
 * All mistakes of a configuration at once. The shape checks collect every bad key themselves; the
 * construct stops at its first error, so it is built again without each option it refused (in a
 * throwaway app, nothing is written) until it accepts the rest or stops making progress.
 */
import { App, Chart } from 'cdk8s';
import { ClearmlServer, ClearmlServerProps } from '../clearml-server';
import { ClearmlConfigError } from '../core/errors';
import { ConfigPath } from './validate';

/** More rounds than any file has mistakes; each round is one synth-free construct build (milliseconds). */
const MAX_ROUNDS = 50;

/** A copy of `value` without the key at `path`, or undefined when the value does not hold that key. */
export function withoutPath(value: unknown, path: ConfigPath): unknown | undefined {
  if (path.length === 0) return undefined;
  const [head, ...rest] = path;
  if (Array.isArray(value) && typeof head === 'number' && head < value.length) {
    if (rest.length === 0) return value.filter((_, i) => i !== head);
    const inner = withoutPath(value[head], rest);
    return inner === undefined ? undefined : value.map((v, i) => (i === head ? inner : v));
  }
  if (isObject(value) && typeof head === 'string' && head in value) {
    if (rest.length === 0) {
      const { [head]: _dropped, ...others } = value;
      return others;
    }
    const inner = withoutPath(value[head], rest);
    return inner === undefined ? undefined : { ...value, [head]: inner };
  }
  return undefined;
}

/**
 * The key path of an option as the construct names it (`exposure.serviceAnnotations.example.com/lb`,
 * `imagePullSecrets[0]`) within `value`: keys may hold dots, so the longest key that matches wins. Stops
 * at the deepest key the value holds.
 */
export function optionPath(value: unknown, option: string): ConfigPath {
  if (option === '') return [];
  if (Array.isArray(value)) {
    const m = /^\[(\d+)\]\.?/.exec(option);
    if (!m || Number(m[1]) >= value.length) return [];
    return [Number(m[1]), ...optionPath(value[Number(m[1])], option.slice(m[0].length))];
  }
  if (!isObject(value)) return [];
  const key = Object.keys(value)
    .filter((k) => option === k || option.startsWith(`${k}.`) || option.startsWith(`${k}[`))
    .sort((a, b) => b.length - a.length)[0];
  if (key === undefined) return [];
  return [key, ...optionPath(value[key], option.slice(key.length).replace(/^\./, ''))];
}

/** A list item taken out of the props, so that later options of the same list are renumbered back. */
interface Removal {
  readonly list: string;
  readonly index: number;
}

/** `option` (named in the props after `removal`) as named in the props before it. */
function beforeRemoval(option: string, removal: Removal): string {
  const m = option.startsWith(`${removal.list}[`) ? /^\[(\d+)\]/.exec(option.slice(removal.list.length)) : null;
  if (!m || Number(m[1]) < removal.index) return option;
  return `${removal.list}[${Number(m[1]) + 1}]${option.slice(removal.list.length + m[0].length)}`;
}

/** Every error the construct raises for these props, in the order it finds them. */
export function constructErrors(props: ClearmlServerProps): ClearmlConfigError[] {
  const errors: ClearmlConfigError[] = [];
  const removals: Removal[] = [];
  const original = (option: string) => removals.reduceRight(beforeRemoval, option);
  let current: unknown = props;
  const warn = console.warn;
  console.warn = () => undefined; // warnings of the trial builds would repeat
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      try {
        new ClearmlServer(new Chart(new App(), 'check'), 'server', current as ClearmlServerProps);
        return errors;
      } catch (e) {
        if (!(e instanceof ClearmlConfigError)) throw e;
        const option = original(e.option);
        let path: ConfigPath;
        if (errors.some((x) => x.option === option)) {
          // The same option again: the construct needs the key that was taken away (a required one,
          // such as an agent's name), so what it says now is about the removal. Take out the whole list
          // item instead, if there is one, and go on with the others.
          const item = /^(.*)\[(\d+)\][^[]*$/.exec(e.option);
          if (!item) return errors;
          path = optionPath(current, `${item[1]}[${item[2]}]`);
          removals.push({ list: item[1], index: Number(item[2]) });
        } else {
          errors.push(option === e.option ? e : new ClearmlConfigError(option, e.message.slice(e.option.length + 2)));
          path = optionPath(current, e.option);
        }
        const next = path.length ? withoutPath(current, path) : undefined;
        if (next === undefined) return errors;
        current = next;
      }
    }
    return errors;
  } finally {
    console.warn = warn;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
