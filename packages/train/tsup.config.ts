import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.shared';

export default defineConfig(
  libraryConfig({
    index: 'src/index.ts',
    'node/index': 'src/node/index.ts',
    'node/worker': 'src/node/worker.ts',
  }),
);
