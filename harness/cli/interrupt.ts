/**
 * Ctrl-C and SIGTERM abort the current command: runners kill what they started, the command cleans
 * up and exits 130. A second Ctrl-C while cleaning up is ignored, so cleanup always finishes.
 */
export function abortOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      process.stderr.write(`\n${sig === 'SIGINT' ? 'interrupted' : `got ${sig}`}: stopping runs and cleaning up...\n`);
      controller.abort(sig);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
