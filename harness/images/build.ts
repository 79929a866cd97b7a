/** One `docker build` through dockerode: a context of exactly the input files, streamed output, one-line failure. */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { EnvironmentError } from '../cli/errors.ts';
import { lastErrorLine } from './build-log.ts';
import type { BuildInputs } from './inputs.ts';

export const INPUTS_LABEL = 'mirrord-regress.inputs';

export interface BuildRequest {
  tag: string;
  key: string;
  inputs: BuildInputs;
  /** 'host' lets a build reach a server on this machine's 127.0.0.1 (tests, a local release mirror). */
  networkMode?: string;
  /** Receives the build output as it arrives. */
  onOutput?: (text: string) => void;
  /** Appended to a failure, e.g. how to get a base image that could not be pulled. */
  failureHint?: string;
}

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

export async function buildImage(docker: Docker, req: BuildRequest): Promise<void> {
  const context = materialize(req.inputs);
  try {
    const stream = await docker.buildImage(
      { context, src: readdirSync(context) },
      {
        t: req.tag,
        dockerfile: req.inputs.dockerfile,
        buildargs: req.inputs.args,
        labels: { ...req.inputs.labels, [INPUTS_LABEL]: req.key },
        networkmode: req.networkMode ?? 'default',
        rm: true,
        // Failed steps leave no container behind either.
        forcerm: true,
      },
    );
    let log = '';
    let daemonError: string | undefined;
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: BuildEvent) => {
          if (event.stream) {
            log += event.stream;
            req.onOutput?.(event.stream);
          }
          if (event.error) daemonError = event.errorDetail?.message ?? event.error;
        },
      );
    });
    if (daemonError !== undefined) {
      const line = lastErrorLine(log, daemonError);
      throw new EnvironmentError(req.failureHint ? `${line} (${req.failureHint})` : line, 'IMAGE_BUILD');
    }
  } catch (e) {
    if (e instanceof EnvironmentError) throw e;
    throw new EnvironmentError(`building ${req.tag} failed: ${(e as Error).message.split('\n')[0]}`, 'IMAGE_BUILD', { cause: e });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** A temp directory holding exactly the input files at their context paths, world-readable. */
function materialize(inputs: BuildInputs): string {
  const dir = mkdtempSync(join(tmpdir(), 'mirrord-regress-context-'));
  for (const file of inputs.files) {
    const target = join(dir, ...file.path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file.source, target);
    chmodSync(target, statSync(file.source).mode & 0o111 ? 0o755 : 0o644);
  }
  return dir;
}
