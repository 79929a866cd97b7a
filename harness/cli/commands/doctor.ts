/** `doctor`: is this machine ready? One line per piece, with the command that installs what is missing. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { execa } from 'execa';
import { LAB_BUILD_DIR } from '../context.ts';

interface Check {
  name: string;
  run: () => Promise<string>;
  fix: string;
}

async function version(cmd: string, args: string[]): Promise<string> {
  const r = await execa(cmd, args, { reject: false, timeout: 10_000 });
  if (r.failed) throw new Error(`${cmd} not usable`);
  return (r.stdout || r.stderr).split('\n')[0]!.trim();
}

export const CHECKS: Check[] = [
  {
    name: 'node',
    run: async () => {
      const [major, minor] = process.versions.node.split('.').map(Number);
      if (major! < 20 || (major === 20 && minor! < 19)) throw new Error(`node ${process.versions.node} is too old`);
      return `node ${process.versions.node}`;
    },
    fix: 'install Node.js 20.19 or newer',
  },
  { name: 'ruby', run: () => version('ruby', ['--version']), fix: 'apt-get install -y ruby' },
  { name: 'cargo', run: () => version('cargo', ['--version']), fix: 'install a Rust toolchain (apt-get install -y cargo, or rustup)' },
  {
    name: 'lab build',
    run: async () => {
      const missing = ['mirrord-lab', 'mirrord-agent', 'libmirrord_layer.so'].filter((f) => !existsSync(join(LAB_BUILD_DIR, f)));
      if (missing.length) throw new Error(`not built (no ${missing.join(', ')})`);
      return LAB_BUILD_DIR;
    },
    fix: 'npx mirrord-regress lab build',
  },
  {
    name: 'root',
    run: async () => {
      if (process.getuid?.() !== 0) throw new Error('not root');
      return 'running as root (namespaces and setpriv available)';
    },
    fix: 'run as root (sudo) so workloads get their own network namespace and an unprivileged user',
  },
  {
    name: 'unprivileged user',
    run: async () => version('id', ['nobody']),
    fix: 'useradd --system --no-create-home nobody',
  },
  {
    name: 'network namespaces',
    run: async () => {
      const r = await execa('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && echo ok'], { reject: false, timeout: 10_000 });
      if (r.stdout.trim() !== 'ok') throw new Error(r.stderr.split('\n')[0] || 'unshare failed');
      return 'unshare --net with loopback works';
    },
    fix: 'apt-get install -y util-linux iproute2 (and run as root)',
  },
  {
    name: 'cluster DNS',
    run: () => version(process.env.MIRRORD_REGRESS_DNSMASQ ?? 'dnsmasq', ['--version']),
    fix: "apt-get install -y dnsmasq-base (the cluster's kube-dns, for lab@X and mirrord@X on the host)",
  },
  {
    name: 'docker engine',
    run: () => version('docker', ['info', '--format', 'Docker {{.ServerVersion}}']),
    fix: 'apt-get install -y docker.io && dockerd & (needed only for --runner docker)',
  },
];

export function doctorCommand(): Command {
  return new Command('doctor').description('check Node, Ruby, Rust and the lab build, root, an unprivileged user, namespaces and Docker').action(async () => {
    let missing = 0;
    for (const check of CHECKS) {
      try {
        process.stdout.write(`ok       ${check.name}: ${await check.run()}\n`);
      } catch (e) {
        missing++;
        process.stdout.write(`missing  ${check.name}: ${(e as Error).message}; fix: ${check.fix}\n`);
      }
    }
    process.exitCode = missing ? 1 : 0;
  });
}
