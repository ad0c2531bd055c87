import { App, Chart } from 'cdk8s';
import { ClearmlServer, ClearmlServerProps } from '../lib';
import { testApp } from './support/synth';

/** Two installations in one app (in two charts, as a platform team composes them); what synth says. */
function synthBoth(a: ClearmlServerProps, b: ClearmlServerProps, app: App = testApp()): string {
  new ClearmlServer(new Chart(app, 'team-a', { disableResourceNameHashes: true }), 'server', a);
  new ClearmlServer(new Chart(app, 'team-b', { disableResourceNameHashes: true }), 'server', b);
  try {
    app.synthYaml();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

const SEPARATE: ClearmlServerProps = {
  name: 'team-b', namespace: 'clearml-team-b', nodeStorageRoot: '/opt/clearml-team-b',
  apiserver: { nodePort: 32008 }, webserver: { nodePort: 32080 }, fileserver: { nodePort: 32081 },
};

describe('two installations in one app', () => {
  test('side by side with their own names, NodePorts and node directories: accepted', () => {
    expect(synthBoth({}, SEPARATE)).toBe('');
  });

  test('the same installation twice: refused, naming both installations and every clash', () => {
    const message = synthBoth({}, {});
    const both = 'ClearML installations "clearml" (team-a/server) and "clearml" (team-b/server) clash:';
    expect(message).toContain(`${both} both create Namespace clearml;`);
    expect(message).toContain(`${both} both create PersistentVolume clearml.clearml-mongo-db;`);
    expect(message).toContain(`${both} both create Deployment clearml/clearml-apiserver;`);
    expect(message).toContain(`${both} both use NodePort 30008;`);
    expect(message).toContain(`${both} both use node directory /opt/clearml/data/mongo_4/db on the nodes labeled app=clearml;`);
  });

  test.each([
    ['NodePorts', { ...SEPARATE, webserver: { nodePort: 30080 } }, /both use NodePort 30080; set another <component>.nodePort on one/],
    ['node directories', { ...SEPARATE, nodeStorageRoot: '/opt/clearml' }, /both use node directory \/opt\/clearml\/data\/elastic_7 on the nodes labeled app=clearml/],
    ['nested node directories', { ...SEPARATE, nodeStorageRoot: '/opt/clearml/data/fileserver' }, /node directory \/opt\/clearml\/data\/fileserver of one and \/opt\/clearml\/data\/fileserver\/\S+ of the other are nested/],
    ['cluster-scoped names (PersistentVolumes)', { ...SEPARATE, namespace: 'clearml', name: 'clearml' }, /both create PersistentVolume clearml\.clearml-elasticsearch-data;/],
    ['the privileged namespace', { ...SEPARATE, privilegedNamespace: 'clearml-privileged' }, /both create Namespace clearml-privileged;/],
  ] as Array<[string, ClearmlServerProps, RegExp]>)('a clash of %s alone: refused', (_what, b, message) => {
    const text = synthBoth({}, b);
    expect(text).toMatch(/"clearml" \(team-a\/server\) and "(clearml|team-b)" \(team-b\/server\) clash/);
    expect(text).toMatch(message);
  });

  test('the same node directories on nodes of another label: accepted', () => {
    expect(synthBoth({}, { ...SEPARATE, nodeStorageRoot: '/opt/clearml', nodeLabel: { key: 'app', value: 'clearml-b' } })).toBe('');
  });
});
