// GET /metrics in the Prometheus text format, and the HTTP request metrics hook.
export { DeploymentMetricsRepository } from './deployment-metrics.repository.js';
export { DEPLOYMENT_DURATION_BUCKETS, MetricsService } from './metrics.service.js';
