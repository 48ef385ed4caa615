import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/node24.js';

/** The Markdown pages users read: the README, docs/, each action's page and the changelog. */
function pages(): string[] {
  return [
    'README.md',
    'CHANGELOG.md',
    ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
    ...readdirSync(join(repoRoot, 'actions'))
      .map((a) => `actions/${a}/README.md`)
      .filter((p) => existsSync(join(repoRoot, p))),
  ];
}

/** Text outside fenced code blocks, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = heading!.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

describe('links in the docs', () => {
  it('computes anchors the way GitHub does', () => {
    expect([...anchorsOf('# Installing the `lifeboat` command\n## drill (`actions/restore-drill`)\n## Retention, catalog and the gate\n## x\n## x\n')]).toEqual([
      'installing-the-lifeboat-command',
      'drill-actionsrestore-drill',
      'retention-catalog-and-the-gate',
      'x',
      'x-1',
    ]);
  });

  it.each(pages())('every relative link of %s points at a file and heading that exist', (page) => {
    const text = readFileSync(join(repoRoot, page), 'utf8');
    const broken: string[] = [];
    for (const [, target] of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue;
      const [path, anchor] = target!.split('#') as [string, string | undefined];
      const file = path ? join(dirname(join(repoRoot, page)), path) : join(repoRoot, page);
      if (!existsSync(file)) {
        broken.push(`${target} (no ${relative(repoRoot, file)})`);
        continue;
      }
      if (anchor && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${target} (no heading #${anchor})`);
    }
    expect(broken).toEqual([]);
  });

  it('keeps the README short enough to read: at most 250 lines', () => {
    expect(readFileSync(join(repoRoot, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(250);
  });
});
