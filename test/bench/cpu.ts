import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) spent so far by this process and by DynamoDB Local's JVM, which the
 * local cloud started (a descendant of this process), read from Linux's /proc: where a wall time
 * goes when the handlers, the emulators and their floor share 2 cores. NaN where /proc is missing.
 */
export function cpuSeconds(): { node: number; dynamodb: number } {
  const own = process.cpuUsage();
  return { node: (own.user + own.system) / 1e6, dynamodb: dynamoDbLocalSeconds() };
}

const ticksPerSecond = 100; // USER_HZ, 100 on every Linux the bench runs on

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): state is [0], ppid [1]. */
const statOf = (pid: string): string[] =>
  readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').slice(-1)[0].split(' ');

function descendsFromUs(pid: string): boolean {
  for (let up = pid, depth = 0; depth < 8 && up !== '0' && up !== '1'; depth++) {
    up = statOf(up)[1];
    if (up === String(process.pid)) return true;
  }
  return false;
}

function dynamoDbLocalSeconds(): number {
  if (!existsSync('/proc/self/stat')) return Number.NaN;
  let seconds = 0;
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal')) continue;
      if (!descendsFromUs(pid)) continue;
      const stat = statOf(pid);
      // utime and stime, fields 14 and 15 of stat(5), in clock ticks.
      seconds += (Number(stat[11]) + Number(stat[12])) / ticksPerSecond;
    } catch {
      // the process ended while it was read
    }
  }
  return seconds;
}
