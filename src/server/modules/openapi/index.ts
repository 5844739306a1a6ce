// The OpenAPI document built from the routes' schemas, and the API reference page at /docs.
export { isOpenApiPath, registerOpenApi } from './openapi.plugin.js';
