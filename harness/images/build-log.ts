/** Turns a failed build's log into the one line a user needs (our scripts and apt print `error:` / `E:`). */

const ERROR_LINE = /^\s*(?:error|ERROR|E):\s+(.+?)\s*$/;
// Colour codes from tools that ignore the missing TTY.
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

export function lastErrorLine(log: string, daemonError?: string): string {
  const lines = log.replace(ANSI, '').split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = ERROR_LINE.exec(lines[i]!);
    if (match) return match[1]!;
  }
  const daemon = daemonError?.split('\n').map((l) => l.trim()).find(Boolean);
  return daemon ?? 'image build failed without an error message';
}
