// The Enhanced Mount Manager: cloud and network storage mounted by rclone in a mount container.
import { z } from 'zod';
import { ContainerIdSchema } from './common.js';

export const MOUNT_PROVIDERS = [
  'local',
  'google',
  'dropbox',
  'onedrive',
  'sftp',
  'webdav',
  's3',
  'b2',
  'mega',
  'box',
  'ftp',
  'smb',
  'nfs',
] as const;
export const MountProviderSchema = z.enum(MOUNT_PROVIDERS, {
  message: `must be one of ${MOUNT_PROVIDERS.join(', ')}`,
});
export type MountProvider = z.infer<typeof MountProviderSchema>;

export const OAUTH_PROVIDERS = ['google', 'dropbox', 'onedrive', 'box'] as const;
export const OAuthProviderSchema = z.enum(OAUTH_PROVIDERS, {
  message: `must be one of ${OAUTH_PROVIDERS.join(', ')} (the OAuth providers)`,
});
export type OAuthProvider = z.infer<typeof OAuthProviderSchema>;

export const MountAuthKindSchema = z.enum(['oauth', 'credentials', 'none']);
export type MountAuthKind = z.infer<typeof MountAuthKindSchema>;

export const MountContainerParamsSchema = z.object({ containerId: ContainerIdSchema });
export const MountProviderParamsSchema = z.object({ containerId: ContainerIdSchema, provider: MountProviderSchema });

/** Every Enhanced Mount Manager answer: `{success, containerId, data}`. */
const mountResponse = <T extends z.ZodType>(data: T) =>
  z.object({ success: z.literal(true), containerId: z.string().describe('The mount container as the caller named it'), data });

export const ProviderStatusSchema = z.enum(['mounted', 'configured', 'not_configured', 'unavailable']);

export const QuotaSchema = z
  .object({
    total: z.number().nullable(),
    used: z.number().nullable(),
    free: z.number().nullable(),
    trashed: z.number().nullable(),
  })
  .describe('Bytes, as the remote reports them (operations/about); null fields are unknown to the remote');

export const ActiveMountSchema = z.object({
  provider: z.string().describe('The provider whose remote is mounted (the remote name)'),
  fs: z.string().describe('The rclone remote that is mounted, e.g. webdav:'),
  mountPoint: z.string().describe('Where the mount lives inside the mount container'),
  hostPath: z.string().nullable().describe('The same folder on the host, when the container declares it'),
  mountedOn: z.string().nullable(),
});

/** One rclone VFS cache's counters, as both the status and the performance answers report them. */
const vfsCacheShape = {
  cacheBytesUsed: z.number(),
  cacheFiles: z.number(),
  uploadsInProgress: z.number(),
  uploadsQueued: z.number(),
  erroredFiles: z.number(),
  outOfSpace: z.boolean(),
};

export const MountStatusSchema = mountResponse(
  z.object({
    version: z.string().describe('rclone version of the mount container'),
    remotes: z.array(z.string()).describe('Names of the configured rclone remotes'),
    mountPath: z.string().describe('Folder inside the container that holds one mount per provider'),
    hostMountPath: z.string().nullable(),
    providers: z.record(
      z.string(),
      z.object({ enabled: z.boolean().describe('Mounted right now'), status: ProviderStatusSchema, quota: QuotaSchema.nullable() }),
    ),
    mounts: z.array(ActiveMountSchema),
    vfs: z.array(z.object({ fs: z.string(), ...vfsCacheShape })),
  }),
);
export type MountStatus = z.infer<typeof MountStatusSchema>;

export const CredentialFieldSchema = z.object({
  name: z.string(),
  required: z.boolean(),
  secret: z.boolean().describe('Stored by rclone (obscured where rclone obscures it) and never returned'),
  description: z.string(),
});

export const ProviderInfoSchema = z.object({
  id: MountProviderSchema,
  name: z.string(),
  rcloneType: z.string().nullable().describe('The rclone backend; null when rclone has none (nfs)'),
  authType: MountAuthKindSchema,
  available: z.boolean().describe('This rclone build has the backend'),
  configured: z.boolean(),
  enabled: z.boolean(),
  credentialFields: z.array(CredentialFieldSchema),
  note: z.string().nullable(),
});
export type ProviderInfo = z.infer<typeof ProviderInfoSchema>;

export const MountProvidersSchema = mountResponse(z.object({ providers: z.array(ProviderInfoSchema) }));

export const CostBreakdownSchema = z.object({
  provider: MountProviderSchema,
  usedBytes: z.number().nullable(),
  usageSource: z.enum(['about', 'size']).nullable().describe('operations/about (the remote’s own figure) or operations/size (counted)'),
  monthly: z.number().nullable().describe('Estimated monthly cost in the table’s currency; null when usage is unknown'),
  plan: z.string().describe('The plan or rate the estimate uses'),
  enabled: z.boolean(),
  error: z.string().nullable(),
});

