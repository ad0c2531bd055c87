import * as fs from 'fs';
import * as path from 'path';

/** Directories never searched for Markdown files (dependencies, build output, git). */
const SKIPPED_DIRS = new Set(['node_modules', 'build', 'cdk.out']);

/** Every `.md` file under `root`, relative, sorted; dot directories and SKIPPED_DIRS are left out. */
export function markdownFiles(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) out.push(...markdownFiles(root, rel));
    } else if (entry.name.endsWith('.md')) {
      out.push(rel);
    }
  }
  return out.sort();
}

/** A fenced code block: its info string (`ts`, `yaml`, ...), its text, and the line of its opening fence. */
export interface CodeBlock {
  readonly lang: string;
  readonly code: string;
  readonly line: number;
}

/** The fenced code blocks of a Markdown text (also inside list items). */
export function codeBlocks(text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let open: { fence: string; indent: number; lang: string; line: number; lines: string[] } | undefined;
  text.split('\n').forEach((line, i) => {
    const fence = /^( {0,3}|\s*)(`{3,}|~{3,})\s*([^`\s]*)/.exec(line);
    if (!open) {
      if (fence) open = { fence: fence[2], indent: fence[1].length, lang: fence[3], line: i + 1, lines: [] };
      return;
    }
    if (fence && fence[2][0] === open.fence[0] && fence[2].length >= open.fence.length && fence[3] === '') {
      blocks.push({ lang: open.lang, code: open.lines.join('\n'), line: open.line });
      open = undefined;
      return;
    }
    // Code indented like its fence (in a list item) loses that indentation.
    open.lines.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
  });
  return blocks;
}

/** The text with code blocks and code spans blanked out (same length and line breaks), so links and headings in code are not seen. */
export function withoutCode(text: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  const lines = text.split('\n');
  let fence: string | undefined;
  const prose = lines.map((line) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) fence = undefined;
      return blank(line);
    }
    if (m) {
      fence = m[1];
      return blank(line);
    }
    return line;
  }).join('\n');
  // A code span: a run of backticks, up to the next run of the same length (may cross a line break).
  return prose.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (span) => blank(span));
}

/**
 * The anchor GitHub gives a heading (github-slugger): lower case, punctuation other than `-` and `_`
 * removed, spaces to `-`. `seen` counts earlier slugs: a repeated one gets `-1`, `-2`, ...
 */
export function githubSlug(heading: string, seen: Map<string, number> = new Map()): string {
  const text = heading
    .replace(/<[^>]*>/g, '') // inline HTML
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/`/g, '');
  const base = text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
  let slug = base;
  while (seen.has(slug)) {
    seen.set(base, seen.get(base)! + 1);
    slug = `${base}-${seen.get(base)}`;
  }
  seen.set(slug, 0);
  return slug;
}

/** The headings of a Markdown text, with their level and GitHub anchor. */
export function headingsOf(text: string): { level: number; slug: string; line: number }[] {
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  const headings: { level: number; slug: string; line: number }[] = [];
  withoutCode(text).split('\n').forEach((line, i) => {
    // Found in the blanked text, read from the original line (a code span's text counts).
    const m = /^ {0,3}(#{1,6})(\s|$)/.exec(line);
    if (m) {
      const original = lines[i].replace(/^ {0,3}#{1,6}\s*/, '').replace(/\s+#+\s*$/, '');
      headings.push({ level: m[1].length, slug: githubSlug(original, seen), line: i + 1 });
    }
  });
  return headings;
}

/** The anchors of a Markdown text: heading slugs, and `id`/`name` attributes of HTML elements. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set(headingsOf(text).map((h) => h.slug));
  for (const m of withoutCode(text).matchAll(/<a\s[^>]*\b(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  return anchors;
}

/** A link in a Markdown text, with its 1-based line. */
export interface MarkdownLink {
  readonly target: string;
  readonly line: number;
}

/** Inline links and images, reference definitions and HTML `href`s, outside code. */
export function linksOf(text: string): MarkdownLink[] {
  const prose = withoutCode(text);
  const lineAt = (index: number) => prose.slice(0, index).split('\n').length;
  const links: MarkdownLink[] = [];
  const patterns = [
    /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
    /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/gm,
    /<a\s[^>]*\bhref="([^"]+)"/g,
  ];
  for (const pattern of patterns) {
    for (const m of prose.matchAll(pattern)) {
      links.push({ target: m[1].replace(/^<(.*)>$/, '$1'), line: lineAt(m.index! + m[0].indexOf(m[1])) });
    }
  }
  return links.sort((a, b) => a.line - b.line);
}

/** A relative link of `file` as `path` or `path#anchor` relative to the root; undefined for external links. */
export function resolveLink(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined;
  const [pathPart, fragment] = target.split('#', 2);
  const resolved = pathPart ? path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURIComponent(pathPart.split('?')[0]))) : file;
  return fragment === undefined ? resolved : `${resolved}#${decodeURIComponent(fragment)}`;
}

/**
 * The broken relative links of one Markdown file (relative to `root`), as `file:line: target: reason`.
 * A link to a file or directory must exist; its `#anchor` must be an anchor of the target when that is
 * Markdown. Links with a scheme (`https:`, `mailto:`) are not checked.
 */
export function brokenLinks(root: string, file: string, anchorCache: Map<string, Set<string>> = new Map()): string[] {
  const anchorsIn = (rel: string) => {
    if (!anchorCache.has(rel)) anchorCache.set(rel, anchorsOf(fs.readFileSync(path.join(root, rel), 'utf8')));
    return anchorCache.get(rel)!;
  };
  const problems: string[] = [];
  for (const link of linksOf(fs.readFileSync(path.join(root, file), 'utf8'))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target) || link.target.startsWith('//')) continue;
    const hash = link.target.indexOf('#');
    const target = hash >= 0 ? link.target.slice(0, hash) : link.target;
    const fragment = hash >= 0 ? decodeURIComponent(link.target.slice(hash + 1)) : undefined;
    const report = (reason: string) => problems.push(`${file}:${link.line}: ${link.target}: ${reason}`);
    let resolved = file;
    if (target) {
      resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURIComponent(target.split('?')[0])));
      if (resolved.startsWith('..') || !fs.existsSync(path.join(root, resolved))) {
        report(`${resolved} does not exist`);
        continue;
      }
    }
    if (fragment !== undefined && resolved.endsWith('.md') && !anchorsIn(resolved).has(fragment)) {
      report(`no heading or anchor "${fragment}" in ${resolved}`);
    }
  }
  return problems;
}
