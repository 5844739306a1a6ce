// The providers the Enhanced Mount Manager offers: which rclone backend each is, how it
// authenticates, and which credentials it takes. Pure data and validation.
import type { MountAuthKind, MountProvider, OAuthProvider } from '../../../contracts/mounts.js';
import { AppError } from '../../errors.js';
import type { EndpointField } from './endpoint-policy.js';

type FieldKind = 'text' | 'host' | 'port' | 'url' | 'boolean' | { oneOf: readonly string[] };

export type CredentialField = {
  name: string;
  kind: FieldKind;
  required: boolean;
  secret: boolean;
  description: string;
  /** Sent to rclone when the caller leaves the field out. */
  default?: string;
  /** rclone's option name when it differs from ours. */
  rcloneKey?: string;
};

export type ProviderSpec = {
  id: MountProvider;
  name: string;
  /** null: rclone has no backend for it. */
  rcloneType: string | null;
  authType: MountAuthKind;
  fields: CredentialField[];
  /** Remote settings added to every remote of this provider. */
  fixedParameters?: Record<string, string>;
  note?: string;
};

const field = (name: string, kind: FieldKind, description: string, extra: Partial<CredentialField> = {}): CredentialField => ({
  name,
  kind,
  description,
  required: true,
  secret: false,
  ...extra,
});

const password = (description = 'Password'): CredentialField => field('pass', 'text', description, { secret: true });

export const PROVIDERS: Record<MountProvider, ProviderSpec> = {
  local: {
    id: 'local',
    name: 'Local folder',
    rcloneType: 'local',
    authType: 'none',
    fields: [],
    note: 'A folder inside the mount container (default /data), re-exposed through the VFS cache',
  },
  google: { id: 'google', name: 'Google Drive', rcloneType: 'drive', authType: 'oauth', fields: [], fixedParameters: { scope: 'drive' } },
  dropbox: { id: 'dropbox', name: 'Dropbox', rcloneType: 'dropbox', authType: 'oauth', fields: [] },
  onedrive: { id: 'onedrive', name: 'Microsoft OneDrive', rcloneType: 'onedrive', authType: 'oauth', fields: [] },
  box: { id: 'box', name: 'Box', rcloneType: 'box', authType: 'oauth', fields: [] },
  sftp: {
    id: 'sftp',
    name: 'SFTP',
    rcloneType: 'sftp',
    authType: 'credentials',
    fields: [
      field('host', 'host', 'Server host name or IP address'),
      field('port', 'port', 'SSH port', { required: false, default: '22' }),
      field('user', 'text', 'User name'),
      password(),
    ],
  },
  webdav: {
    id: 'webdav',
    name: 'WebDAV',
    rcloneType: 'webdav',
    authType: 'credentials',
    fields: [
      field('url', 'url', 'WebDAV URL, e.g. https://cloud.example.com/remote.php/dav/files/me'),
      field('vendor', { oneOf: ['other', 'nextcloud', 'owncloud', 'sharepoint', 'sharepoint-ntlm'] }, 'Server software', {
        required: false,
        default: 'other',
      }),
      field('user', 'text', 'User name', { required: false }),
      password('Password (leave out for anonymous access)'),
    ].map((spec) => (spec.name === 'pass' ? { ...spec, required: false } : spec)),
  },
  s3: {
    id: 's3',
    name: 'Amazon S3 (or S3-compatible)',
    rcloneType: 's3',
    authType: 'credentials',
    fields: [
      field('vendor', { oneOf: ['AWS', 'Minio', 'Wasabi', 'Cloudflare', 'DigitalOcean', 'Ceph', 'Other'] }, 'S3 implementation', {
        required: false,
        default: 'AWS',
        rcloneKey: 'provider',
      }),
      field('access_key_id', 'text', 'Access key id'),
      field('secret_access_key', 'text', 'Secret access key', { secret: true }),
      field('region', 'text', 'Region, e.g. us-east-1', { required: false }),
      field('endpoint', 'url', 'Endpoint URL for S3-compatible services', { required: false }),
    ],
  },
  b2: {
    id: 'b2',
    name: 'Backblaze B2',
    rcloneType: 'b2',
    authType: 'credentials',
    fields: [field('account', 'text', 'Application key id (or account id)'), field('key', 'text', 'Application key', { secret: true })],
  },
  mega: {
    id: 'mega',
    name: 'MEGA',
    rcloneType: 'mega',
    authType: 'credentials',
    fields: [field('user', 'text', 'E-mail address of the account'), password()],
  },
  ftp: {
    id: 'ftp',
    name: 'FTP',
    rcloneType: 'ftp',
    authType: 'credentials',
    fields: [
      field('host', 'host', 'Server host name or IP address'),
      field('port', 'port', 'FTP port', { required: false, default: '21' }),
      field('user', 'text', 'User name'),
      password(),
      field('tls', 'boolean', 'Implicit FTPS (usually port 990)', { required: false, default: 'false' }),
      field('explicit_tls', 'boolean', 'Explicit FTPS (STARTTLS)', { required: false, default: 'false' }),
    ],
  },
  smb: {
    id: 'smb',
    name: 'SMB / CIFS',
    rcloneType: 'smb',
    authType: 'credentials',
    fields: [
      field('host', 'host', 'Server host name or IP address'),
      field('port', 'port', 'SMB port', { required: false, default: '445' }),
      field('user', 'text', 'User name'),
      password(),
      field('domain', 'text', 'Domain (workgroup)', { required: false, default: 'WORKGROUP' }),
    ],
  },
  nfs: {
    id: 'nfs',
    name: 'NFS',
    rcloneType: null,
    authType: 'none',
    fields: [],
    note: 'rclone has no NFS backend: mount the export on the host (or as a Docker volume of type nfs) and point apps at it',
  },
};

