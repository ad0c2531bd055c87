import { ClearmlServerProps } from '../../lib';

/** Every option of issue 2 set to a non-default value. */
export const ALL_OPTIONS: ClearmlServerProps = {
  name: 'ml',
  namespace: 'mlops',
  privilegedNamespace: 'mlops-host',
  versions: { clearml: '2.3.0', elasticsearch: '8.17.0' },
  images: { mongo: 'registry.example.com/mirror/mongo:7.0.22' },
  imagePullPolicy: 'Always',
  nodeLabel: { key: 'example.com/clearml', value: 'true' },
  nodeStorageRoot: '/srv/clearml',
  hostPreparation: { enabled: true, maxMapCount: 524288 },
  domain: 'clearml.example.com',
  extraFileserverUrls: ['http://10.0.0.5:30081'],
  cookieName: 'clearml-token-k8s',
  https: true,
  fixedUsers: { secretName: 'clearml-users', secretKey: 'users.json', passwordsHashed: true },
  networkPolicies: { enabled: true },
  credentials: { existingSecret: 'my-clearml-credentials' },
  apiserver: { nodePort: 31008, resources: { limits: { memory: '1536Mi' } } },
  webserver: { nodePort: 31080 },
  fileserver: { nodePort: 31081, storage: { size: '500Gi' } },
  asyncDelete: { resources: { requests: { cpu: '0.1' } } },
  elasticsearch: { resources: { requests: { memory: '4Gi' }, limits: { memory: '4Gi', cpu: '2' } }, storage: { size: '200Gi' } },
  mongo: { storage: { size: '100Gi' } },
  redis: { storage: { size: '10Gi' } },
  agentServices: { enabled: true, image: 'clearml/clearml-agent-services:1.9.3', defaultBaseDocker: 'python:3.11-slim' },
};
