// What the results were measured on, without anything that names this machine.
import os from 'node:os';

export function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model?.replace(/\s+/g, ' ').trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
}

export function describeMachine(m) {
  return `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB RAM, Node.js ${m.node}, ${m.platform}`;
}

/** The 1-minute load average now: above the core count, other processes competed for the CPU. */
export function loadAverage() {
  return Math.round(os.loadavg()[0] * 100) / 100;
}
