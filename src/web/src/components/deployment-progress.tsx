// One deployment's live view: steps, per-image pull progress, raw compose output and the result.
import { memo, useEffect, useRef, useState } from 'react';
import { STEP_LABELS, STEP_NAMES, type TrackedDeployment } from '../api/deployment-tracker.js';
import { formatBytes } from '../lib/format.js';
import { Link } from '../lib/router.js';
import { CloseIcon } from './dialog.js';
import { CheckIcon, ExternalIcon } from './icons.js';
import { ProgressBar } from './progress-bar.js';

export function deploymentProgressPercent(item: TrackedDeployment): number {
  if (item.outcome) return 100;
  if (item.progress > 0) return item.progress;
  const done = STEP_NAMES.filter((name) => ['completed', 'skipped', 'failed'].includes(item.steps[name].status)).length;
  return Math.round((done / STEP_NAMES.length) * 100);
}

export function deploymentStatusText(item: TrackedDeployment): string {
  if (item.outcome) return item.outcome.success ? 'Deployed' : 'Failed';
  if (item.connection === 'lost') return 'Unknown';
  if (item.currentStep) return `${STEP_LABELS[item.currentStep]}…`;
  return item.connection === 'connecting' ? 'Connecting…' : 'Queued';
}

const StepList = memo(function StepList({ steps }: { steps: TrackedDeployment['steps'] }) {
  return (
    <ol className="steps" aria-label="Deployment steps">
      {STEP_NAMES.map((name) => {
        const step = steps[name];
        return (
          <li key={name} className={`step step-${step.status}`} data-step={name} data-status={step.status}>
            <span className="step-icon" aria-hidden="true">
              {step.status === 'completed' ? <CheckIconSmall /> : step.status === 'failed' ? <CloseIconSmall /> : null}
            </span>
            <div>
              <div className="step-name">
                {STEP_LABELS[name]} <span className="visually-hidden">({step.status})</span>
                {step.status === 'skipped' ? <span className="muted small"> · skipped</span> : null}
              </div>
              {step.message ? <div className="step-message">{step.message}</div> : null}
            </div>
          </li>
        );
      })}
    </ol>
  );
});

function CheckIconSmall() {
  return (
    <span style={{ display: 'inline-flex', transform: 'scale(0.75)' }}>
      <CheckIcon />
    </span>
  );
}
function CloseIconSmall() {
  return (
    <span style={{ display: 'inline-flex', transform: 'scale(0.7)' }}>
      <CloseIcon />
    </span>
  );
}

function PullBars({ pulls }: { pulls: TrackedDeployment['pulls'] }) {
  if (pulls.length === 0) return null;
  return (
    <section className="stack" aria-label="Image downloads" data-testid="pull-progress">
      <h3>Images</h3>
      {pulls.map((pull) => (
        <div key={pull.image} className="stack stack-tight">
          <div className="row-between small">
            <span className="mono truncate">{pull.image}</span>
            <span className="muted nowrap">
              {pull.status === 'present'
                ? 'already present'
                : `${pull.bytesTotal > 0 ? `${formatBytes(pull.bytesDone)} / ${formatBytes(pull.bytesTotal)} · ` : ''}${Math.round(pull.percent)}%`}
            </span>
          </div>
          <ProgressBar percent={pull.percent} label={`Pulling ${pull.image}`} />
        </div>
      ))}
    </section>
  );
}

function RawOutput({ output, startOpen }: { output: TrackedDeployment['output']; startOpen: boolean }) {
  const ref = useRef<HTMLPreElement>(null);
  const [open, setOpen] = useState(startOpen);
  const stick = useRef(true);
  useEffect(() => {
    const element = ref.current;
    if (element && stick.current) element.scrollTop = element.scrollHeight;
  }, [output, open]);
  return (
    <details className="advanced" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        Raw output <span className="muted small">({output.length} lines)</span>
      </summary>
      <pre
        ref={ref}
        className="log-view"
        data-testid="deploy-output"
        tabIndex={0}
        aria-label="Raw deployment output"
        onScroll={(event) => {
          const element = event.currentTarget;
          stick.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 8;
        }}
      >
        {output.length === 0 ? <span className="ts">No output yet.</span> : null}
        {output.map((line) => (
          <div key={line.key} className={line.stream === 'stderr' ? 'stderr' : undefined}>
            {line.text || ' '}
          </div>
        ))}
      </pre>
    </details>
  );
}

/**
 * The server names its own host "localhost" in app URLs; a browser on another machine reaches the
 * app on the host it reached the dashboard on.
 */
export function browserReachableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (
      ['localhost', '127.0.0.1', '0.0.0.0', '[::1]'].includes(parsed.hostname) &&
      !['localhost', '127.0.0.1'].includes(location.hostname)
    ) {
      parsed.hostname = location.hostname;
    }
    return parsed.toString();
  } catch {
    return url;
  }
}

function linkLabel(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.host + (parsed.pathname === '/' ? '' : parsed.pathname);
  } catch {
    return url;
  }
}

function Result({ item }: { item: TrackedDeployment }) {
  const { outcome } = item;
  if (!outcome) {
    if (item.connection === 'lost') {
      return (
        <div className="notice notice-warning" role="status">
          <strong>Progress unavailable</strong>
          <span>{item.problem}</span>
        </div>
      );
    }
    return null;
  }
  if (!outcome.success) {
    const failedStep = STEP_NAMES.find((name) => item.steps[name].status === 'failed');
    return (
      <div className="notice notice-error" role="alert" data-testid="deploy-result" data-success="false">
        <strong>Deployment failed{failedStep ? ` at “${STEP_LABELS[failedStep]}”` : ''}</strong>
        <span className="pre-wrap">{outcome.error}</span>
      </div>
    );
  }
  return (
    <div className="notice notice-success" role="status" data-testid="deploy-result" data-success="true">
      <strong>{item.appName} is running</strong>
      {outcome.urls.length > 0 ? (
        <div className="row">
          {outcome.urls.map(browserReachableUrl).map((url) => (
            <a key={url} className="button button-small" href={url} target="_blank" rel="noreferrer noopener">
              Open {linkLabel(url)} <ExternalIcon size={14} />
            </a>
          ))}
        </div>
      ) : null}
      {outcome.containers.length > 0 ? <span className="small">Containers: {outcome.containers.join(', ')}</span> : null}
      <span className="small">
        Manage it on the <Link to="/apps">Apps</Link> page.
      </span>
    </div>
  );
}

export function DeploymentProgress({ item }: { item: TrackedDeployment }) {
  const percent = deploymentProgressPercent(item);
  return (
    <div
      className="stack"
      data-testid="deployment-progress"
      data-deployment-id={item.id}
      data-state={item.outcome ? (item.outcome.success ? 'succeeded' : 'failed') : 'running'}
    >
      <div className="stack stack-tight">
        <div className="row-between small">
          <span aria-live="polite">{deploymentStatusText(item)}</span>
          <span className="muted">
            {item.connection === 'reconnecting' ? 'Reconnecting… · ' : ''}
            {percent}%
          </span>
        </div>
        <ProgressBar percent={percent} label="Deployment progress" danger={item.outcome ? !item.outcome.success : false} />
      </div>
      <Result item={item} />
      <StepList steps={item.steps} />
      <PullBars pulls={item.pulls} />
      <RawOutput output={item.output} startOpen={false} />
    </div>
  );
}
