export type { ImageCallOptions } from './base.js';
export { Conv2d, type Conv2dOptions } from './conv2d.js';
export { Dropout } from './dropout.js';
export { Flatten } from './flatten.js';
export { Linear, type LinearOptions } from './linear.js';
export { AvgPool2d, MaxPool2d, type PoolOptions, SumPool2d } from './pool.js';
