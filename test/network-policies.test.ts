import { parse } from 'yaml';
import { ALL_OPTIONS } from './support/configs';
import { Manifest, synthServer, workloads } from './support/synth';

/** A pod that opens a connection: its labels and namespace. */
interface Peer { readonly labels: Record<string, string>; readonly namespace: string }

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

/**
 * NetworkPolicy ingress semantics, for the subset of the API the library uses: a pod selected by no
 * Ingress policy accepts everything; otherwise a connection needs one rule whose ports and peers match.
 */
function canReach(objects: Manifest[], from: Peer, to: Peer, port: number): boolean {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === to.namespace
    && o.spec.policyTypes.includes('Ingress') && matches(o.spec.podSelector.matchLabels, to.labels));
  if (policies.length === 0) return true;
  return policies.some((p) => (p.spec.ingress ?? []).some((rule: Manifest) =>
    (rule.ports === undefined || rule.ports.some((rp: Manifest) => rp.port === port))
    && (rule.from === undefined || rule.from.some((peer: Manifest) => from.namespace === to.namespace && matches(peer.podSelector.matchLabels, from.labels)))));
}

function pods(objects: Manifest[]): Record<string, Peer> {
  return Object.fromEntries(workloads(objects).map((w) => [
    w.metadata.labels['app.kubernetes.io/component'],
    { labels: w.spec.template.metadata.labels, namespace: w.metadata.namespace },
  ]));
}

const objects = synthServer({ agentServices: ALL_OPTIONS.agentServices });
const pod = pods(objects);
const outsider: Peer = { labels: { app: 'something-else' }, namespace: 'default' };
const sameNamespaceStranger: Peer = { labels: { app: 'debug-shell' }, namespace: 'clearml' };
const sources: Record<string, Peer> = { ...pod, outsider, sameNamespaceStranger };

const expected: Array<[string, number, string[]]> = [
  // target, port, the only sources allowed
  ['elasticsearch', 9200, ['apiserver', 'async-delete']],
  ['mongo', 27017, ['apiserver', 'async-delete']],
  ['redis', 6379, ['apiserver', 'async-delete', 'fileserver']],
  ['apiserver', 8008, Object.keys(sources)],
  ['fileserver', 8081, Object.keys(sources)],
  ['webserver', 80, Object.keys(sources)],
  ['credentials-bootstrap', 8080, []],
  ['async-delete', 8080, []],
];

describe('NetworkPolicies (on by default)', () => {
  test.each(expected)('%s:%d accepts connections only from %j', (target, port, allowed) => {
    const reachable = Object.entries(sources).filter(([, src]) => canReach(objects, src, pod[target], port)).map(([name]) => name);
    expect(reachable.sort()).toEqual([...allowed].sort());
  });

  test('servers accept nothing on ports they do not serve', () => {
    expect(canReach(objects, outsider, pod.apiserver, 9200)).toBe(false);
    expect(canReach(objects, pod.apiserver, pod.elasticsearch, 9300)).toBe(false);
  });

  test('the policies select only this installation: a second installation in the namespace is untouched', () => {
    const other: Peer = { labels: { 'app.kubernetes.io/name': 'clearml', 'app.kubernetes.io/instance': 'other', 'app.kubernetes.io/component': 'mongo' }, namespace: 'clearml' };
    expect(canReach(objects, outsider, other, 27017)).toBe(true);
  });

  test('one option turns them off', () => {
    const off = synthServer({ networkPolicies: { enabled: false } });
    expect(off.some((o) => o.kind === 'NetworkPolicy')).toBe(false);
  });
});

describe('NetworkPolicies of a MongoDB replica set', () => {
  const rs = synthServer({ defaultStorage: { type: 'claim' }, mongo: { replicas: 3 } });
  const rsPods = pods(rs);
  const rsSources: Record<string, Peer> = { ...rsPods, outsider, sameNamespaceStranger };

  test('members reach each other on 27017; otherwise only the apiserver and async-delete do', () => {
    const reachable = Object.entries(rsSources).filter(([, src]) => canReach(rs, src, rsPods.mongo, 27017)).map(([name]) => name);
    expect(reachable.sort()).toEqual(['apiserver', 'async-delete', 'mongo']);
  });

  test('the members\' own rule admits nothing else: not other ports, not other data stores', () => {
    expect(canReach(rs, rsPods.mongo, rsPods.elasticsearch, 9200)).toBe(false);
    expect(canReach(rs, rsPods.mongo, rsPods.redis, 6379)).toBe(false);
    expect(canReach(rs, rsPods.mongo, rsPods.mongo, 27018)).toBe(false);
  });

  test('the key-file bootstrap Job accepts no connections', () => {
    expect(Object.values(rsSources).some((src) => canReach(rs, src, rsPods['mongo-auth-bootstrap'], 8080))).toBe(false);
  });
});

describe('NetworkPolicies with agents: task pods reach the servers, never the data stores', () => {
  const withAgents = synthServer({
    agentServices: ALL_OPTIONS.agentServices,
    agents: [{ name: 'cpu', queues: ['default'] }, { name: 'dev', queues: ['interactive'], sessions: { enabled: true } }],
  });
  const server = pods(withAgents);
  const taskPod = (agent: string): Peer => {
    const template = parse(withAgents.find((o) => o.kind === 'ConfigMap' && o.metadata.name === `clearml-agent-${agent}`)!.data['template.yaml']);
    return { labels: { ...template.metadata.labels, 'ai.allegro.agent.serial': 'pod-1' }, namespace: template.metadata.namespace };
  };
  const agentSources: Record<string, Peer> = { 'agent-cpu': server['agent-cpu'], 'agent-cpu-task': taskPod('cpu'), 'agent-dev-task': taskPod('dev') };

  test.each<[string, number, string[]]>([
    ['elasticsearch', 9200, []],
    ['mongo', 27017, []],
    ['redis', 6379, []],
    ['apiserver', 8008, Object.keys(agentSources)],
    ['fileserver', 8081, Object.keys(agentSources)],
    ['webserver', 80, Object.keys(agentSources)],
  ])('%s:%d accepts from the agents only %j', (target, port, allowed) => {
    const reachable = Object.entries(agentSources).filter(([, src]) => canReach(withAgents, src, server[target], port)).map(([name]) => name);
    expect(reachable.sort()).toEqual([...allowed].sort());
  });

  test('nothing connects to a glue or a task pod, except sessions on their port', () => {
    for (const src of [outsider, server.apiserver, taskPod('dev')]) {
      expect(canReach(withAgents, src, server['agent-cpu'], 8080)).toBe(false);
      expect(canReach(withAgents, src, taskPod('cpu'), 10022)).toBe(false);
      expect(canReach(withAgents, src, taskPod('dev'), 10022)).toBe(true);
      expect(canReach(withAgents, src, taskPod('dev'), 22)).toBe(false);
    }
  });
});
