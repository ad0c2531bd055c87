/**
 * Issue 8, part 3: runtime behaviour read from the images' sources (start order, log files, nginx
 * workers and IPv6, async deletion with NodePorts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { ClearmlServer, ClearmlServerProps } from '../lib';
import { envOf, find, mainContainer, Manifest, synthServer, testApp } from './support/synth';

const defaults = synthServer();

describe('start order', () => {
  const pod = find(defaults, 'Deployment', 'clearml-fileserver').spec.template.spec;

  test('the fileserver waits for the apiserver\'s /debug.ping with curl from its own image', () => {
    expect(pod.initContainers).toHaveLength(1);
    const wait = pod.initContainers[0];
    expect(wait.name).toBe('wait-for-apiserver');
    expect(wait.image).toBe(pod.containers[0].image);
    expect(envOf(wait).WAIT_URL).toBe('http://clearml-apiserver:8008/debug.ping');
    expect(wait.command.join(' ')).toMatch(/until curl -fsS .*"\$WAIT_URL"; do .* sleep 3; done/);
    expect(wait.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  test('the wait loop ends only when the URL answers', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wait-'));
    try {
      // A fake curl that fails twice, then succeeds.
      fs.writeFileSync(path.join(dir, 'curl'), `#!/bin/sh\nn=$(cat ${dir}/n 2>/dev/null || echo 0); echo $((n+1)) > ${dir}/n; [ "$n" -ge 2 ]\n`, { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'sleep'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const wait = pod.initContainers[0];
      const result = spawnSync(wait.command[0], wait.command.slice(1), { encoding: 'utf8', timeout: 10_000, env: { PATH: `${dir}:/usr/bin:/bin`, WAIT_URL: envOf(wait).WAIT_URL } });
      expect(result.status).toBe(0);
      expect(result.stdout.match(/waiting for http:\/\/clearml-apiserver:8008\/debug\.ping/g)).toHaveLength(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('async-delete writes its own log file in the shared logs directory, not the apiserver\'s', () => {
  const env = envOf(mainContainer(defaults, 'clearml-async-delete'));
  expect(env.CLEARML__logging__handlers__text_file__filename).toBe('/var/log/clearml/async_delete.log');
  const mounts = mainContainer(defaults, 'clearml-async-delete').volumeMounts.map((m: Manifest) => m.mountPath);
  expect(mounts).toContain('/var/log/clearml');
  expect(envOf(mainContainer(defaults, 'clearml-apiserver')).CLEARML__logging__handlers__text_file__filename).toBeUndefined();
});

describe('webserver nginx', () => {
  const web = (props?: ClearmlServerProps) => mainContainer(synthServer(props), 'clearml-webserver');

  test('IPv6 stays on by default; webserver.ipv6: false sets DISABLE_NGINX_IPV6', () => {
    expect(envOf(web()).DISABLE_NGINX_IPV6).toBeUndefined();
    expect(envOf(web({ webserver: { ipv6: false } })).DISABLE_NGINX_IPV6).toBe('true');
  });

  test.each([
    [undefined, '1'],
    ['500m', '1'],
    ['2', '2'],
    ['2500m', '3'],
  ])('CPU limit %s: %s worker(s)', (cpu, workers) => {
    const c = web(cpu ? { webserver: { resources: { limits: { cpu } } } } : undefined);
    expect(envOf(c).NGINX_WORKER_PROCESSES).toBe(workers);
  });

  describe('the command bounds worker_processes before the image\'s entrypoint starts nginx', () => {
    const c = web({ webserver: { resources: { limits: { cpu: '2' } } } });
    let dir = '';
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-')); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    /** Runs the command with the image's files at `files` (name -> content, undefined = absent). */
    const run = (files: Record<string, string | undefined>) => {
      const at = (name: string) => path.join(dir, name);
      for (const [name, content] of Object.entries(files)) if (content !== undefined) fs.writeFileSync(at(name), content);
      fs.writeFileSync(at('entrypoint.sh'), `#!/bin/sh\necho "entrypoint $*"\n`, { mode: 0o755 });
      const script = c.command[2].replace('/etc/nginx/nginx.conf', at('nginx.conf')).replace('/etc/nginx/clearml.conf.template', at('clearml.conf.template')).replace('/opt/clearml/entrypoint.sh', at('entrypoint.sh'));
      const r = spawnSync(c.command[0], [c.command[1], script, ...c.command.slice(3), ...c.args], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...envOf(c) } });
      const read = (name: string) => (fs.existsSync(at(name)) ? fs.readFileSync(at(name), 'utf8') : undefined);
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, nginx: read('nginx.conf'), template: read('clearml.conf.template') };
    };

    test('current images: Debian\'s nginx.conf holds the line, the template only the server block', () => {
      expect(c.args).toEqual(['webserver']);
      const first = run({ 'nginx.conf': 'user www-data;\nworker_processes auto;\nevents {}\n', 'clearml.conf.template': 'server {\n  listen 80 default_server;\n}\n' });
      expect(first).toMatchObject({ status: 0, stdout: 'entrypoint webserver\n', stderr: '', nginx: 'user www-data;\nworker_processes 2;\nevents {}\n', template: 'server {\n  listen 80 default_server;\n}\n' });
      // A container restart finds it bounded already and leaves it so.
      expect(run({})).toMatchObject({ status: 0, stderr: '', nginx: first.nginx });
    });

    test('older images: the template the entrypoint renders into nginx.conf holds the line', () => {
      expect(run({ 'clearml.conf.template': 'user nginx;\nworker_processes auto;\nevents {}\n' })).toMatchObject({ status: 0, stderr: '', template: 'user nginx;\nworker_processes 2;\nevents {}\n' });
    });

    test('an image with the line in neither file: nothing is edited, the log says so, nginx still starts', () => {
      const r = run({ 'nginx.conf': 'events {}\n', 'clearml.conf.template': 'server {}\n' });
      expect(r).toMatchObject({ status: 0, stdout: 'entrypoint webserver\n', nginx: 'events {}\n' });
      expect(r.stderr).toContain('nginx workers are not bounded');
    });
  });
});

