import { describeBackends } from '@snn/test-utils';
import { tieCases } from './ties.cases.js';

describeBackends("PyTorch's first-index tie rule in decoders, losses and pooling", {}, () => {
  tieCases();
});
