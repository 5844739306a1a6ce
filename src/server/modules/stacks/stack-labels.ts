// The labels that tie a container to its compose project and to the HomelabARR app it runs.
// Compose sets the first three; the deployments module sets the app and deployment ids.

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
/** Set on containers `docker compose run` starts; they are not part of the app. */
export const COMPOSE_ONE_OFF_LABEL = 'com.docker.compose.oneoff';
/** Set by the deployments module on everything it deploys. */
export const APP_ID_LABEL = 'homelabarr.app-id';
export const DEPLOYMENT_ID_LABEL = 'homelabarr.deployment-id';
