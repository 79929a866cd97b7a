/**
 * Runs workloads in a container: one long-lived container per image (network none, all capabilities
 * dropped, the stage bind-mounted at /stage), one `docker exec` per attempt as the unprivileged
 * `regress` user. Same Observation, same verdict rules as the host runner. At a timeout, evidence
 * is read from the host's /proc (the container's processes carrying the attempt's marker) before
 * they are killed. testcontainers manages the container; dockerode reads what it does not expose.
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import type { Observation } from '../../model/result.ts';
import { readEvents } from '../../observe/events.ts';
import { readReport } from '../../observe/report.ts';
import type { Stage } from '../../stage.ts';
import { pidNamespaceOf, pidsInNamespace } from '../host/proc.ts';
import { AttemptWatch, isSubjectHelper } from '../attempt-watch.ts';
import { decodeStatus, harnessFailure, isIntproxyCommand, tail } from '../exit-status.ts';
import { workloadPath, type Layout, type Runner, type RunSpec } from '../runner.ts';
import { notRun } from '../not-run.ts';
import { ENDED_FILE } from '../runner.ts';
import { REAPER, RUN_SCRIPT, RUN_SCRIPT_NAME } from './run-script.ts';
import { ownerLabels } from './sweep.ts';
import { IN_IMAGE } from '../../images/catalog.ts';
import type { Cluster } from '../../cluster/cluster.ts';

// The reaper image cannot be pulled here; we remove what we start ourselves.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

/** Where the stage is bind-mounted in the container. */
const STAGE_MOUNT = '/stage';


function marked(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`MIRRORD_REGRESS_RUN=${marker}`);
  } catch {
    return false;
  }
}

export interface StartedContainer {
  exec(cmd: string[], opts: { user: string; env: Record<string, string>; workingDir: string }): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  getId(): string;
  stop(opts?: { remove?: boolean; timeout?: number }): Promise<unknown>;
}

export class DockerRunner implements Runner {
  private container?: Promise<{ c: StartedContainer; initPid: number }>;

  constructor(
    readonly image: string,
    readonly name: string,
    /** The stage bind-mounted into the container; fixed for the container's life. */
    private readonly stageRoot: string,
    /** The cluster release subjects run against: the container is wired to its node as a laptop. */
    private readonly cluster?: Cluster,
  ) {}

  layout(stage: Stage): Layout {
    return {
      labCli: IN_IMAGE.labCli,
      rubyDir: IN_IMAGE.scenarios,
      ruby: 'ruby',
      // Built on the host (bookworm, the oldest base), run from the stage's bind mount.
      cProgram: (source) => this.toContainer(stage.cProgram(source)),
      mapPath: (p) => this.toContainer(p),
    };
  }

  private toContainer(hostPath: string): string {
    return hostPath.startsWith(this.stageRoot) ? STAGE_MOUNT + hostPath.slice(this.stageRoot.length) : hostPath;
  }

  /** Starts the shared container on first use. */
  private start(): Promise<{ c: StartedContainer; initPid: number }> {
    this.container ??= (async () => {
      const { GenericContainer } = await import('testcontainers');
      const c = await new GenericContainer(this.image)
        .withCommand(REAPER)
        .withNetworkMode('none')
        .withDroppedCapabilities('ALL')
        .withSecurityOpt('no-new-privileges')
        .withLabels(ownerLabels())
        .withBindMounts([{ source: this.stageRoot, target: STAGE_MOUNT, mode: 'rw' }])
        .withAutoRemove(false)
        .start();
      const info = await new Docker().getContainer(c.getId()).inspect();
      // --network none, then one veth to the node: the container reaches the agents' pods, nothing else.
      await this.cluster?.wireLaptop(info.State.Pid, `the ${this.name} container`).catch(async (e: unknown) => {
        await c.stop({ remove: true, timeout: 0 }).catch(() => undefined);
        throw e;
      });
      return { c: c as unknown as StartedContainer, initPid: info.State.Pid };
    })();
    return this.container;
  }

