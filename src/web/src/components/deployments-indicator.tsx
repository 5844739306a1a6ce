// The header's deployments button: how many are running, and a panel listing each with its
// progress, even after the deploy dialog was closed or the page reloaded.
import { useState } from 'react';
import { deploymentTracker, isActive, useDeployments } from '../api/deployment-tracker.js';
import { AppIcon } from './app-icon.js';
import { Badge } from './badge.js';
import { DeploymentProgress, deploymentProgressPercent, deploymentStatusText } from './deployment-progress.js';
import { Dialog } from './dialog.js';
import { RocketIcon } from './icons.js';
import { Spinner } from './notices.js';
import { ProgressBar } from './progress-bar.js';

export function DeploymentsIndicator() {
  const deployments = useDeployments();
  const [open, setOpen] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const active = deployments.filter(isActive).length;
  if (deployments.length === 0) return null;
  const current = selected ? deployments.find((item) => item.id === selected) : undefined;
  return (
    <>
      <button
        type="button"
        className="icon-button deploy-indicator"
        aria-label={active > 0 ? `${active} deployment${active === 1 ? '' : 's'} in progress` : 'Recent deployments'}
        title="Deployments"
        data-testid="deployments-indicator"
        onClick={() => setOpen(true)}
      >
        {active > 0 ? <Spinner label="Deploying" /> : <RocketIcon />}
        {active > 0 ? <span className="count">{active}</span> : null}
      </button>
      {open ? (
        <Dialog
          title={current ? `Deploying ${current.appName}` : 'Deployments'}
          description={current ? undefined : 'Deployments keep running when you close this. Finished ones stay here until you clear them.'}
          size={current ? 'large' : 'medium'}
          testId="deployments-panel"
          onClose={() => {
            setOpen(false);
            setSelected(null);
          }}
          footer={
            current ? (
              <button type="button" className="button" onClick={() => setSelected(null)}>
                Back to all deployments
              </button>
            ) : undefined
          }
        >
          {current ? (
            <DeploymentProgress item={current} />
          ) : (
            <ul className="stack plain-list">
              {deployments.map((item) => (
                <li key={item.id} className="deploy-list-item">
                  <AppIcon name={item.appName} size={32} />
                  <div className="grow stack stack-tight">
                    <div className="row-between">
                      <strong className="truncate">{item.appName}</strong>
                      <Badge tone={item.outcome ? (item.outcome.success ? 'success' : 'danger') : 'accent'}>
                        {deploymentStatusText(item)}
                      </Badge>
                    </div>
                    <ProgressBar percent={deploymentProgressPercent(item)} />
                  </div>
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => setSelected(item.id)}
                    aria-label={`Details of ${item.appName}`}
                  >
                    Details
                  </button>
                  {isActive(item) ? null : (
                    <button
                      type="button"
                      className="button button-small button-ghost"
                      onClick={() => deploymentTracker.dismiss(item.id)}
                      aria-label={`Clear ${item.appName} from the list`}
                    >
                      Clear
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Dialog>
      ) : null}
    </>
  );
}
