// Deploys: accepted (POST /deploy), run step by step in the background, stored with their events,
// cancelled, and recovered after a restart.
export { DeploymentEventLog } from './deployment-events.js';
export { DeploymentsRepository } from './deployments.repository.js';
export { DeploymentsService } from './deployments.service.js';
