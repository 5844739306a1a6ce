// The preflight step: Docker answers, the host ports are free, Traefik's network exists (or is
// created when allowed), and DATA_DIR's disk has room. Nothing is written before it passes.
import { DeployFailure, type StepContext, type StepOutcome } from '../deploy-job.js';
import { describePortConflict, findPortConflicts } from '../port-conflicts.js';

/** Below this much free space in DATA_DIR a deploy is refused: images and app data would fill the disk. */
export const MIN_FREE_BYTES = 256 * 1024 * 1024;

export async function preflightStep({ job, deps, signal }: StepContext): Promise<StepOutcome<void>> {
  const { docker, hostPorts, config, stacks } = deps;
  await docker.ping();
  const wanted = job.rendered.ports.filter((port) => port.hostPort !== null);
  const [running, listening] = await Promise.all([docker.listContainers({ all: false }), hostPorts.listListeningSockets()]);
  signal.throwIfAborted();
  const conflicts = findPortConflicts(wanted, running, listening, job.project);
  if (conflicts.length > 0) {
    throw new DeployFailure(
      `${conflicts.map(describePortConflict).join('; ')}. Choose another host port for the deploy (GET /ports/available finds a free one), or stop what holds it.`,
    );
  }
  let networkCreated = false;
  const proxyNetwork = job.mode === 'standard' ? null : config.proxyNetwork;
  if (proxyNetwork) {
    const network = await docker.inspectNetwork(proxyNetwork);
    if (!network) {
      if (!config.autoCreateProxyNetwork) {
        throw new DeployFailure(
          `The Docker network "${proxyNetwork}" that Traefik watches does not exist. Create it (docker network create ${proxyNetwork}) and start Traefik on it, or set AUTO_CREATE_PROXY_NETWORK=true.`,
        );
      }
      await docker.createNetwork(proxyNetwork, { labels: { 'homelabarr.managed': 'true' } });
      networkCreated = true;
    }
  }
  const freeBytes = stacks.freeBytes();
  if (freeBytes < MIN_FREE_BYTES) {
    throw new DeployFailure(
      `Only ${Math.floor(freeBytes / 1024 / 1024)} MiB are free on the disk holding DATA_DIR (${config.dataDir}); at least ${MIN_FREE_BYTES / 1024 / 1024} MiB are needed. Free some space (docker image prune removes unused images) and retry.`,
    );
  }
  const portList = wanted.map((port) => `${port.hostPort}/${port.protocol}`);
  return {
    value: undefined,
    message: [
      'Docker is reachable',
      portList.length > 0 ? `host ports ${portList.join(', ')} are free` : 'no host ports to publish',
      ...(proxyNetwork ? [networkCreated ? `network ${proxyNetwork} was created` : `network ${proxyNetwork} exists`] : []),
    ].join('; '),
    details: { ports: portList, proxyNetwork, networkCreated, freeBytes },
  };
}
