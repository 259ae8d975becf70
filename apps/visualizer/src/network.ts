import { ConstantCurrentLIFEncoder } from '@snn/encoders';
import {
  CheckpointError,
  concatWeightData,
  artifactsFromFiles as joinWeights,
  loadModelArtifacts,
  type Model,
  model,
  parseModelJson,
  recurrentSNN,
} from '@snn/train';
import type * as tf from '@tensorflow/tfjs-core';

/** The tutorial's recurrent model (T 32, constant current), with the hidden size given. */
export function tutorialModel(hidden = 100, seed = 0, seqLength = 32): Model {
  return model({
    encoder: new ConstantCurrentLIFEncoder(seqLength),
    network: recurrentSNN({ hiddenFeatures: hidden, seed }),
  });
}

/** The most hidden neurons a loaded model may declare (more would not fit a browser tab). */
const MAX_HIDDEN = 10_000;
/** The most time steps a loaded model's encoder may declare. */
const MAX_STEPS = 10_000;

const whole = (x: unknown, min: number, max: number): x is number =>
  Number.isSafeInteger(x) && (x as number) >= min && (x as number) <= max;

/**
 * Builds the recurrent model a saved `model.json` describes and loads its weights, after checking
 * every field it reads (a file from anywhere must not make the page allocate without bound).
 * @throws CheckpointError when the file is not an `@snn` recurrent model or is corrupt.
 */
export function modelFromArtifacts(artifacts: tf.io.ModelArtifacts): Model {
  const snn = (artifacts.modelTopology as { snn?: unknown } | undefined)?.snn as
    | { network?: Record<string, unknown>; encoder?: { seqLength?: unknown } }
    | undefined;
  if (typeof snn !== 'object' || snn === null || typeof snn.network !== 'object' || snn.network === null)
    throw new CheckpointError(
      'not an @snn model: model.json has no modelTopology.snn (save it with @snn/train or snn-train)',
    );
  const n = snn.network;
  if (n.kind !== 'recurrentSNN') {
    throw new CheckpointError(`this page shows recurrent models; the file holds a ${String(n.kind)} network`);
  }
  if (n.inputFeatures !== 784 || n.outputFeatures !== 10) {
    throw new CheckpointError(
      `expected a 784 → 10 MNIST model, the file has ${String(n.inputFeatures)} → ${String(n.outputFeatures)}`,
    );
  }
  if (!whole(n.hiddenFeatures, 1, MAX_HIDDEN))
    throw new CheckpointError(`model.json: "hiddenFeatures" must be a whole number from 1 to ${MAX_HIDDEN}`);
  const seed = whole(n.seed, 0, 2 ** 32) ? n.seed : 0;
  const steps = snn.encoder?.seqLength ?? 32;
  if (!whole(steps, 1, MAX_STEPS))
    throw new CheckpointError(
      `model.json: "encoder.seqLength" must be a whole number from 1 to ${MAX_STEPS}`,
    );
  // Nothing is built unless the weights are there: the model costs what the file holds.
  const h = n.hiddenFeatures;
  const needed = (784 * h + h * h + h * 10) * 4;
  const have = artifacts.weightData === undefined ? 0 : concatWeightData(artifacts.weightData).byteLength;
  if (have !== needed)
    throw new CheckpointError(
      `corrupt weights: ${have} bytes of weight data, a 784 → ${h} → 10 recurrent model needs ${needed}`,
    );
  const m = tutorialModel(h, seed, steps);
  try {
    loadModelArtifacts(m, artifacts);
  } catch (error) {
    m.dispose();
    throw error;
  }
  return m;
}

/**
 * Reads `model.json` and its weight files as tfjs `ModelArtifacts`: the manifest checked by
 * `parseModelJson` of @snn/train, each file's size checked before it is read.
 */
export async function artifactsFromFiles(files: readonly File[]): Promise<tf.io.ModelArtifacts> {
  const json = files.find((f) => f.name.endsWith('.json'));
  if (!json) throw new CheckpointError('choose the model.json file and its weights.bin together');
  if (json.size > MAX_MODEL_JSON)
    throw new CheckpointError(`${json.name}: ${json.size} bytes is too large for a model.json`);
  const parsed = parseModelJson(await json.text(), json.name);
  const buffers: Uint8Array[] = [];
  for (const path of parsed.groups.flatMap((g) => g.paths)) {
    const f = files.find((x) => x.name === path.split('/').pop());
    if (!f) throw new CheckpointError(`missing weight file ${path}: choose it together with ${json.name}`);
    if (f.size > parsed.bytes)
      throw new CheckpointError(
        `${f.name}: ${f.size} bytes, more than the ${parsed.bytes} the manifest needs`,
      );
    buffers.push(new Uint8Array(await f.arrayBuffer()));
  }
  return joinWeights(parsed, buffers);
}

/** Fetches `model.json` and its weights from a URL (a run directory's `model/` served over HTTP). */
export async function artifactsFromUrl(
  url: string,
  fetchFn: typeof fetch = fetch,
): Promise<tf.io.ModelArtifacts> {
  const response = await fetchFn(url);
  if (!response.ok) throw new CheckpointError(`${url}: HTTP ${response.status}`);
  const tooLarge = (r: Response, max: number) => Number(r.headers.get('content-length') ?? 0) > max;
  if (tooLarge(response, MAX_MODEL_JSON)) throw new CheckpointError(`${url}: too large for a model.json`);
  const parsed = parseModelJson(await response.text(), url);
  const buffers = await Promise.all(
    parsed.groups
      .flatMap((g) => g.paths)
      .map(async (p) => {
        const r = await fetchFn(new URL(p, new URL(url, globalThis.location?.href)).href);
        if (!r.ok) throw new CheckpointError(`${p}: HTTP ${r.status}`);
        if (tooLarge(r, parsed.bytes)) throw new CheckpointError(`${p}: more bytes than the manifest needs`);
        return new Uint8Array(await r.arrayBuffer());
      }),
  );
  return joinWeights(parsed, buffers);
}

/** The most bytes a model.json may have. */
const MAX_MODEL_JSON = 16 * 1024 * 1024;
