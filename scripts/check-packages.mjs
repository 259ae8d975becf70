#!/usr/bin/env node
// CI (.ci/run): every public package as a user gets it. Packs each with pnpm, then checks the
// tarball: the root's LICENSE and a README inside, the metadata (repository with its directory,
// homepage, bugs, engines), `publint --strict` and arethetypeswrong with the ESM-only profile; prints
// the tarball sizes. Then installs the tarballs into an empty folder, offline, and checks that every
// library entry point imports and require()s in Node, that `npx @snn/trainer --version` prints the
// version and that `npx @snn/trainer train --limit-train 512` trains (on the offline subset where
// MNIST cannot be downloaded). Needs a build first (`pnpm exec turbo run build`).
//
//   node scripts/check-packages.mjs [--no-train] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installTarballs, pack, publicPackages, root, tarballFiles } from './pack.mjs';

const args = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), 'snn-packages-'));
const problems = [];
const fail = (name, what) => problems.push(`${name}: ${what}`);
const bin = (name) => join(root, 'node_modules', '.bin', name);
const license = readFileSync(join(root, 'LICENSE'), 'utf8');
const repoUrl = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).repository?.url;

const packages = publicPackages();
const tarballs = {};
const sizes = [];
for (const { name, version, dir, pkg } of packages) {
  const { file, bytes } = pack(dir, join(work, 'tarballs'));
  tarballs[name] = file;
  const files = tarballFiles(file);
  sizes.push({ name, version, bytes, files: files.length });

  // Licence and metadata.
  if (!files.includes('LICENSE')) fail(name, 'the tarball has no LICENSE');
  else if (execFileSync('tar', ['xzOf', file, 'package/LICENSE'], { encoding: 'utf8' }) !== license)
    fail(name, `its LICENSE differs from the repository's (cp LICENSE ${dir}/LICENSE)`);
  if (!files.includes('README.md')) fail(name, 'the tarball has no README.md');
  if (pkg.license === undefined || !String(pkg.license).startsWith('MIT')) fail(name, 'license is not MIT');
  if (pkg.repository?.url !== repoUrl || pkg.repository?.directory !== dir)
    fail(name, `repository must be { url: ${repoUrl}, directory: ${dir} }`);
  if (typeof pkg.homepage !== 'string' || !pkg.homepage.includes(dir))
    fail(name, 'homepage must point at its folder');
  if (typeof pkg.bugs?.url !== 'string') fail(name, 'bugs.url is missing');
  if (typeof pkg.engines?.node !== 'string') fail(name, 'engines.node is missing');
  if (pkg.type !== 'module') fail(name, 'is not "type": "module" (ESM only)');

  // publint and arethetypeswrong on the tarball.
  const publint = spawnSync(bin('publint'), ['run', file, '--strict'], { encoding: 'utf8' });
  if (publint.status !== 0 || !/All good!/.test(publint.stdout))
    fail(name, `publint --strict:\n${publint.stdout}${publint.stderr}`);
  const attw = spawnSync(bin('attw'), [file, '--profile', 'esm-only', '--format', 'ascii'], {
    encoding: 'utf8',
  });
  if (attw.status !== 0) fail(name, `arethetypeswrong --profile esm-only:\n${attw.stdout}${attw.stderr}`);
}

console.log('package                 version  tarball     files');
for (const s of sizes)
  console.log(
    `${s.name.padEnd(23)} ${s.version.padEnd(8)} ${`${(s.bytes / 1024).toFixed(1)} KiB`.padStart(11)} ${String(s.files).padStart(5)}`,
  );

// Installed from the tarballs into an empty project, as a user would.
const project = join(work, 'project');
const libraries = packages.filter((p) => p.name !== '@snn/visualizer' && p.name !== '@snn/trainer');
try {
  installTarballs(
    project,
    tarballs,
    ['@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-backend-cpu@4.22.0'],
    {
      add: packages.filter((p) => p.name !== '@snn/visualizer').map((p) => p.name),
    },
  );
} catch (error) {
  fail('install', `pnpm add --offline of the tarballs failed: ${error.stderr ?? error.message}`);
}
const node = (code, type) =>
  spawnSync(process.execPath, [`--input-type=${type}`, '-e', code], { cwd: project, encoding: 'utf8' });
if (problems.length === 0) {
  for (const { name, pkg } of libraries) {
    const subpaths = Object.keys(pkg.exports ?? { '.': null }).filter((k) => !k.endsWith('.json'));
    for (const sub of subpaths) {
      const spec = sub === '.' ? name : `${name}/${sub.slice(2)}`;
      const esm = node(`await import(${JSON.stringify(spec)});`, 'module');
      if (esm.status !== 0) fail(spec, `import() fails in Node:\n${esm.stderr}`);
      const cjs = node(`require(${JSON.stringify(spec)});`, 'commonjs');
      if (cjs.status !== 0) fail(spec, `require() fails in Node ${process.version}:\n${cjs.stderr}`);
    }
  }
  const trainer = packages.find((p) => p.name === '@snn/trainer');
  const npx = (...a) =>
    spawnSync('npx', ['--offline', '@snn/trainer', ...a], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, SNN_MNIST_DIR: '', XDG_CACHE_HOME: join(work, 'cache') },
    });
  const version = npx('--version');
  if (version.stdout.trim() !== trainer.version)
    fail('@snn/trainer', `snn-train --version printed "${version.stdout.trim()}", not ${trainer.version}`);
  if (!args.includes('--no-train')) {
    const t0 = performance.now();
    const train = npx('train', '--limit-train', '512', '--out', join(work, 'run'));
    const accuracy = /test accuracy: ([\d.]+)%/.exec(train.stdout);
    if (train.status !== 0 || !accuracy)
      fail(
        '@snn/trainer',
        `npx @snn/trainer train --limit-train 512 failed:\n${train.stdout}\n${train.stderr}`,
      );
    else
      console.log(
        `npx @snn/trainer train --limit-train 512: test accuracy ${accuracy[1]}% in ${((performance.now() - t0) / 1000).toFixed(0)} s` +
          (/OFFLINE SUBSET/.test(train.stdout) ? ' (offline subset)' : ''),
      );
  }
}

if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
if (problems.length > 0) {
  for (const p of problems) console.error(`packages: ${p}`);
  process.exit(1);
}
console.log(
  `packages: ${packages.length} public packages pack with LICENSE and metadata, pass publint --strict and ` +
    'arethetypeswrong (esm-only), import and require() in Node; the packed snn-train prints its version' +
    (args.includes('--no-train') ? '' : ' and trains'),
);
