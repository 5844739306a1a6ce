// Once per test run: clear stale resources of earlier runs and build the stub image, when Docker is here.
import { buildStubImage, docker, removeTestResources } from './docker.js';

export default async function setup(): Promise<void> {
  try {
    await docker.ping();
  } catch {
    // Docker-tier tests fail on their own with a clear message; unit and api tests still run.
    return;
  }
  // Only resources older than an hour: another test run may be using the daemon right now.
  await removeTestResources({ olderThanMs: 60 * 60 * 1000 });
  await buildStubImage();
}
