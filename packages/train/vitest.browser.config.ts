import { defineProject } from 'vitest/config';
import { sharedBrowserConfig } from '../../vitest.shared';

export default defineProject(await sharedBrowserConfig('train'));