describe('async deletion with NodePorts', () => {
  const warnings = (props: ClearmlServerProps) => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      new ClearmlServer(new Chart(testApp(), 'test'), 'server', props);
      return warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('never deleted'));
    } finally {
      warn.mockRestore();
    }
  };

  test('NodePort exposure without extraFileserverUrls warns, naming the option and the port', () => {
    const [warning] = warnings({ fileserver: { nodePort: 31081 } });
    expect(warning).toContain('extraFileserverUrls');
    expect(warning).toContain('http://<node>:31081');
  });

  test('no warning with extraFileserverUrls, with a domain (clients use files.<domain>), or without NodePorts', () => {
    expect(warnings({ extraFileserverUrls: ['http://10.0.0.5:30081'] })).toEqual([]);
    expect(warnings({ domain: 'clearml.example.com' })).toEqual([]);
    expect(warnings({ exposure: { type: 'Ingress' }, domain: 'clearml.example.com' })).toEqual([]);
  });
});

describe('fileserver rollouts', () => {
  const strategy = (props?: ClearmlServerProps) => synthServer(props).find((o) => o.kind === 'Deployment' && o.metadata.name === 'clearml-fileserver')!.spec.strategy.type;

  test('node storage and ReadWriteMany claims roll (a surge pod can mount them)', () => {
    expect(strategy()).toBe('RollingUpdate');
    expect(strategy({ defaultStorage: { type: 'claim' }, fileserver: { storage: { type: 'claim', accessModes: ['ReadWriteMany'] } } })).toBe('RollingUpdate');
  });

  test('a ReadWriteOnce claim is recreated: a surge pod on another node would wait on a multi-attach error', () => {
    expect(strategy({ defaultStorage: { type: 'claim' } })).toBe('Recreate');
    expect(strategy({ fileserver: { storage: { type: 'existingClaim', claimName: 'files' } } })).toBe('Recreate');
  });
});

describe('Elasticsearch readiness', () => {
  const probe = (props?: ClearmlServerProps) => synthServer(props)
    .find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === 'clearml-elasticsearch')!
    .spec.template.spec.containers[0].readinessProbe.httpGet.path;

  test('a single node is ready once its indices are (yellow)', () => {
    expect(probe()).toBe('/_cluster/health?wait_for_status=yellow&timeout=1s');
  });

  test('a cluster node is ready when it answers: one node down must not empty the Service of every node', () => {
    expect(probe({ defaultStorage: { type: 'claim' }, elasticsearch: { replicas: 3 } })).toBe('/_cluster/health?local=true');
  });
});

test('MongoDB\'s mongosh probes keep their session logs out of the database volume (HOME is /tmp, scratch)', () => {
  const mongo = synthServer().find((o) => o.metadata.name === 'clearml-mongo' && o.kind === 'Deployment')!.spec.template.spec;
  expect(envOf(mongo.containers[0]).HOME).toBe('/tmp');
  expect(mongo.containers[0].volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp')).toBeDefined();
});
