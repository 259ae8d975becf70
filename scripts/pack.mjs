// Packing and installing the workspace's public packages the way a user gets them: each one packed
// with `pnpm pack` (workspace: ranges become versions), then installed from the tarballs into an
// empty project, offline, from the pnpm store the workspace install filled. Used by
// scripts/check-packages.mjs (CI) and by tests that embed the packed packages.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** The workspace's public packages: `{ name, version, dir }` (dir relative to the root). */
export function publicPackages() {
  const out = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const dir = `${group}/${name}`;
      let pkg;
      try {
        pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      if (pkg.private !== true) out.push({ name: pkg.name, version: pkg.version, dir, pkg });
    }
  }
  return out;
}

/** Packs `dir` (relative to the root) into `dest` with pnpm; returns the tarball's path and size. */
export function pack(dir, dest) {
  mkdirSync(dest, { recursive: true });
  const before = new Set(readdirSync(dest));
  execFileSync('pnpm', ['pack', '--pack-destination', dest], {
    cwd: join(root, dir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const made = readdirSync(dest).filter((f) => f.endsWith('.tgz') && !before.has(f));
  if (made.length !== 1) throw new Error(`pnpm pack in ${dir} made ${made.length} tarballs in ${dest}`);
  const file = join(dest, made[0]);
  return { file, bytes: statSync(file).size };
}

/** The file names inside a tarball (without the leading `package/`). */
export function tarballFiles(file) {
  return execFileSync('tar', ['tzf', file], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
}

/**
 * Installs tarballs into `project` (created when missing) with `pnpm add --offline`: every @snn
 * package resolves to its tarball (overrides), everything else comes from the workspace's pnpm
 * store, laid out flat as npm does. `options.add` names the packages to add (default all of
 * `tarballs`); `extra` are more specs, e.g. `@tensorflow/tfjs-core@4.22.0`.
 */
export function installTarballs(project, tarballs, extra = [], options = {}) {
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'snn-install-check', private: true, type: 'module' }, null, 2)}\n`,
  );
  const store = execFileSync('pnpm', ['store', 'path'], { cwd: root, encoding: 'utf8' }).trim();
  const overrides = Object.entries(tarballs)
    .map(([name, file]) => `  "${name}": "file:${file}"`)
    .join('\n');
  writeFileSync(
    join(project, 'pnpm-workspace.yaml'),
    // A flat node_modules, as npm makes it: a page can reach every package at node_modules/<name>.
    `storeDir: ${JSON.stringify(store)}\nnodeLinker: hoisted\noverrides:\n${overrides}\n`,
  );
  const specs = [...(options.add ?? Object.keys(tarballs)).map((n) => tarballs[n]), ...extra];
  execFileSync('pnpm', ['add', '--offline', ...specs], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
