// The app catalog: templates loaded from apps/, listed and searched (GET /applications), checked
// (homelabarr catalog check), and rendered into a compose project for a deploy.
export { runCatalogCheck } from './catalog-check.js';
export { type CatalogEntry, globalDefaultsFromConfig } from './catalog-template.js';
export { catalogOptionsFromConfig, CatalogService } from './catalog.service.js';
export { resolveDeployValues } from './deploy-values.js';
export { renderCompose, type RenderedStack } from './render-compose.js';
