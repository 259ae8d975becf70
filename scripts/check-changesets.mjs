#!/usr/bin/env node
// Part of `pnpm lint`: every .changeset/*.md must parse as a changeset (front matter of
// `"package": bump` lines between `---` fences), name packages of this workspace, and not mix
// published and private packages (changesets refuses to version such a file), and say what changed
// in one sentence for users (the CHANGELOG line). Formatters must
// leave these files alone: biome once rewrote single-package front matter into a heading.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// @changesets/read is a dependency of the CLI (pnpm does not hoist it to the root).
const fromCli = createRequire(
  createRequire(join(root, 'package.json')).resolve('@changesets/cli/package.json'),
);
const readChangesets = fromCli('@changesets/read').default;

const packages = new Map();
for (const dir of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, dir))) {
    try {
      const pkg = JSON.parse(readFileSync(join(root, dir, name, 'package.json'), 'utf8'));
      packages.set(pkg.name, pkg.private === true);
    } catch {
      // not a package folder
    }
  }
}

const problems = [];
let changesets = [];
try {
  changesets = await readChangesets(root);
} catch (error) {
  problems.push(`a changeset does not parse: ${error.message.split('\n').slice(0, 6).join(' | ')}`);
}
/** Sentences of a summary, with code spans and common abbreviations masked so their dots do not count. */
const sentences = (summary) =>
  summary
    .replace(/`[^`]*`/g, 'CODE')
    .replace(/\b(e\.g|i\.e|etc|vs|cf)\./g, '$1')
    .split(/(?<=[.!?])\s+(?=[A-Z0-9(“"'])/)
    .filter((s) => s.trim() !== '');
for (const { id, releases, summary } of changesets) {
  if (releases.length === 0) problems.push(`.changeset/${id}.md names no package`);
  const n = sentences(summary.trim()).length;
  if (n !== 1 || !/[.!?]$/.test(summary.trim()))
    problems.push(
      `.changeset/${id}.md: the summary must be one sentence for users ending in a full stop (found ${n})`,
    );
  for (const { name, type } of releases) {
    if (!packages.has(name))
      problems.push(`.changeset/${id}.md names "${name}", which is not a workspace package`);
    if (!['major', 'minor', 'patch'].includes(type))
      problems.push(`.changeset/${id}.md: "${name}" has bump "${type}"`);
  }
  const kinds = new Set(releases.map((r) => packages.get(r.name)));
  if (kinds.size > 1)
    problems.push(`.changeset/${id}.md mixes private and published packages: write one changeset for each`);
}
if (problems.length > 0) {
  for (const p of problems) console.error(`changesets: ${p}`);
  console.error(
    'Fix: each file starts with ---, then lines like "@snn/train": minor, then ---, then one sentence for users.',
  );
  process.exit(1);
}
console.log(`changesets: ${changesets.length} files parse and name workspace packages`);
