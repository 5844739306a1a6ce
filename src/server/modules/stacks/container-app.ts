// Which HomelabARR deployment a container belongs to, from its compose labels.
import type { ContainerApp } from '../../../contracts/containers.js';
import { APP_ID_LABEL, COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL } from './stack-labels.js';

/**
 * A container belongs to an app when its compose project is `<prefix>-<something>`. The app id is
 * the explicit label when present (it survives any future change of the naming scheme), else the
 * project name without the prefix. Projects of other prefixes (another HomelabARR instance on the
 * same daemon, or hand-made stacks) belong to no app.
 */
export function findContainerApp(labels: Record<string, string>, composeProjectPrefix: string): ContainerApp | null {
  const project = labels[COMPOSE_PROJECT_LABEL];
  const prefix = `${composeProjectPrefix}-`;
  if (!project?.startsWith(prefix) || project.length === prefix.length) return null;
  const appId = labels[APP_ID_LABEL] || project.slice(prefix.length);
  return { appId, project, service: labels[COMPOSE_SERVICE_LABEL] ?? null };
}
