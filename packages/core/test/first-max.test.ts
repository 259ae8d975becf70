import { describeBackends } from '@snn/test-utils';
import { firstMaxCases } from './first-max.cases.js';

describeBackends("PyTorch's first-index tie rule", {}, () => {
  firstMaxCases();
});
