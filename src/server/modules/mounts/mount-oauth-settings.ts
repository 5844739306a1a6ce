// OAuth endpoints and client credentials per provider: the providers' public endpoints by default,
// everything overridable from the JSON file RCLONE_OAUTH_CONFIG names (see docs/mounts.md).
import { z } from 'zod';
import type { OAuthProvider } from '../../../contracts/mounts.js';
import { AppError } from '../../errors.js';

export type OAuthProviderSettings = {
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  scopes: string[];
  /** Extra query parameters of the authorization URL (e.g. Google's access_type=offline for a refresh token). */
  authParams: Record<string, string>;
  redirectUri: string;
  /** True when the endpoints differ from the provider's public ones: rclone must be told to use them too. */
  hasCustomEndpoints: boolean;
};

/** rclone's own redirect address; the OAuth clients people register for rclone allow it. */
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:53682/';

const PUBLIC_ENDPOINTS: Record<OAuthProvider, { authUrl: string; tokenUrl: string; scopes: string[]; authParams: Record<string, string> }> =
  {
    google: {
      authUrl: 'https://accounts.google.com/o/oauth2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      scopes: ['https://www.googleapis.com/auth/drive'],
      authParams: { access_type: 'offline', prompt: 'consent' },
    },
    dropbox: {
      authUrl: 'https://www.dropbox.com/oauth2/authorize',
      tokenUrl: 'https://api.dropboxapi.com/oauth2/token',
      scopes: ['account_info.read', 'files.metadata.read', 'files.metadata.write', 'files.content.read', 'files.content.write'],
      authParams: { token_access_type: 'offline' },
    },
    onedrive: {
      authUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
      tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      scopes: ['Files.Read', 'Files.ReadWrite', 'Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'offline_access'],
      authParams: {},
    },
    box: {
      authUrl: 'https://app.box.com/api/oauth2/authorize',
      tokenUrl: 'https://app.box.com/api/oauth2/token',
      scopes: [],
      authParams: {},
    },
  };

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

const ProviderFileSchema = z.strictObject({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  authUrl: httpUrl.optional(),
  tokenUrl: httpUrl.optional(),
  scopes: z.array(z.string().min(1)).optional(),
  redirectUri: httpUrl.optional(),
});

export const OAuthSettingsFileSchema = z.strictObject({
  redirectUri: httpUrl.optional(),
  providers: z
    .strictObject({
      google: ProviderFileSchema.optional(),
      dropbox: ProviderFileSchema.optional(),
      onedrive: ProviderFileSchema.optional(),
      box: ProviderFileSchema.optional(),
    })
    .default({}),
});
export type OAuthSettingsFile = z.infer<typeof OAuthSettingsFileSchema>;

/** Parses the settings file's text; a broken file is the operator's to fix, so say exactly what is wrong. */
export function parseOAuthSettings(text: string | null, fileName: string): OAuthSettingsFile {
  if (text === null) return { providers: {} };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError('INTERNAL', 'OAuth settings file is not valid JSON', `Fix ${fileName} (RCLONE_OAUTH_CONFIG): it is not JSON`);
  }
  const parsed = OAuthSettingsFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new AppError('INTERNAL', 'OAuth settings file is invalid', `Fix ${fileName} (RCLONE_OAUTH_CONFIG): ${problems}`);
  }
  return parsed.data;
}

export function resolveOAuthProvider(
  settings: OAuthSettingsFile,
  provider: OAuthProvider,
  requestedRedirectUri?: string,
): OAuthProviderSettings {
  const configured = settings.providers[provider];
  if (!configured) {
    throw new AppError(
      'BAD_REQUEST',
      `No OAuth client configured for ${provider}`,
      `Register an OAuth app with ${provider}, then put its clientId and clientSecret under providers.${provider} in the JSON file RCLONE_OAUTH_CONFIG names (docs/mounts.md)`,
    );
  }
  const defaults = PUBLIC_ENDPOINTS[provider];
  const authUrl = configured.authUrl ?? defaults.authUrl;
  const tokenUrl = configured.tokenUrl ?? defaults.tokenUrl;
  return {
    clientId: configured.clientId,
    clientSecret: configured.clientSecret,
    authUrl,
    tokenUrl,
    scopes: configured.scopes ?? defaults.scopes,
    authParams: defaults.authParams,
    redirectUri: requestedRedirectUri ?? configured.redirectUri ?? settings.redirectUri ?? DEFAULT_REDIRECT_URI,
    hasCustomEndpoints: authUrl !== defaults.authUrl || tokenUrl !== defaults.tokenUrl,
  };
}

/** The URL the user opens to grant access. */
export function buildAuthorizationUrl(settings: OAuthProviderSettings, state: string): string {
  const url = new URL(settings.authUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', settings.redirectUri);
  if (settings.scopes.length > 0) url.searchParams.set('scope', settings.scopes.join(' '));
  url.searchParams.set('state', state);
  for (const [key, value] of Object.entries(settings.authParams)) url.searchParams.set(key, value);
  return url.toString();
}
