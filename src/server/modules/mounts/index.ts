// Cloud storage through rclone mount containers: providers, remotes, OAuth connections and costs.
export { EndpointPolicy } from './endpoint-policy.js';
export { MountAuthService } from './mount-auth.service.js';
export { MountContainerResolver } from './mount-container-resolver.js';
export { MountOAuthStatesRepository } from './mount-oauth-states.repository.js';
export { MountsService } from './mounts.service.js';
