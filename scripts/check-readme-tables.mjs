#!/usr/bin/env node
// Part of `pnpm lint`: every Markdown table in the READMEs has as many cells in each row as in its
// header. A `|` inside a code span ends a cell on GitHub unless it is escaped as `\|`, which
// silently shifts the rest of the row into new columns.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readmes = ['README.md'];
for (const dir of ['packages', 'apps'])
  for (const name of readdirSync(join(root, dir))) readmes.push(join(dir, name, 'README.md'));

/** Cells of a table row as GitHub splits them: on every `|` not escaped as `\|`. */
const cells = (line) =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/);

const problems = [];
for (const file of readmes) {
  let text;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch {
    continue;
  }
  const lines = text.split('\n');
  let inFence = false;
  let width;
  lines.forEach((line, k) => {
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (inFence || !line.trim().startsWith('|')) {
      width = undefined;
      return;
    }
    const n = cells(line).length;
    if (width === undefined) width = n;
    else if (n !== width)
      problems.push(
        `${file}:${k + 1}: ${n} cells where the header has ${width} (escape a | inside code as \\|)`,
      );
  });
}
if (problems.length > 0) {
  for (const p of problems) console.error(`README tables: ${p}`);
  process.exit(1);
}
console.log(`README tables: ${readmes.length} READMEs, every row as wide as its header`);
