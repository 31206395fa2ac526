import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

const REPO = path.resolve(__dirname, '..', '..');

/**
 * Runs `bodies` in child Node processes (tsx, so they may `require` the project's .ts files)
 * released at the same instant: each first runs its `setup` (loading modules is the slow part),
 * reports ready and blocks on stdin; once all are ready each gets "go" and runs its body.
 * Resolves with each child's stdout lines printed after "go"; rejects if one exits non-zero.
 */
export async function runSimultaneously(setup: string, bodies: string[]): Promise<string[][]> {
  const children = bodies.map((body) => {
    const script = `${setup}
      process.stdout.write('ready\\n');
      require('node:fs').readSync(0, Buffer.alloc(3));
      ${body}`;
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: REPO });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    readline.createInterface({ input: child.stdout }).on('line', (l) => {
      if (lines.length === 0 && l === 'ready') markReady();
      lines.push(l);
    });
    child.stdin.on('error', () => undefined); // a child that already died: its exit code reports it
    const exited = new Promise<string[]>((resolve, reject) =>
      child.on('exit', (code) => (code === 0 ? resolve(lines.slice(1)) : reject(new Error(`child exited ${code}: ${stderr}`)))),
    );
    return { child, ready, exited };
  });
  // A child that fails before "ready" must fail the run, not leave it waiting.
  await Promise.race([Promise.all(children.map((c) => c.ready)), Promise.all(children.map((c) => c.exited))]);
  for (const c of children) c.child.stdin.write('go\n');
  return Promise.all(children.map((c) => c.exited));
}
