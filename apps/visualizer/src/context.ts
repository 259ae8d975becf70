import type { BackendName } from '@snn/core';
import type { ImageSplit } from '@snn/datasets';
import type { Model } from '@snn/train';
import type { DigitSet } from './digits.js';
import type { Listeners } from './dom.js';

/** What the panels share: the current input image, the network to show, messages. */
export interface SharedState {
  /** The input digit, 784 values in [0, 1]. */
  image: Float32Array;
  /** Its label when it is a dataset digit (undefined when drawn). */
  label: number | undefined;
  /** A trained (or loaded) recurrent model, when there is one. */
  model: Model | undefined;
  /** Where `model` came from ("trained in the browser", a file name, a URL). */
  modelSource: string | undefined;
  /** Which dataset digit `image` is (undefined when drawn). */
  digitIndex: number | undefined;
  /** The time step the shared play/scrub control points at (undefined: none). */
  step: number | undefined;
}

/** What changed in the shared state. */
export type Change = 'image' | 'model' | 'step';

/** Handed to every panel: the document, shared state with change notifications, messages. */
export interface PanelContext {
  readonly doc: Document;
  /** The digits to show and test on: the bundled ones, or MNIST's test set when `mnistUrl` was loaded. */
  readonly digits: DigitSet;
  /** MNIST's training set when `mnistUrl` was loaded (the train panel uses it). */
  readonly trainSet: ImageSplit | undefined;
  readonly state: SharedState;
  /** Tell the other panels that `state` changed. */
  changed(what: Change): void;
  /** Subscribe to changes; unsubscribed when the panel's listeners are disposed. */
  subscribe(fn: (what: Change) => void, listeners: Listeners): void;
  /**
   * Shows an error (and logs it to the console): beside `panel` when given (in a dismissible alert
   * at the top of that panel), else at the top of the visualizer.
   */
  error(message: string, panel?: HTMLElement): void;
  /** Removes the errors shown beside `panel` (called when its work next succeeds). */
  clearError(panel: HTMLElement): void;
  /** Show a notice in the page. */
  notice(message: string): void;
  /** The active tfjs backend's name. */
  backend(): string;
  /** The backend the page asked for (`'auto'`, a name, or `'host'`). */
  backendPreference(): string;
  /**
   * Makes `name` the page's tfjs backend (for the train panel's timed choice); false when it cannot
   * start (the previous backend stays). Never called under `'host'`.
   */
  switchBackend(name: BackendName, why: string): Promise<boolean>;
}

/** A mounted panel. */
export interface Panel {
  readonly title: string;
  readonly element: HTMLElement;
  destroy(): void;
}
