import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { alive, until } from '#test/support/processes.ts';

describe('a process tied to the one that started it', () => {
  it.runIf(process.platform === 'linux')(
    'ends when its parent is killed with SIGKILL, as a local cloud must when its test run is',
    async () => {
      // The parent: starts a long sleep through spawnTiedToParent, prints its pid, then waits.
      const parent = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { spawnTiedToParent } from '${new URL('../../../infra/local/tied-spawn.ts', import.meta.url).pathname}';
           const child = spawnTiedToParent('sleep', ['60'], { stdio: 'ignore' });
           console.log(child.pid);
           setInterval(() => {}, 1000);`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const [line] = await createInterface({ input: parent.stdout! })
        [Symbol.asyncIterator]()
        .next()
        .then((next) => [next.value as string]);
      const childPid = Number(line);
      expect(alive(childPid)).toBe(true);

      parent.kill('SIGKILL');

      expect(await until(() => !alive(childPid), 5_000)).toBe(true);
    },
  );
});

describe('a process watching for the end of the one that started it (whenParentGone)', () => {
  /**
   * A parent that starts a child watching for it, with `npm_lifecycle_event` as given. The child prints
   * its pid once it has read its parent, and `gone` when it sees its parent gone (then exits); `said`
   * holds what it printed (its output outlives the parent: the child holds the pipe too).
   */
  async function parentWithWatchingChild(lifecycleEvent: string | undefined) {
    const tied = new URL('../../../infra/local/tied-spawn.ts', import.meta.url).pathname;
    const childCode = `import { whenParentGone } from '${tied}';
      whenParentGone(process.ppid, () => {
        console.log('gone');
        process.exit(0);
      });
      console.log(process.pid);
      setTimeout(() => {}, 60_000);`;
    const env = { ...process.env };
    delete env.npm_lifecycle_event;
    if (lifecycleEvent) env.npm_lifecycle_event = lifecycleEvent;
    const parent = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { spawn } from 'node:child_process';
         spawn(process.execPath, ['--input-type=module', '-e', ${JSON.stringify(childCode)}], { stdio: ['ignore', 'inherit', 'inherit'] });
         setInterval(() => {}, 1000);`,
      ],
      { env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const said: string[] = [];
    createInterface({ input: parent.stdout! }).on('line', (line) => said.push(line));
    await until(() => said.length > 0, 30_000);
    return { parent, childPid: Number(said[0]), said };
  }

  it.runIf(process.platform !== 'win32')(
    'stops a local cloud whose npm start is killed, and leaves running one started to outlive what started it (nohup, a script)',
    async () => {
      const npmStart = await parentWithWatchingChild('start');
      const nohup = await parentWithWatchingChild(undefined);
      try {
        npmStart.parent.kill('SIGKILL');
        nohup.parent.kill('SIGKILL');

        expect(await until(() => npmStart.said.includes('gone'), 30_000)).toBe(true);
        // Given as long again (the watch looks each second), the one not under npm start still runs.
        expect(await until(() => nohup.said.includes('gone'), 3_000)).toBe(false);
      } finally {
        for (const pid of [npmStart.childPid, nohup.childPid]) if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
    },
  );
});
