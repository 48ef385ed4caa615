import { chmod, cp, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { childEnv } from '../../../process/child-env.js';
import { runTool } from '../../../process/spawn-tool.js';

/** The account a server runs as: PostgreSQL refuses to run as root. */
export interface ServiceUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** `nobody` when this process is root (initdb and postgres refuse root); undefined otherwise. */
export async function serviceUser(): Promise<ServiceUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const [, , uid, gid] = passwd.split('\n').find((line) => line.startsWith('nobody:'))?.split(':') ?? [];
  return { name: 'nobody', uid: Number(uid || 65534), gid: Number(gid || 65534) };
}

/** Whether `user` can run `binary --version` (reach the file, its folder and its libraries). */
export async function canRunAs(binary: string, user: ServiceUser): Promise<boolean> {
  const result = await runTool(binary, ['--version'], { cwd: '/', timeoutMs: 30_000, uid: user.uid, gid: user.gid, env: childEnv(process.env) });
  return result.exitCode === 0;
}

/** Whether `user` may traverse every folder from the root down to `path` (by mode bits). */
export async function reachableBy(path: string, user: ServiceUser): Promise<boolean> {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const info = await stat(dir).catch(() => undefined);
    if (!info) return false;
    const bit = info.uid === user.uid ? 0o100 : info.gid === user.gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

/**
 * Copies a server installation (`bin` and its siblings `lib`, `share`, which the binaries
 * find relative to themselves) into `dest`, readable by everyone; returns the new `bin`.
 */
export async function copyServerInstall(binDir: string, dest: string): Promise<string> {
  await cp(binDir, join(dest, 'bin'), { recursive: true, verbatimSymlinks: true });
  for (const part of ['lib', 'share']) {
    const from = join(dirname(binDir), part);
    if (await stat(from).catch(() => undefined)) await cp(from, join(dest, part), { recursive: true, verbatimSymlinks: true });
  }
  await makeReadable(dest);
  return join(dest, 'bin');
}

async function makeReadable(path: string): Promise<void> {
  const info = await stat(path);
  if (info.isDirectory()) {
    await chmod(path, 0o755);
    for (const entry of await readdir(path, { withFileTypes: true })) {
      if (!entry.isSymbolicLink()) await makeReadable(join(path, entry.name));
    }
  } else {
    await chmod(path, info.mode & 0o111 ? 0o755 : 0o644);
  }
}
