import * as os from 'os';

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) {
    return NaN;
  }
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Seconds with two decimals (three below 0.1 s). */
export function seconds(ms: number): string {
  if (!Number.isFinite(ms)) {
    return '–';
  }
  return ms < 100 ? (ms / 1000).toFixed(3) : (ms / 1000).toFixed(2);
}

/** Bytes as KB (1 KB = 1000 bytes, as registries count). */
export function kb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1000).toFixed(1)} KB` : '–';
}

/** Bytes as MB with two decimals. */
export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1e6).toFixed(2)} MB` : '–';
}

/** A Markdown table (also readable in a terminal): columns padded to the widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Date, CPUs, memory and Node version: the line every table is read with. */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const nproc = typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length;
  return `${new Date().toISOString().slice(0, 10)} · nproc ${nproc} (${model}) · ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM · `
    + `load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} · Node ${process.version} · ${os.platform()} ${os.release()}`;
}

/** Prints a section heading, Markdown style. */
export function heading(title: string): void {
  process.stdout.write(`\n## ${title}\n\n`);
}

/** Prints lines. */
export function say(...lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}
