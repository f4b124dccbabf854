import { beforeAll } from 'vitest';
import { clearFaults, markFileBegan } from './cloud.ts';

/**
 * Every integration file shares one local cloud (global-setup.ts), and a fault is armed on that cloud
 * for whoever reaches it first: a fault one file armed and its own calls did not take (a background
 * sweep took another) must not fire in the next file. Each file starts with none armed.
 */
beforeAll(clearFaults);

// What the file reads of the SES store starts here (sentMail): the store's mail of earlier files is
// not read again at each poll.
beforeAll(markFileBegan);
