import * as posix from 'path/posix';
import type { ImageCandidate } from './image-source';
import type { ImageFs } from './layers';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Finds the program as the runtime does: a path with a slash from WorkingDir, else along PATH. */
export function locate(program: string, cfg: NonNullable<ImageCandidate['config']['config']>, fs: ImageFs): ReturnType<ImageFs['resolve']> {
  if (program.includes('/')) {
    return fs.resolve(posix.resolve(cfg.WorkingDir || '/', program));
  }
  const pathVar = (cfg.Env ?? []).find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
  const dirs = pathVar.split(':').filter(Boolean);
  const hits = dirs.map((d) => fs.resolve(posix.join(d, program)));
  return hits.find((h) => h?.file.type === 'file') ?? hits.find((h) => h !== undefined);
}
