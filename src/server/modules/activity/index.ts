// The activity log: who did what, when, from where (GET /activity-log). Every module records through ActivityService.
export { ActivityRepository } from './activity.repository.js';
export { ActivityService } from './activity.service.js';