export const MountCostsSchema = mountResponse(
  z.object({
    monthly: z.number().describe('Sum of the known estimates'),
    budget: z.number().nullable().describe('MOUNTS_MONTHLY_BUDGET, when set'),
    overBudget: z.boolean(),
    currency: z.literal('USD'),
    breakdown: z.array(CostBreakdownSchema),
    current_provider: MountProviderSchema.nullable().describe('The mounted provider holding the most data'),
    priceTable: z.object({ asOf: z.string(), documentation: z.string() }),
  }),
);

export const MountPerformanceSchema = mountResponse(
  z.object({
    speed: z.number().describe('Bytes per second, averaged over the current transfers'),
    bytes: z.number().describe('Bytes transferred since rclone started (or its stats were reset)'),
    totalBytes: z.number(),
    transfers: z.number().describe('Completed transfers'),
    activeTransfers: z.number(),
    errors: z.number(),
    checks: z.number(),
    elapsedTime: z.number().describe('Seconds'),
    lastError: z.string().nullable(),
    transferring: z.array(z.object({ name: z.string(), size: z.number(), bytes: z.number(), percentage: z.number(), speed: z.number() })),
    vfs: z.array(
      z.object({
        fs: z.string(),
        provider: z.string(),
        ...vfsCacheShape,
        metadataDirs: z.number(),
        metadataFiles: z.number(),
      }),
    ),
  }),
);

export const VfsCacheModeSchema = z.enum(['off', 'minimal', 'writes', 'full']);

const safeRemotePath = z
  .string()
  .max(1024)
  .regex(/^[^\p{Cc}:]*$/u, 'must not contain control characters or ":"')
  .refine((value) => !value.split('/').includes('..'), 'must not contain ".."');

export const EnableProviderBodySchema = z
  .strictObject({
    remotePath: safeRemotePath.optional().describe('Folder of the remote to mount (default: its root; for local: /data)'),
    cacheMode: VfsCacheModeSchema.optional().describe('VFS cache mode (default full: reads and writes cached on disk)'),
    cacheMaxSize: z
      .string()
      .regex(/^\d{1,12}[KMGT]?$/, 'must be a size such as 10G or 500M')
      .optional()
      .describe('Upper bound of the VFS disk cache (default 10G)'),
    readOnly: z.boolean().optional(),
  })
  .describe('Optional mount options');
export type EnableProviderBody = z.infer<typeof EnableProviderBodySchema>;

export const ProviderMountResultSchema = mountResponse(
  z.object({
    provider: MountProviderSchema,
    enabled: z.boolean(),
    changed: z.boolean().describe('false when it already was in that state'),
    remoteCreated: z.boolean().optional(),
    mountPoint: z.string().nullable(),
    hostPath: z.string().nullable(),
  }),
);

export const AuthStartBodySchema = z.strictObject({
  provider: MountProviderSchema,
  redirect_uri: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .max(2048)
    .optional()
    .describe('Where the provider sends the browser back; must be registered with the OAuth client'),
});

export const AuthStartResultSchema = mountResponse(
  z.object({
    provider: OAuthProviderSchema,
    auth_url: z.string().describe('Open this in the browser; the provider redirects back with ?code=…&state=…'),
    state: z.string(),
    redirect_uri: z.string(),
    expiresAt: z.string(),
  }),
);

const shortText = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^\P{Cc}*$/u, 'must not contain control characters');

export const AuthCompleteBodySchema = z.strictObject({
  provider: MountProviderSchema,
  auth_code: shortText,
  state: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be the state auth/start returned'),
  options: z
    .record(
      z.string().regex(/^[a-z_]{1,40}$/),
      z
        .string()
        .max(256)
        .regex(/^\P{Cc}*$/u),
    )
    .optional()
    .describe('Extra remote settings: onedrive drive_id/drive_type, google root_folder_id/team_drive, box root_folder_id'),
});

export const AuthApiKeyBodySchema = z.strictObject({
  provider: MountProviderSchema,
  credentials: z
    .record(z.string().regex(/^[a-z_]{1,40}$/, 'credential names are snake_case'), z.union([z.string(), z.number(), z.boolean()]))
    .describe('Provider-specific fields: see GET …/providers credentialFields'),
});

export const AuthStoredResultSchema = mountResponse(
  z.object({
    provider: MountProviderSchema,
    remote: z.string().describe('Name of the rclone remote'),
    configured: z.literal(true),
    fields: z.array(z.string()).describe('Names of the settings stored; values are never echoed'),
  }),
);

export const AuthTestBodySchema = z.strictObject({ provider: MountProviderSchema });

export const AuthTestResultSchema = mountResponse(
  z.object({
    provider: MountProviderSchema,
    ok: z.boolean(),
    latencyMs: z.number(),
    error: z.string().nullable(),
    entries: z.number().nullable().describe('Entries at the root of the remote, when listing worked'),
  }),
);
