// The verify step: the project's containers run (and pass their health checks) and stay up for a
// moment; one that exits, restarts or turns unhealthy fails the deploy with its last log lines.
import { setTimeout as delay } from 'node:timers/promises';
import type { DeployedContainer } from '../../../../contracts/deployments.js';
import { listProjectContainers, toDeployedContainer, type ProjectContainer } from '../../stacks/index.js';
import { DeployFailure, type StepContext, type StepOutcome } from '../deploy-job.js';
import { describeBrokenContainer, formatSeconds } from '../failure-description.js';

const VERIFY_POLL_MS = 500;
// A container that crashes right after it starts would look running at the first look.
const VERIFY_STABLE_MS = 1500;

export async function verifyStep({ job, deps, signal }: StepContext): Promise<StepOutcome<DeployedContainer[]>> {
  const { docker, clock, config } = deps;
  const deployStartedMs = Date.parse(deps.repository.get(job.deploymentId)?.startedAt ?? '') || 0;
  const timeoutMs = config.deployVerifyTimeoutSeconds * 1000;
  const deadline = clock.nowMs() + timeoutMs;
  const baselineRestarts = new Map<string, number>();
  const broken = async (container: ProjectContainer, problem: string): Promise<DeployFailure> =>
    new DeployFailure(await describeBrokenContainer(docker, container, problem));
  for (;;) {
    const containers = await listProjectContainers(docker, job.project);
    if (containers.length === 0) throw new DeployFailure(`docker compose up finished but project ${job.project} has no containers`);
    const nowMs = clock.nowMs();
    let waitingFor: string | null = null;
    for (const container of containers) {
      // Containers this deploy did not recreate may have restarted long ago; only new restarts count.
      if (!baselineRestarts.has(container.id)) {
        baselineRestarts.set(container.id, Date.parse(container.created) < deployStartedMs ? container.restartCount : 0);
      }
      const restarts = container.restartCount - (baselineRestarts.get(container.id) ?? 0);
      if (container.state === 'exited' && container.exitCode === 0 && restarts === 0) continue;
      if (container.state === 'exited' || container.state === 'dead') {
        throw await broken(container, `exited with code ${container.exitCode}`);
      }
      if (container.state === 'restarting' || restarts > 0) {
        throw await broken(container, `keeps restarting (exit code ${container.exitCode}, ${Math.max(restarts, 1)} restart(s))`);
      }
      if (container.health === 'unhealthy') throw await broken(container, 'is unhealthy');
      if (container.state !== 'running') waitingFor ??= `${container.name} is ${container.state}`;
      else if (container.health === 'starting') waitingFor ??= `${container.name} is starting (health check pending)`;
      else if (container.startedAt && nowMs - Date.parse(container.startedAt) < VERIFY_STABLE_MS)
        waitingFor ??= `${container.name} just started`;
    }
    if (!waitingFor) {
      const list = containers.map(toDeployedContainer);
      return {
        value: list,
        message: `${list.length} container(s) running${list.some((item) => item.health === 'healthy') ? ', health checks passing' : ''}`,
        details: { containers: list },
      };
    }
    if (nowMs >= deadline) {
      const stuck = containers.find((container) => waitingFor?.startsWith(container.name)) ?? containers[0];
      throw await broken(stuck as ProjectContainer, `did not become ready within ${formatSeconds(timeoutMs)} (${waitingFor})`);
    }
    await delay(VERIFY_POLL_MS, undefined, { signal });
  }
}
