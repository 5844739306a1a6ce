// An app's stack: its compose project name and folder, its containers, its labels, and the lock
// that keeps one operation at a time on it. Deployments, applications, containers, ports and
// mounts all work on stacks; this is the one place that says what a stack is.
export { AppLocks, type AppOperation } from './app-locks.js';
export { composeProjectName, stackNameFor } from './app-project.js';
export { findContainerApp } from './container-app.js';
export { listProjectContainers, toDeployedContainer, type ProjectContainer } from './project-containers.js';
export { APP_ID_LABEL, COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL, DEPLOYMENT_ID_LABEL } from './stack-labels.js';