export const isOAuthProvider = (provider: MountProvider): provider is OAuthProvider => PROVIDERS[provider].authType === 'oauth';

/** Settings an auth/complete call may add to an OAuth remote (everything else is ours to set). */
export const OAUTH_OPTION_KEYS: Record<OAuthProvider, readonly string[]> = {
  google: ['root_folder_id', 'team_drive'],
  dropbox: [],
  onedrive: ['drive_id', 'drive_type'],
  box: ['root_folder_id'],
};

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?|\[?[0-9A-Fa-f:.]+\]?)$/;
// rclone writes values into an INI file: a line break would start a new section.
const PLAIN_TEXT = /^\P{Cc}*$/u;

function validateValue(spec: CredentialField, value: string | number | boolean): { value: string } | { problem: string } {
  const text = typeof value === 'string' ? value : String(value);
  if (text.length > 2048) return { problem: 'is longer than 2048 characters' };
  if (!PLAIN_TEXT.test(text)) return { problem: 'must not contain control characters or line breaks' };
  const kind = spec.kind;
  if (kind === 'host') return HOST.test(text) && text.length <= 253 ? { value: text } : { problem: 'must be a host name or IP address' };
  if (kind === 'port') {
    const port = Number(text);
    return Number.isInteger(port) && port >= 1 && port <= 65535 ? { value: String(port) } : { problem: 'must be a port number (1-65535)' };
  }
  if (kind === 'url') {
    try {
      const url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:' ? { value: text } : { problem: 'must be an http or https URL' };
    } catch {
      return { problem: 'must be an http or https URL' };
    }
  }
  if (kind === 'boolean') {
    if (value === true || text === 'true') return { value: 'true' };
    if (value === false || text === 'false') return { value: 'false' };
    return { problem: 'must be true or false' };
  }
  if (kind === 'text') return text.length > 0 || !spec.required ? { value: text } : { problem: 'must not be empty' };
  return kind.oneOf.includes(text) ? { value: text } : { problem: `must be one of ${kind.oneOf.join(', ')}` };
}

export type RemoteParameters = {
  /** rclone option → value, as config/create takes them. */
  parameters: Record<string, string>;
  /** The secret values among them: cut out of any error text. */
  secrets: string[];
  /** Our field names that were stored. */
  fields: string[];
  /** The host and URL fields given: where rclone will connect, checked before it does. */
  endpoints: EndpointField[];
};

/** Checks credentials against the provider's fields; a 400 with every problem when they do not fit. */
export function credentialsToParameters(provider: MountProvider, credentials: Record<string, string | number | boolean>): RemoteParameters {
  const spec = PROVIDERS[provider];
  const problems: { path: string; message: string }[] = [];
  const known = new Set(spec.fields.map((item) => item.name));
  for (const name of Object.keys(credentials)) {
    if (!known.has(name))
      problems.push({ path: `body.credentials.${name}`, message: `is not a ${spec.name} setting (${[...known].join(', ')})` });
  }
  const parameters: Record<string, string> = { ...spec.fixedParameters };
  const secrets: string[] = [];
  const fields: string[] = [];
  const endpoints: EndpointField[] = [];
  for (const item of spec.fields) {
    const given = credentials[item.name];
    if (given === undefined || given === '') {
      if (item.required) problems.push({ path: `body.credentials.${item.name}`, message: `is required (${item.description})` });
      else if (item.default !== undefined) parameters[item.rcloneKey ?? item.name] = item.default;
      continue;
    }
    const checked = validateValue(item, given);
    if ('problem' in checked) {
      problems.push({ path: `body.credentials.${item.name}`, message: checked.problem });
      continue;
    }
    parameters[item.rcloneKey ?? item.name] = checked.value;
    fields.push(item.name);
    if (item.kind === 'host' || item.kind === 'url')
      endpoints.push({ path: `body.credentials.${item.name}`, value: checked.value, kind: item.kind });
    if (item.secret) secrets.push(checked.value);
  }
  if (problems.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Invalid credentials',
      problems.map((problem) => `${problem.path}: ${problem.message}`).join('; '),
      {
        fields: problems,
      },
    );
  }
  return { parameters, secrets, fields, endpoints };
}