  async dispose(): Promise<void> {
    if (!this.container) return;
    const { c } = await this.container.catch(() => ({ c: undefined }));
    this.container = undefined;
    await c?.stop({ remove: true, timeout: 0 }).catch(() => undefined);
  }

  async run(spec: RunSpec): Promise<Observation> {
    const marker = randomUUID();
    const user = spec.runAs === 'root' ? 'root' : IN_IMAGE.user;
    const leftovers = `${spec.dir}/leftovers.txt`;
    let started: { c: StartedContainer; initPid: number };
    try {
      started = await this.start();
    } catch (e) {
      return notRun(`could not start a container from ${this.image}: ${(e as Error).message.split('\n')[0]}`, { user, evidenceSource: spec.evidenceSource });
    }
    const namespace = pidNamespaceOf(started.initPid);
    // This attempt's processes, from the host's view of the container: they carry its marker.
    const watch = new AttemptWatch(
      {
        pids: () => (namespace ? pidsInNamespace(namespace).filter((p) => marked(p, marker)) : []),
        isHelper: (cmdline) => isSubjectHelper(cmdline) || cmdline.includes(RUN_SCRIPT_NAME),
        kill: (pids) => {
          for (const p of pids) {
            try {
              process.kill(p, 'SIGKILL');
            } catch {
              // gone already
            }
          }
        },
      },
      { timeoutMs: spec.timeoutMs, eventsPath: spec.eventsPath, signal: spec.signal, detectDeadlock: spec.detectDeadlock },
    );
    const t0 = performance.now();
    let result: { stdout: string; stderr: string; exitCode: number } | undefined;
    let execError: string | undefined;
    try {
      result = await started.c.exec(['sh', '-c', RUN_SCRIPT, RUN_SCRIPT_NAME, ...spec.argv], {
        user,
        workingDir: this.toContainer(spec.dir),
        env: {
          PATH: workloadPath(spec.pathDirs),
          HOME: this.toContainer(spec.dir),
          TMPDIR: this.toContainer(spec.dir),
          LANG: 'C.UTF-8',
          MIRRORD_REGRESS_RUN: marker,
          MIRRORD_REGRESS_LEFTOVERS: this.toContainer(leftovers),
          MIRRORD_REGRESS_ENDED: this.toContainer(`${spec.dir}/${ENDED_FILE}`),
          MIRRORD_REGRESS_LINGER_MS: String(spec.lingerMs),
          MIRRORD_REGRESS_REPORT: this.toContainer(spec.reportPath),
          ...spec.env,
        },
      });
    } catch (e) {
      execError = `docker exec failed: ${(e as Error).message.split('\n')[0]}`;
    } finally {
      watch.finish();
    }
    const stop = watch.stopped;
    const durationMs = Math.round(performance.now() - t0);
    let exitCode: number | null = null;
    let signal: string | null = null;
    let intproxyAlive: boolean | null = stop ? stop.intproxyAlive : null;
    if (result && !stop) {
      ({ exitCode, signal } = decodeStatus(result.exitCode));
      intproxyAlive = existsSync(leftovers) ? readFileSync(leftovers, 'utf8').split('\n').some(isIntproxyCommand) : false;
    }
    return {
      exitCode,
      signal,
      timedOut: stop?.reason === 'timeout',
      deadlock: stop?.deadlock ?? null,
      durationMs,
      stdoutTail: tail(result?.stdout ?? ''),
      stderrTail: tail(result?.stderr ?? ''),
      report: readReport(spec.reportPath),
      events: readEvents(spec.eventsPath),
      evidenceSource: spec.evidenceSource ?? 'layer',
      stuck: stop?.stuck ?? [],
      ...(stop?.notDeadlocked ? { notDeadlocked: stop.notDeadlocked } : {}),
      intproxyAliveAtEnd: intproxyAlive,
      network: 'isolated',
      networkNote: this.cluster ? 'container with --network none, wired to the cluster\'s node only' : 'container with --network none',
      user,
      harnessError: stop?.reason === 'abort' ? 'interrupted' : (execError ?? (stop ? undefined : harnessFailure(exitCode, result?.stderr ?? ''))),
    };
  }
}
