import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { outputPlan, prepare, publish } from '../lib/app/output';

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-output-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (d: string, text: string) => {
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, 'clearml.yaml'), text);
};
const read = (d: string) => fs.readFileSync(path.join(d, 'clearml.yaml'), 'utf8');

describe('where the default app writes', () => {
  test('a plain output directory is written through its own staging directory, swapped in on success', () => {
    const dist = path.join(dir, 'dist');
    write(dist, 'old');
    const plan = outputPlan(dist);
    expect(plan).toEqual({ synthDir: path.join(dir, '.dist.synth'), publishDir: dist, keepSynthDir: false });
    prepare(plan);
    write(plan.synthDir, 'new');
    expect(read(dist)).toBe('old'); // until publish, the last good output stays
    publish(plan);
    expect(read(dist)).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['dist']);
  });

  test('the staging directory the cdk8s CLI empties (cdk8s.yaml output .dist.synth) publishes to dist/ and stays for the CLI to list', () => {
    const staging = path.join(dir, '.dist.synth');
    const plan = outputPlan(staging);
    expect(plan).toEqual({ synthDir: staging, publishDir: path.join(dir, 'dist'), keepSynthDir: true });
    write(path.join(dir, 'dist'), 'old');
    prepare(plan);
    write(staging, 'new');
    publish(plan);
    expect(read(path.join(dir, 'dist'))).toBe('new');
    expect(read(staging)).toBe('new');
    expect(fs.readdirSync(dir).sort()).toEqual(['.dist.synth', 'dist']);
  });

  test('a swap cut short (dist/ moved aside, the new one not in place) is put back by the next run', () => {
    write(path.join(dir, '.dist.old'), 'last good');
    prepare(outputPlan(path.join(dir, 'dist')));
    expect(read(path.join(dir, 'dist'))).toBe('last good');
  });
});
