import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { anchorsOf, brokenLinks, githubSlug, headingsOf, linksOf, markdownFiles, resolveLink } from './support/markdown';

const ROOT = path.join(__dirname, '..');
const FILES = markdownFiles(ROOT);

describe('links in the Markdown files', () => {
  test('the README, the CHANGELOG, API.md and the docs pages are all checked', () => {
    expect(FILES).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'API.md', 'docs/configuration.md', 'docs/options.md']));
    expect(FILES.filter((f) => f.includes('node_modules'))).toEqual([]);
  });

  const cache = new Map<string, Set<string>>();
  test.each(FILES)('every relative link and anchor in %s resolves', (file) => {
    expect(brokenLinks(ROOT, file, cache)).toEqual([]);
  });

  test('the README reaches every docs page', () => {
    const linked = new Set(linksOf(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).map((l) => l.target.split('#')[0]));
    expect(FILES.filter((f) => f.startsWith('docs/') && !linked.has(f))).toEqual([]);
  });

  test.each(FILES)('%s has one title and no skipped heading level', (file) => {
    const headings = headingsOf(fs.readFileSync(path.join(ROOT, file), 'utf8'));
    const problems = [
      ...(headings[0]?.level === 1 ? [] : [`${file}: the first heading must be the page's # title`]),
      ...headings.slice(1).filter((h) => h.level === 1).map((h) => `${file}:${h.line}: a second # title`),
      ...headings.slice(1).filter((h, i) => h.level > headings[i].level + 1).map((h) => `${file}:${h.line}: #${h.slug} skips a level`),
    ];
    expect(problems).toEqual([]);
  });

  test('every section of the docs pages is two clicks from the README', () => {
    // Click 1: a link of the README; click 2: a link of the page it opens. A section counts as reached
    // when a link points at its anchor.
    const reached = new Set<string>();
    let pages = ['README.md'];
    for (let click = 1; click <= 2; click++) {
      const next: string[] = [];
      for (const page of pages) {
        for (const link of linksOf(fs.readFileSync(path.join(ROOT, page), 'utf8'))) {
          const target = resolveLink(page, link.target);
          if (!target) continue;
          reached.add(target);
          const file = target.split('#')[0];
          if (file.endsWith('.md') && fs.existsSync(path.join(ROOT, file))) next.push(file);
        }
      }
      pages = [...new Set(next)];
    }
    const unreached = FILES.filter((f) => f.startsWith('docs/')).flatMap((f) => headingsOf(fs.readFileSync(path.join(ROOT, f), 'utf8'))
      .filter((h) => h.level === 2 && !reached.has(`${f}#${h.slug}`))
      .map((h) => `${f}:${h.line}: #${h.slug}`));
    expect(unreached).toEqual([]);
  });
});

describe('the link checker', () => {
  test('slugs follow GitHub: lower case, punctuation dropped, spaces to "-", repeats numbered', () => {
    const seen = new Map<string, number>();
    expect(githubSlug('Configuration without code (`clearml.yaml`)', seen)).toBe('configuration-without-code-clearmlyaml');
    expect(githubSlug('Exposure: Ingress with TLS', seen)).toBe('exposure-ingress-with-tls');
    expect(githubSlug('Replicas, disruption budgets and spread', seen)).toBe('replicas-disruption-budgets-and-spread');
    expect(githubSlug('`snake_case` and [a link](x.md)', seen)).toBe('snake_case-and-a-link');
    expect(githubSlug('Usage', seen)).toBe('usage');
    expect(githubSlug('Usage', seen)).toBe('usage-1');
    expect(githubSlug('Usage', seen)).toBe('usage-2');
  });

  test('anchors come from headings and HTML ids, not from code blocks', () => {
    const text = ['# Title', '', '```sh', '# not a heading', '```', '', '## `a.b` option', '', '| <a id="custom"></a>x |'].join('\n');
    expect([...anchorsOf(text)]).toEqual(['title', 'ab-option', 'custom']);
  });

  test('reports the file, line and link of a missing file or anchor; ignores code and external links', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-links-'));
    try {
      fs.mkdirSync(path.join(dir, 'docs'));
      fs.writeFileSync(path.join(dir, 'docs', 'page.md'), '# Page\n\n## Ingress with TLS\n');
      fs.writeFileSync(path.join(dir, 'README.md'), [
        '# Readme', '',
        'See [the page](docs/page.md#ingress-with-tls) and [up](#readme), [web](https://example.com/x.md).',
        'Broken: [gone](docs/missing.md), [anchor](docs/page.md#exposure-ingress-with-tls),',
        '[self](#nowhere) and `[code](not/checked.md)`.', '',
        '```md', '[fenced](not/checked.md)', '```', '',
        '[ref]: docs/also-missing.md',
      ].join('\n'));
      expect(brokenLinks(dir, 'README.md')).toEqual([
        'README.md:4: docs/missing.md: docs/missing.md does not exist',
        'README.md:4: docs/page.md#exposure-ingress-with-tls: no heading or anchor "exposure-ingress-with-tls" in docs/page.md',
        'README.md:5: #nowhere: no heading or anchor "nowhere" in README.md',
        'README.md:11: docs/also-missing.md: docs/also-missing.md does not exist',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
