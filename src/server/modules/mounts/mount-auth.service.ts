// Storing a provider's credentials as an rclone remote (from keys and passwords, or through the
// OAuth authorization-code flow) and testing them with a real call. Secrets go to rclone only:
// never into a response, the activity log or an error text.
import { createHash, randomBytes } from 'node:crypto';
import type { MountProvider, OAuthProvider } from '../../../contracts/mounts.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { OAuthTokenClient } from '../../infra/oauth-token-client.js';
import { RcloneCallError, RcloneTimeoutError } from '../../infra/rclone-rc.js';
import { rcloneFailureOf } from '../../app-errors/rclone.js';
import type { EndpointPolicy } from './endpoint-policy.js';
import type { MountOAuthStatesRepository } from './mount-oauth-states.repository.js';
import { buildAuthorizationUrl, parseOAuthSettings, resolveOAuthProvider } from './mount-oauth-settings.js';
import { credentialsToParameters, isOAuthProvider, OAUTH_OPTION_KEYS, PROVIDERS } from './mount-providers.js';
import type { ActivityService } from '../activity/index.js';
import type { MountActor, MountScope, MountsService } from './mounts.service.js';

const STATE_LIFETIME_MS = 10 * 60 * 1000;
const TEST_TIMEOUT_MS = 20_000;
// What rclone's backends say when a server turns the credentials down (HTTP, SSH, FTP, SMB, S3, B2, OAuth).
const CREDENTIALS_REJECTED =
  /\b401\b|\b403\b|unauthori[sz]ed|forbidden|unable to authenticate|authentication failed|login incorrect|\b530\b|access ?denied|InvalidAccessKeyId|SignatureDoesNotMatch|bad_auth_token|invalid_grant|LOGON_FAILURE/i;

/** Reads the OAuth settings file's text (RCLONE_OAUTH_CONFIG); null when none is configured. */
export type OAuthSettingsSource = { read(): string | null; fileName: string };

export const hashState = (state: string): string => createHash('sha256').update(state).digest('hex');

export class MountAuthService {
  constructor(
    private readonly mounts: MountsService,
    private readonly states: MountOAuthStatesRepository,
    private readonly tokens: OAuthTokenClient,
    private readonly oauthSettings: OAuthSettingsSource,
    private readonly clock: Clock,
    private readonly activity: ActivityService,
    private readonly endpoints: EndpointPolicy,
  ) {}

  private async requireBackend(scope: MountScope, provider: MountProvider): Promise<string> {
    const spec = PROVIDERS[provider];
    const backends = await this.mounts.backends(scope);
    if (spec.rcloneType === null || !backends.has(spec.rcloneType)) {
      throw new AppError(
        'BAD_REQUEST',
        `${spec.name} is not available`,
        spec.note ?? `This rclone build has no ${spec.rcloneType} backend; use the official rclone image`,
      );
    }
    return spec.rcloneType;
  }

  async storeCredentials(
    actor: MountActor,
    containerId: string,
    provider: MountProvider,
    credentials: Record<string, string | number | boolean>,
  ) {
    const spec = PROVIDERS[provider];
    if (spec.authType === 'oauth') {
      throw new AppError(
        'BAD_REQUEST',
        `${spec.name} signs in with OAuth`,
        `Use POST /enhanced-mount/${containerId}/auth/start, then auth/complete`,
      );
    }
    if (spec.authType === 'none') {
      throw new AppError(
        'BAD_REQUEST',
        `${spec.name} takes no credentials`,
        spec.note ?? `Enable it directly with POST /enhanced-mount/${containerId}/providers/${provider}/enable`,
      );
    }
    const { parameters, secrets, fields, endpoints } = credentialsToParameters(provider, credentials);
    // With auth off there is no role to tell apart: the owner is the only user.
    await this.endpoints.check(endpoints, actor.principal === null || actor.principal.role === 'admin');
    const scope = await this.mounts.open(containerId);
    const type = await this.requireBackend(scope, provider);
    await scope.session.replaceRemote(provider, type, parameters, secrets, await scope.session.remoteTypes());
    this.activity.record({ ...actor, action: 'mount.credentials', target: scope.container.name, details: { provider, fields } });
    return { provider, remote: provider, configured: true as const, fields };
  }

  /**
   * A real listing of the remote. Credentials the remote turns down are the caller's to fix: a 400
   * (REMOTE_AUTH_FAILED). Any other failure (unreachable server, timeout) is a test result: ok false.
   */
  async test(containerId: string, provider: MountProvider) {
    const scope = await this.mounts.open(containerId);
    const spec = PROVIDERS[provider];
    const remoteTypes = await scope.session.remoteTypes();
    if (!this.mounts.isConfigured(provider, remoteTypes)) {
      throw new AppError(
        'CONFLICT',
        `${spec.name} is not configured`,
        `Store its credentials first (auth/api-key, or auth/start for OAuth providers)`,
      );
    }
    // local is tested on the first folder it may expose, never on the container's whole file system.
    const fs = provider === 'local' ? `local:${this.mounts.defaultLocalFolder() ?? '/nonexistent'}` : `${provider}:`;
    const started = this.clock.nowMs();
    try {
      const entries = await scope.session.listRoot(fs, TEST_TIMEOUT_MS);
      return { provider, ok: true, latencyMs: this.clock.nowMs() - started, error: null, entries };
    } catch (error) {
      const latencyMs = this.clock.nowMs() - started;
      const failure = rcloneFailureOf(error);
      if (failure instanceof RcloneCallError) {
        if (CREDENTIALS_REJECTED.test(failure.rcloneMessage)) {
          throw new AppError(
            'REMOTE_AUTH_FAILED',
            `${spec.name} rejected the credentials`,
            `${failure.rcloneMessage}. Store the right credentials with auth/api-key (or auth/start) and test again.`,
          );
        }
        return { provider, ok: false, latencyMs, error: failure.rcloneMessage, entries: null };
      }
      if (failure instanceof RcloneTimeoutError && error instanceof AppError) {
        return { provider, ok: false, latencyMs, error: error.details, entries: null };
      }
      throw error;
    }
  }

