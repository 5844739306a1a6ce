// The containers of one compose project, with what deploy verification and the app routes need.
import type { DeployedContainer } from '../../../contracts/deployments.js';
import type { DockerEngine } from '../../infra/docker/engine.js';
import { COMPOSE_ONE_OFF_LABEL, COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL } from './stack-labels.js';

export type ProjectContainer = {
  id: string;
  name: string;
  service: string;
  image: string;
  /** running, exited, restarting, created, paused, dead. */
  state: string;
  exitCode: number;
  health: 'healthy' | 'unhealthy' | 'starting' | null;
  restartCount: number;
  /** ISO time; the Docker zero time is null. */
  startedAt: string | null;
  created: string;
  labels: Record<string, string>;
  networks: string[];
};

function toHealth(value: string | null): ProjectContainer['health'] {
  return value === 'healthy' || value === 'unhealthy' || value === 'starting' ? value : null;
}

/** Every container of the project (running or not), without `docker compose run` one-offs, by service name. */
export async function listProjectContainers(docker: DockerEngine, project: string): Promise<ProjectContainer[]> {
  const summaries = await docker.listContainers({ all: true, labels: [`${COMPOSE_PROJECT_LABEL}=${project}`] });
  const details = await Promise.all(
    summaries.filter((summary) => summary.labels[COMPOSE_ONE_OFF_LABEL] !== 'True').map((summary) => docker.inspectContainer(summary.id)),
  );
  return details
    .filter((detail) => detail !== null)
    .map((detail) => ({
      id: detail.id,
      name: detail.name,
      service: detail.labels[COMPOSE_SERVICE_LABEL] ?? detail.name,
      image: detail.image,
      state: detail.state.status,
      exitCode: detail.state.exitCode,
      health: toHealth(detail.state.health),
      restartCount: detail.restartCount,
      startedAt: detail.state.startedAt,
      created: detail.created,
      labels: detail.labels,
      networks: Object.keys(detail.networks),
    }))
    .sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name));
}

/** The short form of a project container that deploy results and the app routes answer with. */
export function toDeployedContainer(container: ProjectContainer): DeployedContainer {
  return {
    id: container.id.slice(0, 12),
    name: container.name,
    service: container.service,
    image: container.image,
    state: container.state,
    health: container.health,
  };
}
