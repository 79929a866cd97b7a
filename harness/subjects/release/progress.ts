/**
 * Progress of long downloads, as events: the caller decides where they go (the CLI prints
 * formatProgress lines to stderr, tests collect them or drop them).
 */

export type ReleaseProgress =
  /** A download (or copy, or image pull) begins. */
  | { kind: 'start'; version: string; asset: string; source: string; totalBytes?: number }
  /** Still going: at most one per interval, and only while bytes arrive. */
  | { kind: 'progress'; version: string; asset: string; bytes: number; totalBytes?: number };

export type OnProgress = (event: ReleaseProgress) => void;

/** Between two progress events of one download. @default 5000 */
export const DEFAULT_PROGRESS_INTERVAL_MS = 5000;

const MB = 1024 * 1024;
const size = (bytes: number): string => (bytes >= MB ? `${(bytes / MB).toFixed(1)} MiB` : `${bytes} bytes`);

/** The line a person reads on stderr. */
export function formatProgress(e: ReleaseProgress): string {
  if (e.kind === 'start') {
    return `fetching ${e.asset} of mirrord ${e.version} from ${e.source}${e.totalBytes !== undefined ? ` (${size(e.totalBytes)})` : ''}`;
  }
  const total = e.totalBytes ? ` of ${size(e.totalBytes)} (${Math.floor((100 * e.bytes) / e.totalBytes)}%)` : '';
  return `  ${e.asset} of mirrord ${e.version}: ${size(e.bytes)}${total}`;
}

// Why count on each chunk instead of a timer: a stalled download prints nothing (the idle timeout speaks for it).
/** Counts bytes and reports them every `intervalMs`. */
export class ProgressMeter {
  bytes = 0;
  private last: number;

  constructor(
    private readonly what: { version: string; asset: string; totalBytes?: number },
    private readonly onProgress: OnProgress | undefined,
    private readonly intervalMs: number = DEFAULT_PROGRESS_INTERVAL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = now();
  }

  /** Counts `n` more bytes; reports when the interval has passed. */
  add(n: number): void {
    this.bytes += n;
    if (!this.onProgress) return;
    const t = this.now();
    if (t - this.last < this.intervalMs) return;
    this.last = t;
    this.onProgress({ kind: 'progress', version: this.what.version, asset: this.what.asset, bytes: this.bytes, totalBytes: this.what.totalBytes });
  }
}
