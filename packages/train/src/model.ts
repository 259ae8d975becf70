import { tidy } from '@snn/core';
import { decode } from '@snn/decoders';
import type { Encoder } from '@snn/encoders';
import type * as tf from '@tensorflow/tfjs-core';
import type { ForwardOptions, LayerSummary, Network, RecordedStates } from './network.js';

/** Decodes a network's readout `[T, B, C]` into log-probabilities `[B, C]`. */
export type Decoder = (readout: tf.Tensor) => tf.Tensor;

/** What {@link Model.forward} returns. */
export interface ModelOutput {
  /** Log-probabilities `[B, C]`. */
  readonly logProbs: tf.Tensor;
  /** The readout over time `[T, B, C]`. */
  readonly readout: tf.Tensor;
  /** The encoded input `[T, B, ...]`. */
  readonly encoded: tf.Tensor;
  /** Hidden spikes over time, one tensor per spiking layer. */
  readonly spikes: readonly tf.Tensor[];
  /** Every state over time when `record` was asked for. */
  readonly recorded?: RecordedStates;
}

/** The tutorial's `Model`: encode → spiking network over time → decode. */
export interface Model {
  readonly encoder: Encoder;
  readonly network: Network;
  readonly decoder: Decoder;
  readonly trainableVariables: readonly tf.Variable[];
  /** Runs everything; the caller owns (and disposes) every returned tensor. */
  forward(images: tf.Tensor, options?: ForwardOptions): ModelOutput;
  /** Log-probabilities `[B, C]` of a batch of inputs. */
  predict(images: tf.Tensor): tf.Tensor;
  /** Layers, output shapes and parameter counts, as a printable table. */
  summary(): string;
  /** The layers as data. */
  layers(): readonly LayerSummary[];
  /** Total trainable parameters. */
  parameterCount(): number;
  dispose(): void;
}

/**
 * Builds the tutorial's model. The decoder defaults to `decode` (max over time + log-softmax).
 *
 * @example
 * ```ts
 * const m = model({ encoder: new ConstantCurrentLIFEncoder(32), network: recurrentSNN() });
 * const logProbs = m.predict(images); // [B, 10]
 * ```
 */
export function model(parts: { encoder: Encoder; network: Network; decoder?: Decoder }): Model {
  const { encoder, network } = parts;
  const decoder = parts.decoder ?? decode;
  const parameterCount = () => network.trainableVariables.reduce((a, v) => a + v.size, 0);
  return {
    encoder,
    network,
    decoder,
    get trainableVariables() {
      return network.trainableVariables;
    },
    forward(images, options = {}) {
      return tidy(() => {
        const encoded = encoder.encode(images);
        const result = network.forward(encoded, options);
        const logProbs = decoder(result.output);
        const out = { logProbs, readout: result.output, encoded, spikes: result.spikes };
        return result.recorded ? { ...out, recorded: result.recorded } : out;
      });
    },
    predict(images) {
      return tidy(() => decoder(network.forward(encoder.encode(images)).output));
    },
    layers: () => network.layers(),
    parameterCount,
    summary() {
      const rows = [
        ['layer', 'kind', 'output (per step)', 'parameters'],
        ['encoder', encoder.name, `T = ${encoder.seqLength ?? '-'}`, '0'],
        ...network
          .layers()
          .map((l) => [
            l.name,
            l.kind,
            `[${l.outputShape.map((d) => (d < 0 ? 'B' : d)).join(', ')}]`,
            String(l.parameters),
          ]),
        ['decoder', decoder.name || 'decode', '[B, classes]', '0'],
      ];
      const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
      const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
      return [
        line(rows[0]!),
        widths.map((w) => '-'.repeat(w)).join('  '),
        ...rows.slice(1).map(line),
        `total trainable parameters: ${parameterCount()}`,
      ].join('\n');
    },
    dispose: () => network.dispose(),
  };
}
