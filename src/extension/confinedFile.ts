import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Reads a file a peer's snippet named, only if it really lies inside `folder`: after resolving
 * symlinks on both, the file's real path must be the folder or below it. A path that climbs out
 * (`..`, absolute) was refused long before (snippetProblem); this also stops a symlink inside
 * the folder that points outside. Undefined when it is outside, missing, or not a regular file.
 * No `vscode` import: unit-tested on a real file system.
 */
export async function readConfined(file: string, folder: string): Promise<{ real: string; text: string } | undefined> {
  const real = await confinedRealPath(file, folder);
  if (!real) return undefined;
  try {
    const st = await fs.stat(real);
    if (!st.isFile()) return undefined;
    return { real, text: await fs.readFile(real, 'utf8') };
  } catch {
    return undefined;
  }
}

/** `file`'s real path if it lies inside `folder` (both resolved), else undefined. */
export async function confinedRealPath(file: string, folder: string): Promise<string | undefined> {
  try {
    const [real, root] = await Promise.all([fs.realpath(file), fs.realpath(folder)]);
    const rel = path.relative(root, real);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return real;
    return undefined;
  } catch {
    return undefined;
  }
}
