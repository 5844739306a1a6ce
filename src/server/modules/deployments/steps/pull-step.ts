// The pull step: every image of the stack is pulled at once, with per-layer progress events and
// the deployment's progress bar moving with the mean of the images. An image already present is
// kept on a first deploy; a redeploy pulls to update, and falls back to the local copy when the
// registry cannot be reached.
import { ImagePullError } from '../../../infra/docker/engine.js';
import { DeployFailure, STEP_PROGRESS, type StepContext, type StepOutcome } from '../deploy-job.js';
import { PullProgressTracker, Throttle } from '../pull-progress.js';

const PULL_EVENT_INTERVAL_MS = 250;

type PullOutcome = 'pulled' | 'present' | 'local';

export async function pullStep(context: StepContext): Promise<StepOutcome<void>> {
  const { job, deps, signal } = context;
  const images = job.rendered.images;
  const percents = new Map<string, number>(images.map((image) => [image, 0]));
  const [start, end] = STEP_PROGRESS.pull;
  const updateProgress = (image: string, percent: number): void => {
    percents.set(image, percent);
    const mean = [...percents.values()].reduce((sum, value) => sum + value, 0) / Math.max(1, percents.size);
    deps.repository.update(
      job.deploymentId,
      { progress: Math.floor(start + ((end - start) * mean) / 100) },
      deps.clock.now().toISOString(),
    );
  };
  // One failing pull stops the others: the deploy cannot go on without it.
  const pulls = new AbortController();
  const pullSignal = AbortSignal.any([signal, pulls.signal]);
  const outcomes = await Promise.all(
    images.map(async (image): Promise<PullOutcome> => {
      try {
        return await pullOne(context, image, pullSignal, updateProgress);
      } catch (error) {
        pulls.abort();
        throw error;
      }
    }),
  );
  const pulled = images.filter((_, index) => outcomes[index] === 'pulled');
  const present = images.filter((_, index) => outcomes[index] !== 'pulled');
  return {
    value: undefined,
    isSkipped: pulled.length === 0,
    message:
      pulled.length === 0
        ? `All images are present locally: ${images.join(', ')}`
        : `Pulled ${pulled.join(', ')}${present.length > 0 ? `; already present: ${present.join(', ')}` : ''}`,
    details: { images: images.map((image, index) => ({ image, outcome: outcomes[index] })) },
  };
}

async function pullOne(
  { job, deps, emitOutput }: StepContext,
  image: string,
  signal: AbortSignal,
  updateProgress: (image: string, percent: number) => void,
): Promise<PullOutcome> {
  const { docker, events, clock } = deps;
  const markPresent = (): void => {
    events.append(job.deploymentId, 'pull-progress', { image, percent: 100, bytesDone: 0, bytesTotal: 0, layers: {}, status: 'present' });
    updateProgress(image, 100);
  };
  const isPresent = await docker.hasImage(image);
  if (isPresent && !job.isRedeploy) {
    markPresent();
    return 'present';
  }
  const tracker = new PullProgressTracker();
  const throttle = new Throttle(PULL_EVENT_INTERVAL_MS);
  const emit = (isComplete: boolean): void => {
    const snapshot = tracker.snapshot(isComplete);
    events.append(job.deploymentId, 'pull-progress', { image, ...snapshot, status: isComplete ? 'complete' : 'pulling' });
    updateProgress(image, snapshot.percent);
  };
  try {
    await docker.pullImage(image, {
      signal,
      onProgress: (message) => {
        tracker.update(message);
        if (throttle.isDue(clock.nowMs())) emit(false);
      },
    });
  } catch (error) {
    if (!(error instanceof ImagePullError)) throw error;
    if (isPresent) {
      // A redeploy pulls to update; without the registry the local copy still runs.
      emitOutput(`docker pull ${image}`, `Could not pull ${image} (${error.reason}); using the copy already on this machine`, 'stderr');
      markPresent();
      return 'local';
    }
    throw new DeployFailure(
      `The image ${image} could not be pulled: ${error.reason}. Check the image name and tag, and that this machine can reach its registry.`,
    );
  }
  emit(true);
  return 'pulled';
}
