import { describeBackends } from '@snn/test-utils';
import { expect, it } from 'vitest';
import { recordedTensor } from './golden-data.js';

describeBackends('golden record decoding', { only: ['cpu'] }, () => {
  it('reads nested numbers, flat indices of ones, and indices nested per step and sample', async () => {
    expect(await recordedTensor([[1, 2]], [1, 2])!.array()).toEqual([[1, 2]]);
    const want = [
      [
        [0, 1, 0],
        [1, 0, 0],
      ],
      [
        [0, 0, 1],
        [0, 0, 0],
      ],
    ];
    expect(await recordedTensor({ flat_indices_of_ones: [1, 3, 8] }, [2, 2, 3])!.array()).toEqual(want);
    expect(await recordedTensor({ flat_indices_of_ones: [[1, 3], [2]] }, [2, 2, 3])!.array()).toEqual(want);
    expect(
      await recordedTensor(
        {
          flat_indices_of_ones: [
            [[1], [0]],
            [[2], []],
          ],
        },
        [2, 2, 3],
      )!.array(),
    ).toEqual(want);
    expect(recordedTensor({ summary: { sum: 3 } }, [2, 2, 3])).toBeUndefined();
  });
});
