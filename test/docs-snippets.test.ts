import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import * as os from 'os';
import { Construct } from 'constructs';
import { EXAMPLES } from '../examples/apps';
import * as lib from '../lib';
import { parseConfig } from '../lib/config/load';
import { CONFIG_SCHEMA } from '../lib/config/schema.generated';
import { checkValue } from '../lib/config/validate';
import { synthServer } from './support/synth';
import { codeBlocks, CodeBlock, markdownFiles } from './support/markdown';

const ROOT = path.join(__dirname, '..');
const FILES = markdownFiles(ROOT);
/** Pages whose snippets are user code; API.md's `ts` blocks are generated signatures, not programs. */
const USER_DOCS = FILES.filter((f) => f === 'README.md' || f.startsWith('docs/'));

const blocksOf = (files: readonly string[], langs: readonly string[]) => files.flatMap((file) =>
  codeBlocks(fs.readFileSync(path.join(ROOT, file), 'utf8')).filter((b) => langs.includes(b.lang)).map((b) => ({ file, ...b })));

/** `# clearml.yaml`, or `# clearml.yaml (examples/<name>)` for a block that is an example of examples/apps.ts. */
const CONFIG_MARK = /^# clearml\.yaml(?: \(examples\/([\w-]+)\))?\s*$/;

describe('snippets in the Markdown files', () => {
  test('no snippet imports from the repository layout (./lib, ../lib): users import cdk8s-clearml', () => {
    const relative = /(?:from\s+|require\(\s*)['"](?:\.{1,2}\/)+(?:lib|build)(?:\/[^'"]*)?['"]/;
    const offenders = blocksOf(FILES, ['ts', 'typescript', 'js', 'javascript', 'tsx'])
      .flatMap((b) => b.code.split('\n').map((line, i) => ({ b, line, at: b.line + 1 + i })))
      .filter(({ line }) => relative.test(line))
      .map(({ b, line, at }) => `${b.file}:${at}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });

  const configBlocks = blocksOf(USER_DOCS, ['yaml', 'yml']).filter((b) => CONFIG_MARK.test(b.code.split('\n')[0]));

  test('the README and the docs show clearml.yaml snippets', () => {
    expect(configBlocks.length).toBeGreaterThanOrEqual(8);
    expect(configBlocks.map((b) => b.file)).toEqual(expect.arrayContaining(['README.md', 'docs/configuration.md', 'docs/production.md']));
  });

  test.each(configBlocks.map((b) => [`${b.file}:${b.line}`, b] as [string, CodeBlock & { file: string }]))(
    'the clearml.yaml snippet at %s loads and synthesizes', (where, block) => {
      const loaded = parseConfig(block.code, where);
      expect(() => synthServer(loaded.props)).not.toThrow();
      const example = CONFIG_MARK.exec(block.code.split('\n')[0])![1];
      if (example) expect(loaded.props).toEqual(EXAMPLES[example]);
    });

  const programs = blocksOf(USER_DOCS, ['ts', 'typescript']);

  test('every TypeScript snippet of the README and the docs is a program that imports cdk8s-clearml', () => {
    expect(programs.length).toBeGreaterThanOrEqual(3);
    expect(programs.filter((b) => !/from ['"]cdk8s-clearml['"]/.test(b.code)).map((b) => `${b.file}:${b.line}`)).toEqual([]);
  });

  test.each(programs.map((b) => [`${b.file}:${b.line}`, b] as [string, CodeBlock & { file: string }]))(
    'the TypeScript snippet at %s imports only exports of the package, runs, and passes props the configuration schema accepts', (where, block) => {
      // Cheaper than a type-check of the package: the imports are checked against lib/index.ts, the
      // snippet runs with `cdk8s-clearml` as lib/, and the props it gives ClearmlServer are checked with
      // the strict checks of clearml.yaml (unknown keys, types), then by the construct itself.
      const source = ts.createSourceFile(where, block.code, ts.ScriptTarget.ES2022, true);
      const imported = source.statements.filter(ts.isImportDeclaration)
        .filter((d) => (d.moduleSpecifier as ts.StringLiteral).text === 'cdk8s-clearml')
        .flatMap((d) => { const n = d.importClause?.namedBindings; return n && ts.isNamedImports(n) ? n.elements.map((e) => (e.propertyName ?? e.name).text) : []; });
      expect(imported.filter((name) => !(name in lib))).toEqual([]);

      const props: unknown[] = [];
      class RecordingServer extends lib.ClearmlServer {
        constructor(scope: Construct, id: string, p?: lib.ClearmlServerProps) {
          props.push(p ?? {});
          super(scope, id, p);
        }
      }
      const js = ts.transpileModule(block.code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-snippet-'));
      const saved = process.env.CDK8S_OUTDIR;
      process.env.CDK8S_OUTDIR = outdir;
      try {
        const load = (m: string) => (m === 'cdk8s-clearml' ? { ...lib, ClearmlServer: RecordingServer } : require(m));
        new Function('require', 'exports', js)(load, {});
        expect(fs.readdirSync(outdir).length).toBeGreaterThan(0);
      } finally {
        if (saved === undefined) delete process.env.CDK8S_OUTDIR;
        else process.env.CDK8S_OUTDIR = saved;
        fs.rmSync(outdir, { recursive: true, force: true });
      }
      expect(props.length).toBeGreaterThan(0);
      for (const p of props) expect(() => checkValue(CONFIG_SCHEMA, { kind: 'ref', name: CONFIG_SCHEMA.root }, p, [])).not.toThrow();
    });
});
