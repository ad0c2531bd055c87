import * as k8s from '../../imports/k8s';

/** Timing of a probe; the handler is added by the helpers below. */
export interface ProbeTiming {
  /** Seconds between checks. */
  readonly periodSeconds?: number;
  /** Seconds before a check counts as failed. */
  readonly timeoutSeconds?: number;
  /** Consecutive failures before the probe fails. */
  readonly failureThreshold?: number;
  /** Seconds after start before the first check. */
  readonly initialDelaySeconds?: number;
}

/** Liveness, readiness and (for slow starters) startup probes of one container. */
export interface ContainerProbes {
  readonly liveness: k8s.Probe;
  readonly readiness: k8s.Probe;
  readonly startup?: k8s.Probe;
}

const DEFAULT_TIMING: Required<ProbeTiming> = { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, initialDelaySeconds: 0 };

function withTiming(handler: Partial<k8s.Probe>, timing: ProbeTiming = {}): k8s.Probe {
  const t = { ...DEFAULT_TIMING, ...timing };
  return {
    ...handler,
    ...(t.initialDelaySeconds ? { initialDelaySeconds: t.initialDelaySeconds } : {}),
    periodSeconds: t.periodSeconds,
    timeoutSeconds: t.timeoutSeconds,
    failureThreshold: t.failureThreshold,
  };
}

/** HTTP GET on a named container port. */
export function httpProbe(path: string, port: string, timing?: ProbeTiming): k8s.Probe {
  return withTiming({ httpGet: { path, port: k8s.IntOrString.fromString(port) } }, timing);
}

/** A command inside the container; exit code 0 is healthy. */
export function execProbe(command: string[], timing?: ProbeTiming): k8s.Probe {
  return withTiming({ exec: { command } }, timing);
}

/** Startup probe that allows `maxSeconds` for the first success before liveness takes over. */
export function startupProbe(handler: k8s.Probe, maxSeconds: number, periodSeconds = 10): k8s.Probe {
  const { httpGet, exec, tcpSocket } = handler;
  return withTiming({ httpGet, exec, tcpSocket }, { periodSeconds, failureThreshold: Math.ceil(maxSeconds / periodSeconds) });
}

/** Readiness of a worker without a port: the service it works against answers (Python images). */
export function pythonUrlProbe(url: string, timing?: ProbeTiming): k8s.Probe {
  return execProbe(['python3', '-c', `import urllib.request; urllib.request.urlopen(${JSON.stringify(url)}, timeout=5)`], { timeoutSeconds: 10, ...timing });
}

/** Liveness of a worker without a port: its main process is neither a zombie nor stopped. */
export function processAliveProbe(timing?: ProbeTiming): k8s.Probe {
  return execProbe(['sh', '-c', 'state=$(sed -n "s/^State:[[:space:]]*\\([A-Z]\\).*/\\1/p" /proc/1/status); [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != T ]'], { periodSeconds: 30, ...timing });
}
