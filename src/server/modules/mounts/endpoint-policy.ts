// Where a storage remote may point. rclone connects from the mount container with whatever host we
// store, so an S3 endpoint of http://169.254.169.254/ would make it fetch cloud credentials, and a
// user's remote on localhost would reach services bound to loopback. LAN addresses stay allowed:
// homelab object stores (MinIO, a NAS's WebDAV) live there. Checked before anything connects.
import { AppError } from '../../errors.js';
import type { HostResolver } from '../../infra/host-resolver.js';
import { bareHostname, classifyAddress, isLocalhostName, normalizeIp } from '../../network-addresses.js';

// Names of cloud instance-metadata services that resolve to a link-local address inside a cloud.
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

export type EndpointField = { path: string; value: string; kind: 'host' | 'url' };

/** The host a field names: the value of a host field, the host of a URL field. */
function hostOf(field: EndpointField): string | null {
  if (field.kind === 'host') return bareHostname(field.value);
  try {
    return bareHostname(new URL(field.value).hostname);
  } catch {
    return null;
  }
}

/** Why an address may not be a remote's endpoint; null when it may. */
function addressProblem(address: string, isAdmin: boolean): string | null {
  const kind = classifyAddress(address);
  if (kind === 'link-local' || kind === 'metadata') return 'is a link-local or cloud-metadata address';
  if (!isAdmin && (kind === 'loopback' || kind === 'unspecified')) return 'is this machine (loopback); only an admin may add such a remote';
  return null;
}

export class EndpointPolicy {
  constructor(private readonly resolver: HostResolver) {}

  /** Refuses (400) endpoints on link-local or metadata addresses, and loopback for non-admins; names are resolved first. */
  async check(fields: EndpointField[], isAdmin: boolean): Promise<void> {
    const problems: { path: string; message: string }[] = [];
    for (const field of fields) {
      const host = hostOf(field);
      if (!host) continue;
      const problem = await this.hostProblem(host, isAdmin);
      if (problem) problems.push({ path: field.path, message: `${host} ${problem}` });
    }
    if (problems.length > 0) {
      throw new AppError(
        'VALIDATION_FAILED',
        'Endpoint not allowed',
        problems.map((problem) => `${problem.path}: ${problem.message}`).join('; '),
        {
          fields: problems,
        },
      );
    }
  }

  private async hostProblem(host: string, isAdmin: boolean): Promise<string | null> {
    if (normalizeIp(host) !== null) return addressProblem(host, isAdmin);
    if (METADATA_NAMES.has(host)) return 'is a cloud-metadata service';
    if (isLocalhostName(host)) return isAdmin ? null : 'is this machine (localhost); only an admin may add such a remote';
    for (const address of await this.resolver.resolve(host)) {
      const problem = addressProblem(address, isAdmin);
      if (problem) return `resolves to ${address}, which ${problem}`;
    }
    return null;
  }
}
