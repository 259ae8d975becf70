import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { artifactsFromFiles, artifactsToFiles, parseModelJson } from '../checkpoint.js';
import { readFileInside } from './files.js';

/** The most bytes a `model.json` may have (its specs are small; the weights are elsewhere). */
const MAX_MODEL_JSON = 16 * 1024 * 1024;

/** Writes `model.json` (tfjs layout: `weightsManifest` → `weights.bin`) and `weights.bin` into `dir`. */
export async function writeArtifacts(dir: string, artifacts: tf.io.ModelArtifacts): Promise<void> {
  const files = artifactsToFiles(artifacts);
  await writeFile(join(dir, 'weights.bin'), files.weights);
  await writeFile(join(dir, 'model.json'), files.modelJson);
}

/**
 * Reads `<folder>/model.json` and the weight files it lists, confined to `root` (a run directory or
 * the model folder itself): every path must stay inside, every file be a regular file, and the
 * weight files' sizes must add up to what the specs need before any is read.
 * @throws CheckpointError naming the file at fault.
 */
export async function readArtifactsInside(root: string, folder: string): Promise<tf.io.ModelArtifacts> {
  const at = (p: string) => (folder === '' || folder === '.' ? p : `${folder}/${p}`);
  const text = (await readFileInside(root, at('model.json'), { maxBytes: MAX_MODEL_JSON })).toString('utf8');
  const parsed = parseModelJson(text, at('model.json'));
  const paths = parsed.groups.flatMap((g) => g.paths);
  // One weight file (ours): its exact size is known. Several: each at most the total.
  const buffers: Uint8Array[] = [];
  for (const p of paths) {
    const exact = paths.length === 1 ? { bytes: parsed.bytes } : {};
    buffers.push(await readFileInside(root, at(p), { maxBytes: parsed.bytes, label: at(p), ...exact }));
  }
  return artifactsFromFiles(parsed, buffers);
}
