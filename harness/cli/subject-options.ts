/** The options that say where subjects come from, shared by `run`, `matrix` (and what they resolve to). */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { Strategy } from '../model/result.ts';
import type { SubjectContext } from '../subjects/registry.ts';
import { DEFAULT_SOURCE_BUILD } from '../subjects/source/source-subject.ts';
import { LAB_BUILD_DIR } from './context.ts';
import * as parse from './options.ts';

export interface SubjectOptions {
  labBuild?: string;
  releaseBase?: string;
  pins?: string;
  layer?: string;
  evidence?: 'layer' | 'black-box';
  build?: string;
  artifacts?: string;
  kubeconfig?: string;
}

export function addSubjectOptions(cmd: Command): Command {
  return cmd
    .option('--release-base <url|dir>', 'where mirrord@X releases come from, laid out <base>/<version>/<asset> (default: $MIRRORD_REGRESS_RELEASE_BASE, else GitHub)', parse.nonEmpty('--release-base', 'an http(s) URL or a directory'))
    .option('--pins <file>', 'the pins every downloaded file is checked against (default: images/mirrord-versions.json)', parse.nonEmpty('--pins', 'a pins file'))
    .option('--layer <file>', 'run mirrord@X with this layer build of your own instead of the release\'s', parse.nonEmpty('--layer', 'a layer file'))
    .option('--build <cmd>', `with mirrord-src:CHECKOUT: the command that builds it (default: ${DEFAULT_SOURCE_BUILD}; the CLI and agent come from the release unless it builds them)`, parse.nonEmpty('--build', "a build command, e.g. 'cargo build --release'"))
    .option('--artifacts <dir>', 'with mirrord-src: where the build leaves libmirrord_layer.so, relative to the checkout (default: found in cargo\'s target dir)', parse.nonEmpty('--artifacts', 'a directory'))
    .option('--kubeconfig <file>', 'run mirrord@X with `mirrord exec` against this existing cluster instead of the harness\'s (host network; untested here: no cluster is reachable)', parse.nonEmpty('--kubeconfig', 'a kubeconfig file'))
    .option('--lab-build <dir>', 'use the lab built in this directory (mirrord-lab, mirrord-agent, libmirrord_layer.so) instead of lab/target/release', parse.nonEmpty('--lab-build', 'a directory'))
    .addOption(new Option('--evidence <source>', 'layer: use the subject\'s own events (the lab\'s); black-box: judge from outside only, as for real mirrord').choices(['layer', 'black-box']));
}

export function subjectContext(opts: SubjectOptions, strategies?: readonly Strategy[]): SubjectContext {
  return {
    build: opts.build,
    artifacts: opts.artifacts ?? null,
    strategies,
    labBuildDir: opts.labBuild ? resolve(opts.labBuild) : LAB_BUILD_DIR,
    releaseBase: opts.releaseBase,
    pinsFile: opts.pins ? resolve(opts.pins) : undefined,
    layer: opts.layer,
    kubeconfig: opts.kubeconfig ? resolve(opts.kubeconfig) : undefined,
  };
}
