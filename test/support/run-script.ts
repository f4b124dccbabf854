import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one of the project's scripts (`infra/cli/backline.ts`, `infra/demo.ts`, `infra/local/start.ts`)
 * as a person would, on this Node, from the project root; `killAfterMs`: killed (SIGKILL, code -1) if it
 * has not exited by then, for a script that is to stop at once but could run on.
 */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  { killAfterMs }: { killAfterMs?: number } = {},
): Promise<ScriptRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, env: { ...process.env, ...env } });
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * `npm start`'s entry point run to its exit on `env` (its ports, data folder), for a start that is to
 * stop at once (killed after 60 s otherwise): its exit code and all it printed, stdout then stderr.
 */
export async function runStartToExit(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const run = await runScript('infra/local/start.ts', [], env, { killAfterMs: 60_000 });
  return { code: run.code, output: run.stdout + run.stderr };
}
