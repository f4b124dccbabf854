import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

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
