import { z } from 'zod';

export const DeployModeTypeSchema = z.enum(['standard', 'traefik', 'authelia']);
export type DeployModeType = z.infer<typeof DeployModeTypeSchema>;

export const DEPLOYMENT_MODES: { type: DeployModeType; name: string; description: string }[] = [
  { type: 'standard', name: 'Standard', description: 'Basic Docker deployment without reverse proxy' },
  { type: 'traefik', name: 'Traefik', description: 'Deployment with Traefik reverse proxy and SSL' },
  { type: 'authelia', name: 'Traefik + Authelia', description: 'Full production deployment with authentication' },
];

export const DeploymentModesResponseSchema = z.object({
  success: z.literal(true),
  modes: z.array(z.object({ type: DeployModeTypeSchema, name: z.string(), description: z.string() })),
  cliAvailable: z.boolean().describe('Whether a docker compose CLI was found'),
});
