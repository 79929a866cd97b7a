/** The Docker engine every image operation talks to, and the one-line failure when none answers. */
import Docker from 'dockerode';
import { EnvironmentError } from '../cli/errors.ts';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

const engines = new Map<string, Docker>();

/** One client per socket: dockerode keeps no state worth duplicating. */
export function engine(socketPath: string = DEFAULT_SOCKET): Docker {
  let docker = engines.get(socketPath);
  if (!docker) {
    docker = new Docker({ socketPath });
    engines.set(socketPath, docker);
  }
  return docker;
}

function rejectAfter(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref());
}

/** The engine, after a ping; fails with NO_DOCKER and how to start one. */
export async function requireEngine(socketPath: string = DEFAULT_SOCKET): Promise<Docker> {
  const docker = engine(socketPath);
  try {
    // A dead socket fails at once; the timeout only covers an engine that accepts but never answers.
    await Promise.race([docker.ping(), rejectAfter(10_000)]);
  } catch (e) {
    throw new EnvironmentError(
      `no Docker engine answers at ${socketPath}: start one (\`bash images/engine.sh start /tmp/dockerd.pid\`, or \`dockerd &\`)`,
      'NO_DOCKER',
      { cause: e },
    );
  }
  return docker;
}
