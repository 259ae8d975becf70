import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import { CheckpointError, loadModelArtifacts, type Model, model, recurrentSNN } from '@snn/train';
import type * as tf from '@tensorflow/tfjs-core';

/** The tutorial's recurrent model (T 32, constant current), with the hidden size given. */
export function tutorialModel(hidden = 100, seed = 0, seqLength = 32): Model {
  return model({
    encoder: new ConstantCurrentLIFEncoder(seqLength),
    network: recurrentSNN({ hiddenFeatures: hidden, seed }),
  });
}

/**
 * Builds the recurrent model a saved `model.json` describes and loads its weights.
 * @throws CheckpointError when the file is not an `@snn` recurrent model or is corrupt.
 */
export function modelFromArtifacts(artifacts: tf.io.ModelArtifacts): Model {
  const snn = (
    artifacts.modelTopology as
      | { snn?: { network?: Record<string, unknown>; encoder?: { seqLength?: number } } }
      | undefined
  )?.snn;
  if (!snn?.network)
    throw new CheckpointError(
      'not an @snn model: model.json has no modelTopology.snn (save it with @snn/train or snn-train)',
    );
  if (snn.network.kind !== 'recurrentSNN') {
    throw new CheckpointError(
      `this page shows recurrent models; the file holds a ${String(snn.network.kind)} network`,
    );
  }
  const n = snn.network as {
    hiddenFeatures: number;
    seed: number;
    inputFeatures: number;
    outputFeatures: number;
  };
  if (n.inputFeatures !== 784 || n.outputFeatures !== 10) {
    throw new CheckpointError(
      `expected a 784 → 10 MNIST model, the file has ${n.inputFeatures} → ${n.outputFeatures}`,
    );
  }
  const m = tutorialModel(n.hiddenFeatures, n.seed, snn.encoder?.seqLength ?? 32);
  try {
    loadModelArtifacts(m, artifacts);
  } catch (error) {
    m.dispose();
    throw error;
  }
  return m;
}

/** Reads `model.json` and its weight files as tfjs `ModelArtifacts`. */
export async function artifactsFromFiles(files: readonly File[]): Promise<tf.io.ModelArtifacts> {
  const json = files.find((f) => f.name.endsWith('.json'));
  if (!json) throw new CheckpointError('choose the model.json file and its weights.bin together');
  let parsed: { weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] } & Record<
    string,
    unknown
  >;
  try {
    parsed = JSON.parse(await json.text());
  } catch (error) {
    throw new CheckpointError(`${json.name} is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed.weightsManifest))
    throw new CheckpointError(`${json.name} has no weightsManifest: not a tfjs model.json`);
  const buffers: ArrayBuffer[] = [];
  for (const path of parsed.weightsManifest.flatMap((g) => g.paths)) {
    const f = files.find((x) => x.name === path.split('/').pop());
    if (!f) throw new CheckpointError(`missing weight file ${path}: choose it together with ${json.name}`);
    buffers.push(await f.arrayBuffer());
  }
  return withWeights(parsed, buffers);
}

/** Fetches `model.json` and its weights from a URL (a run directory's `model/` served over HTTP). */
export async function artifactsFromUrl(
  url: string,
  fetchFn: typeof fetch = fetch,
): Promise<tf.io.ModelArtifacts> {
  const response = await fetchFn(url);
  if (!response.ok) throw new CheckpointError(`${url}: HTTP ${response.status}`);
  const parsed = (await response.json()) as {
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  } & Record<string, unknown>;
  if (!Array.isArray(parsed.weightsManifest))
    throw new CheckpointError(`${url} has no weightsManifest: not a tfjs model.json`);
  const buffers = await Promise.all(
    parsed.weightsManifest
      .flatMap((g) => g.paths)
      .map(async (p) => {
        const r = await fetchFn(new URL(p, new URL(url, globalThis.location?.href)).href);
        if (!r.ok) throw new CheckpointError(`${p}: HTTP ${r.status}`);
        return r.arrayBuffer();
      }),
  );
  return withWeights(parsed, buffers);
}

function withWeights(
  parsed: { weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] } & Record<
    string,
    unknown
  >,
  buffers: ArrayBuffer[],
): tf.io.ModelArtifacts {
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  const data = new Uint8Array(total);
  let off = 0;
  for (const b of buffers) {
    data.set(new Uint8Array(b), off);
    off += b.byteLength;
  }
  const { weightsManifest, ...rest } = parsed;
  return { ...rest, weightSpecs: weightsManifest!.flatMap((g) => g.weights), weightData: data.buffer };
}
