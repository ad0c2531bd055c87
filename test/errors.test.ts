import { Chart } from 'cdk8s';
import { ClearmlConfigError, ClearmlServer, ClearmlServerProps } from '../lib';
import { testApp } from './support/synth';

function build(props: ClearmlServerProps): void {
  const chart = new Chart(testApp(), 'test');
  new ClearmlServer(chart, 'server', props);
}

// Each bad option must fail at synth time with a message that names the option and what is allowed.
const cases: Array<[string, ClearmlServerProps, RegExp]> = [
  ['a namespace that is not a DNS label', { namespace: 'ClearML' }, /^namespace: "ClearML" must be a DNS-1123 label/],
  ['a namespace too long for its privileged sibling', { namespace: 'a'.repeat(53) }, /^namespace: .* at most 52 characters/],
  ['an installation name too long for derived names', { name: 'n'.repeat(31) }, /^name: .* at most 30 characters/],
  ['the privileged namespace equal to the ClearML namespace', { privilegedNamespace: 'clearml' }, /^privilegedNamespace: must differ/],
  ['a NodePort out of range', { apiserver: { nodePort: 8008 } }, /^apiserver\.nodePort: 8008 must be an integer from 30000 to 32767/],
  ['colliding NodePorts', { webserver: { nodePort: 30008 } }, /^webserver\.nodePort: 30008 is already used by apiserver\.nodePort/],
  ['a size that is not a quantity', { mongo: { storage: { size: '50GB' } } }, /^mongo\.storage\.size: "50GB" is not a Kubernetes quantity \(try "50Gi"\)/],
  ['a memory limit that is not a quantity', { apiserver: { resources: { limits: { memory: 'lots' } } } }, /^apiserver\.resources\.limits\.memory: "lots" is not a Kubernetes quantity/],
  ['a request above its limit', { redis: { resources: { requests: { memory: '1Gi' } } } }, /^redis\.resources\.requests\.memory: "1Gi" must not exceed the limit "256Mi"/],
  ['an Elasticsearch memory limit too small for a heap', { elasticsearch: { resources: { requests: { memory: '256Mi' }, limits: { memory: '256Mi' } } } }, /^elasticsearch\.resources\.limits\.memory: .*at least 512Mi/],
  ['a latest image', { images: { redis: 'redis:latest' } }, /^images\.redis: "redis:latest" must be pinned/],
  ['an untagged image', { images: { clearml: 'registry.example.com/clearml/server' } }, /^images\.clearml: .* must be pinned/],
  ['a latest version', { versions: { mongo: 'latest' } }, /^versions\.mongo: "latest" must be a pinned version tag/],
  ['a relative storage root', { nodeStorageRoot: 'opt/clearml' }, /^nodeStorageRoot: "opt\/clearml" must be an absolute path/],
  ['a storage root with ..', { nodeStorageRoot: '/opt/../etc' }, /^nodeStorageRoot: /],
  ['a storage root with shell characters', { nodeStorageRoot: '/opt/clearml;reboot' }, /^nodeStorageRoot: /],
  ['vm.max_map_count of zero', { hostPreparation: { maxMapCount: 0 } }, /^hostPreparation\.maxMapCount: 0 must be an integer from 262144 to 2147483647/],
  ['a fractional vm.max_map_count', { hostPreparation: { maxMapCount: 1.5 } }, /^hostPreparation\.maxMapCount: /],
  ['an invalid node label key', { nodeLabel: { key: 'bad key', value: 'x' } }, /^nodeLabel: "bad key" is not a valid label key/],
  ['an empty node label value', { nodeLabel: { key: 'app', value: '' } }, /^nodeLabel\.value: must not be empty/],
  ['an invalid domain', { domain: 'Example.COM' }, /^domain: "Example.COM" must be a DNS name/],
  ['a fileserver URL without a scheme', { extraFileserverUrls: ['files.example.com'] }, /^extraFileserverUrls\[0\]: "files.example.com" must be an http/],
  ['a cookie name with spaces', { cookieName: 'my cookie' }, /^cookieName: "my cookie" must be a cookie name/],
  ['an unknown pull policy', { imagePullPolicy: 'Sometimes' as any }, /^imagePullPolicy: "Sometimes" must be one of "IfNotPresent", "Always", "Never"/],
  ['agent-services without an image', { agentServices: { enabled: true } }, /^agentServices\.image: is required when agentServices\.enabled is true/],
  ['agent-services on latest', { agentServices: { enabled: true, image: 'clearml/clearml-agent-services:latest' } }, /^agentServices\.image: .* must be pinned/],
  ['an invalid existing Secret name', { credentials: { existingSecret: 'My_Secret' } }, /^credentials\.existingSecret: /],
];

describe('bad options fail at synth time, naming the option and the allowed values', () => {
  test.each(cases)('%s', (_what, props, message) => {
    expect(() => build(props)).toThrow(ClearmlConfigError);
    expect(() => build(props)).toThrow(message);
  });
});
