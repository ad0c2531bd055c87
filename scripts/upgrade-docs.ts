// The upgrade rules section of docs/backup.md, generated from the table in lib/upgrade/rules.ts
// (`npm run gen` writes it; `npm run gen -- --check` fails when it is stale).
import * as fs from 'fs';
import * as path from 'path';
import { COMPONENT_NAMES, UPGRADE_RULES } from '../lib/upgrade/rules';

export const UPGRADE_DOC = 'docs/backup.md';
const START = '<!-- upgrade-rules:start (generated from lib/upgrade/rules.ts by npm run gen) -->';
const END = '<!-- upgrade-rules:end -->';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The rules as a Markdown table. */
export function renderUpgradeRules(): string {
  return [
    '| Rule | Software | When | What the diff asks for | Source |',
    '|---|---|---|---|---|',
    ...UPGRADE_RULES.map((r) => `| \`${r.id}\` | ${COMPONENT_NAMES[r.component]} | ${cell(r.when)} | ${cell(r.action)} | ${cell(r.source)} |`),
  ].join('\n');
}

/** The document with its generated section replaced; throws when the markers are missing. */
export function withUpgradeRules(doc: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${UPGRADE_DOC}: the markers of the upgrade rules section are missing (${START} ... ${END})`);
  return `${doc.slice(0, start + START.length)}\n${renderUpgradeRules()}\n${doc.slice(end)}`;
}

/** The content of UPGRADE_DOC with its section regenerated, for scripts/gen-reference.ts. */
export function generateUpgradeDocs(root: string): string {
  return withUpgradeRules(fs.readFileSync(path.join(root, UPGRADE_DOC), 'utf8'));
}
