/** Progress of a matrix: a live line on a TTY, plain lines otherwise (CI logs). */
import type { CellResult } from '../model/result.ts';

export interface Progress {
  start(total: number, alreadyDone: number): void;
  cellStarted(id: string): void;
  cellDone(cell: CellResult): void;
  end(): void;
}

function describe(cell: CellResult): string {
  const mark = cell.matchesExpectation === null ? 'no expectation' : cell.matchesExpectation ? 'as expected' : `UNEXPECTED, expected ${cell.expected.join('|')}`;
  const flaky = cell.flaky ? ` (flaky: ${cell.attempts.map((a) => a.verdict.kind).join(',')})` : '';
  return `${cell.id}: ${cell.verdict}${flaky} [${mark}]`;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY);
  let total = 0;
  let done = 0;
  const running = new Set<string>();
  const started = performance.now();
  const redraw = () => {
    if (!tty) return;
    const secs = ((performance.now() - started) / 1000).toFixed(0);
    const now = [...running][0] ?? '';
    const line = `[${done}/${total}] ${secs}s ${running.size ? `running ${running.size}: ${now}` : ''}`;
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 100) - 1)}`);
  };
  return {
    start(t, already) {
      total = t;
      done = already;
      stream.write(`matrix: ${t} cells${already ? `, ${already} already done (resumed)` : ''}\n`);
      redraw();
    },
    cellStarted(id) {
      running.add(id);
      redraw();
    },
    cellDone(cell) {
      running.delete(cell.id);
      done++;
      if (tty) stream.write('\r\x1b[2K');
      stream.write(`[${done}/${total}] ${describe(cell)}\n`);
      redraw();
    },
    end() {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}
