// Deployed apps' lifecycle: stop, remove and read logs of an app's stack (/applications/:appId/...).
export { AppLifecycleService } from './app-lifecycle.service.js';
