/**
 * The one line of a failed command's stderr that says what went wrong, in the command's own words:
 * not the last line of a Ruby backtrace (`\tfrom x.rb:3:in '<main>'`) nor a Python frame, but the
 * message itself (Ruby prints it first, Python last).
 */

// Lines that locate an error rather than state it.
const FRAME = [
  /^\s+from\s/, // Ruby backtrace
  /^\s+File "/, // Python frame
  /^Traceback \(most recent call last\):/,
  /^\s+at\s/, // Node, Java
  /^\s+\^+\s*$/, // Python caret line
  /^\s{2,}\S/, // an indented source line under a frame
  /^During handling of the above exception/,
];

export function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

/** The error message of `stderr`, or '' when there is none. */
export function errorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.replace(/\s+$/, '')).filter((l) => l.trim() !== '');
  const statements = lines.filter((l) => !FRAME.some((re) => re.test(l)));
  if (statements.length === 0) return lines.at(-1)?.trim() ?? '';
  // Ruby states the error on the first line of its report and lists frames after it; every other
  // runtime here puts the message last. A Ruby report is recognised by its `:in '...': ` prefix.
  const ruby = statements.find((l) => /:\d+:in [`'].*': /.test(l));
  return (ruby ?? statements.at(-1)!).trim();
}
