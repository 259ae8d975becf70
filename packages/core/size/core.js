// @snn/core alone, tfjs left to the app: it must hold no copy of tfjs-core's code.
export * from '@snn/core';
