import { z } from 'zod';
import { DeployModeTypeSchema } from './deployments.js';

export const CATEGORIES = [
  'addons',
  'ai-tools',
  'backup',
  'coding',
  'downloadclients',
  'encoder',
  'kasmworkspace',
  'mediamanager',
  'mediaserver',
  'monitoring',
  'myapps',
  'request',
  'selfhosted',
  'share',
  'system',
] as const;

export const VariableTypeSchema = z.enum(['string', 'port', 'path', 'secret', 'boolean', 'number', 'enum', 'url', 'email']);
export type VariableType = z.infer<typeof VariableTypeSchema>;

export const AppVariableSchema = z.object({
  name: z.string(),
  type: VariableTypeSchema,
  default: z.union([z.string(), z.number(), z.boolean()]).nullable(),
  required: z.boolean(),
  description: z.string(),
  values: z.array(z.string()).optional().describe('Allowed values of an enum variable'),
  pattern: z.string().optional(),
  global: z.boolean().optional().describe('A global variable (TZ, ID, APPFOLDER, …) rather than one the template declares'),
});
export type AppVariable = z.infer<typeof AppVariableSchema>;

/** An app as GET /applications lists it. Secrets' defaults are never included. */
export const AppSchema = z.object({
  id: z.string().describe('<category>-<name>, e.g. mediaserver-plex'),
  name: z.string(),
  displayName: z.string(),
  description: z.string(),
  category: z.string(),
  image: z.string(),
  ports: z
    .record(z.string(), z.number())
    .describe('"<containerPort>[/udp]" → default host port; POST /deploy takes port_<containerPort> to change one'),
  environment: z
    .record(z.string(), z.string())
    .describe(
      'Each variable a deploy form offers → its default (secrets empty: generated when left empty). Host-port variables are under ports instead, and DOMAIN is always accepted',
    ),
  volumes: z.array(z.string()),
  modes: z.array(DeployModeTypeSchema),
  requiresTraefik: z.boolean(),
  requiresAuthelia: z.boolean(),
  variables: z.array(AppVariableSchema),
  icon: z.string(),
  homepage: z.string(),
  web: z.object({ service: z.string(), port: z.number() }).nullable(),
  services: z.array(z.string()),
  privileges: z.array(z.string()).describe('Why the app needs elevated rights, if it does; such apps need an admin to deploy'),
  source: z.enum(['bundled', 'custom', 'cli-bridge']),
});
export type App = z.infer<typeof AppSchema>;

export const CatalogCategorySchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a category name (lowercase letters, digits, - and _)');

export const ApplicationsQuerySchema = z.object({
  category: CatalogCategorySchema.optional().describe('Only apps of this category'),
  search: z
    .string()
    .max(100, 'must be at most 100 characters')
    .optional()
    .describe('Words that must all appear in the id, name, description, category or image'),
});
export type ApplicationsQuery = z.infer<typeof ApplicationsQuerySchema>;

export const ApplicationsResponseSchema = z.object({
  success: z.literal(true),
  source: z.literal('cli'),
  applications: z.record(z.string(), z.array(AppSchema)).describe('Apps by category'),
  totalApps: z.number().int(),
  categories: z.array(z.string()).describe('Every category, sorted'),
});
export type ApplicationsResponse = z.infer<typeof ApplicationsResponseSchema>;

export const CatalogInvalidTemplateSchema = z.object({ file: z.string(), error: z.string() });

export const CatalogReloadResponseSchema = z.object({
  success: z.literal(true),
  apps: z.number().int(),
  invalid: z.array(CatalogInvalidTemplateSchema).describe('Templates that could not be loaded, and why'),
  clashes: z.array(z.object({ id: z.string(), file: z.string(), overridden: z.string() })).describe('Ids a later catalog root took over'),
});
