// GET /health and the readiness of Docker, compose, the database and the catalog.
export { HealthService, SETUP_HINT } from './health.service.js';
