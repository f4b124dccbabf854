import { beforeAll } from 'vitest';
import { clearFaults } from './cloud.ts';

/**
 * Every integration file shares one local cloud (global-setup.ts), and a fault is armed on that cloud
 * for whoever reaches it first: a fault one file armed and its own calls did not take (a background
 * sweep took another) must not fire in the next file. Each file starts with none armed.
 */
beforeAll(clearFaults);
