// The steps that touch the stack itself: validate (says what will be deployed), render (writes
// compose.yaml and .env) and deploy (docker compose up -d).
import type { ComposeProject } from '../../../infra/compose-cli.js';
import type { DeployJob, RunnerDeps, StepContext, StepOutcome } from '../deploy-job.js';

export function composeProjectOf(deps: RunnerDeps, job: DeployJob): ComposeProject {
  return { name: job.project, directory: deps.stacks.paths(job.stackName).directory };
}

export async function validateStep({ job }: StepContext): Promise<StepOutcome<void>> {
  return {
    value: undefined,
    message: `${job.entry.app.displayName} can be deployed in ${job.mode} mode${job.isRedeploy ? ' (already deployed: it is updated in place)' : ''}`,
    details: { appId: job.appId, mode: job.mode, variables: job.variableNames, isRedeploy: job.isRedeploy },
  };
}

export async function renderStep({ job, deps }: StepContext): Promise<StepOutcome<void>> {
  const paths = deps.stacks.write(job.stackName, { composeYaml: job.rendered.composeYaml, envFile: job.rendered.envFile });
  return {
    value: undefined,
    message: `Wrote ${paths.composeFile} and its .env (project ${job.project})`,
    details: { directory: paths.directory, project: job.project, services: job.rendered.services, images: job.rendered.images },
  };
}

export async function composeUpStep({ job, deps, signal, emitOutput }: StepContext): Promise<StepOutcome<void>> {
  // The runner reports the command line it really runs; output lines name it.
  let command = 'docker compose up';
  await deps.compose.up(composeProjectOf(deps, job), {
    timeoutMs: deps.config.deployStepTimeoutSeconds * 1000,
    signal,
    onCommand: (commandLine) => (command = commandLine),
    onLine: (line, stream) => emitOutput(command, line, stream),
  });
  return { value: undefined, message: `docker compose up -d finished for project ${job.project}`, details: { command } };
}
