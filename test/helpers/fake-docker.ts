// A Docker Engine stand-in for api-tier tests. It behaves like a daemon that is up or down.
import { DockerUnavailableError } from '../../src/server/errors.js';
import type { DockerEngine, DockerVersion } from '../../src/server/infra/docker-engine.js';

export class FakeDockerEngine implements DockerEngine {
  isUp = true;
  versionInfo: DockerVersion = { version: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64', kernelVersion: '6.1.0' };

  private assertUp(): void {
    if (!this.isUp) throw new DockerUnavailableError('The Docker daemon did not answer (fake: down)');
  }

  async ping(): Promise<void> {
    this.assertUp();
  }

  async version(): Promise<DockerVersion> {
    this.assertUp();
    return this.versionInfo;
  }
}
