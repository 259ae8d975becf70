import { useBackend } from '@snn/core';
import type { ImageSplit } from '@snn/datasets';
import { BROWSER_LOADERS } from '@snn/test-utils/browser';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { compareTrajectory, formatReports, type TrajectoryGolden, trainLikeNorse } from '../trajectory.js';

declare module 'vitest/browser' {
  interface BrowserCommands {
    mnistHead: (count: number) => Promise<{ images: string; labels: string } | null>;
  }
}

const goldens = import.meta.glob<TrajectoryGolden>('../golden/trajectory-recurrent.json', {
  eager: true,
  import: 'default',
});
const golden = Object.values(goldens)[0]!;
const STEPS = 3;

const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

// The GPU backends for steps 1–3 (the wasm and cpu kernels run all 20 steps in Node).
for (const backend of ['webgl', 'webgpu'] as const) {
  describe(`[${backend}] the tutorial recurrent model follows Norse for steps 1–3 in Chromium`, () => {
    let data: ImageSplit | undefined;
    beforeAll(async () => {
      const choice = await useBackend(backend, { loaders: BROWSER_LOADERS });
      expect(choice.name).toBe(backend);
      const head = await commands.mnistHead(STEPS * golden.config.batch);
      if (!head) {
        console.warn(
          'skipping the trajectory test: set SNN_MNIST_DIR to the folder of the four MNIST .gz files',
        );
        return;
      }
      const labels = bytes(head.labels);
      data = { images: bytes(head.images), labels, count: labels.length, rows: 28, cols: 28 };
    });

    it("the same spikes as Norse's, loss, log-probabilities and gradients within float32 rounding", async (ctx) => {
      if (!data) ctx.skip();
      const measured = await trainLikeNorse(golden, { data: data!, steps: STEPS });
      const { problems, reports } = compareTrajectory(golden, measured);
      console.log(formatReports(`recurrent [${backend}]`, reports));
      expect(problems).toEqual([]);
      expect(reports.map((r) => r.spikesEqual)).toEqual([true, true, true]);
    }, 600_000);
  });
}
