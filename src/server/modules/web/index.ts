// The built dashboard, served under WEB_PREFIX with the single-page fallback.
export { WEB_PREFIX } from './web.routes.js';
