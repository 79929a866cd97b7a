/** `npm run bench`: every benchmark, printed as medians and ratios (never a test). */
import { benchLabOverhead } from './lab-overhead.ts';
import { benchDeadlock, benchMatrixOverhead } from './matrix-overhead.ts';
import { fmt } from './measure.ts';
import { benchDockerOverhead } from './docker-overhead.ts';
import { benchClusterOverhead } from './cluster-overhead.ts';

const which = process.argv[2] ?? 'all';
if (which === 'all' || which === 'lab') {
  const r = await benchLabOverhead();
  console.log(`lab overhead (spawn-then-resolve, 20 children, median of 15): bare ${fmt(r.bare)}, lab@3.112.1 ${fmt(r.lab)}, ratio ${r.ratio.toFixed(2)}x`);
}
if (which === 'all' || which === 'matrix') await benchMatrixOverhead();
if (which === 'all' || which === 'hang') await benchDeadlock();
if (which === 'all' || which === 'cluster') await benchClusterOverhead();
if (which === 'all' || which === 'docker') await benchDockerOverhead();