  private settingsFor(provider: OAuthProvider, redirectUri?: string) {
    return resolveOAuthProvider(parseOAuthSettings(this.oauthSettings.read(), this.oauthSettings.fileName), provider, redirectUri);
  }

  private requireOAuth(containerId: string, provider: MountProvider): OAuthProvider {
    if (!isOAuthProvider(provider)) {
      const spec = PROVIDERS[provider];
      const how =
        spec.authType === 'credentials'
          ? `store its credentials with POST /enhanced-mount/${containerId}/auth/api-key`
          : 'it needs no sign-in';
      throw new AppError(
        'BAD_REQUEST',
        `${spec.name} does not use OAuth`,
        `The OAuth providers are google, dropbox, onedrive and box; for ${provider}, ${how}`,
      );
    }
    return provider;
  }

  async startOAuth(containerId: string, requested: MountProvider, redirectUri?: string) {
    const provider = this.requireOAuth(containerId, requested);
    const settings = this.settingsFor(provider, redirectUri);
    const scope = await this.mounts.open(containerId);
    await this.requireBackend(scope, provider);
    const state = randomBytes(32).toString('base64url');
    const now = this.clock.nowMs();
    const expiresAt = new Date(now + STATE_LIFETIME_MS).toISOString();
    this.states.deleteExpired(new Date(now).toISOString());
    this.states.add({
      stateHash: hashState(state),
      containerId: scope.container.id,
      provider,
      redirectUri: settings.redirectUri,
      createdAt: new Date(now).toISOString(),
      expiresAt,
    });
    return { provider, auth_url: buildAuthorizationUrl(settings, state), state, redirect_uri: settings.redirectUri, expiresAt };
  }

  async completeOAuth(
    actor: MountActor,
    containerId: string,
    requested: MountProvider,
    code: string,
    state: string,
    options: Record<string, string> = {},
  ) {
    const provider = this.requireOAuth(containerId, requested);
    const allowed = OAUTH_OPTION_KEYS[provider];
    const unknown = Object.keys(options).filter((key) => !allowed.includes(key));
    if (unknown.length > 0) {
      throw new AppError(
        'VALIDATION_FAILED',
        'Invalid request',
        `body.options: ${unknown.join(', ')} cannot be set for ${provider}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`,
        { fields: unknown.map((key) => ({ path: `body.options.${key}`, message: 'is not an allowed setting' })) },
      );
    }
    const scope = await this.mounts.open(containerId);
    const record = this.states.take(hashState(state));
    const now = this.clock.nowMs();
    if (!record || record.containerId !== scope.container.id || record.provider !== provider || Date.parse(record.expiresAt) <= now) {
      throw new AppError(
        'BAD_REQUEST',
        'Invalid or expired OAuth state',
        'This state was not issued by auth/start for this container and provider, was already used, or is older than 10 minutes. Start again with auth/start.',
      );
    }
    const type = await this.requireBackend(scope, provider);
    const settings = this.settingsFor(provider, record.redirectUri);
    const token = await this.tokens.exchangeCode({
      tokenUrl: settings.tokenUrl,
      code,
      redirectUri: record.redirectUri,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
    });
    // rclone's token format (golang.org/x/oauth2.Token); a zero expiry means "never expires".
    const rcloneToken = JSON.stringify({
      access_token: token.accessToken,
      token_type: token.tokenType,
      refresh_token: token.refreshToken ?? '',
      expiry: token.expiresInSeconds ? new Date(now + token.expiresInSeconds * 1000).toISOString() : '0001-01-01T00:00:00Z',
    });
    const parameters: Record<string, string> = {
      ...PROVIDERS[provider].fixedParameters,
      ...options,
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      token: rcloneToken,
    };
    if (settings.hasCustomEndpoints) {
      parameters.auth_url = settings.authUrl;
      parameters.token_url = settings.tokenUrl;
    }
    const secrets = [settings.clientSecret, token.accessToken, ...(token.refreshToken ? [token.refreshToken] : []), rcloneToken];
    await scope.session.replaceRemote(provider, type, parameters, secrets, await scope.session.remoteTypes());
    this.activity.record({ ...actor, action: 'mount.oauth_complete', target: scope.container.name, details: { provider } });
    return { provider, remote: provider, configured: true as const, fields: Object.keys(parameters).sort() };
  }
}
