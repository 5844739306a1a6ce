import { memo } from 'react';
import type { App } from '../../api/wire-types.js';
import { AppIcon } from '../../components/app-icon.js';
import { StarFilledIcon, StarIcon } from '../../components/icons.js';
import { categoryLabel } from './category-labels.js';

const MODE_LABELS: Record<string, string> = { standard: 'Standard', traefik: 'Traefik', authelia: 'Authelia' };

type AppCardProps = {
  app: App;
  starred: boolean;
  deployed: boolean;
  canDeploy: boolean;
  onToggleStar: (app: App) => void;
  onDeploy: (app: App) => void;
};

/** Memoized: a star toggle or a search keystroke re-renders only the cards whose props changed. */
export const AppCard = memo(function AppCard({ app, starred, deployed, canDeploy, onToggleStar, onDeploy }: AppCardProps) {
  return (
    <article className="card app-card" aria-labelledby={`app-${app.id}-name`} data-testid="app-card" data-app-id={app.id}>
      <div className="app-card-head">
        <AppIcon name={app.displayName} icon={app.icon} />
        <div className="app-card-title">
          <h3 id={`app-${app.id}-name`}>{app.displayName}</h3>
          <span className="muted small">
            {categoryLabel(app.category)}
            {deployed ? (
              <>
                {' · '}
                <span className="badge badge-success">deployed</span>
              </>
            ) : null}
          </span>
        </div>
        <button
          type="button"
          className="icon-button star-button"
          aria-pressed={starred}
          aria-label={starred ? `Unstar ${app.displayName}` : `Star ${app.displayName}`}
          title={starred ? 'Starred' : 'Star'}
          onClick={() => onToggleStar(app)}
        >
          {starred ? <StarFilledIcon /> : <StarIcon />}
        </button>
      </div>
      <p className="app-card-description" title={app.description}>
        {app.description || 'No description.'}
      </p>
      <div className="app-card-modes" aria-label="Deployment modes">
        {app.modes.map((mode) => (
          <span key={mode} className={`badge ${mode === 'standard' ? '' : 'badge-accent'}`}>
            {MODE_LABELS[mode] ?? mode}
          </span>
        ))}
      </div>
      <div className="app-card-foot">
        <div className="app-card-image" title={app.image}>
          {app.image}
        </div>
        <button
          type="button"
          className="button button-primary button-small"
          onClick={() => onDeploy(app)}
          disabled={!canDeploy}
          title={canDeploy ? undefined : 'Viewers cannot deploy'}
          aria-label={`Deploy ${app.displayName}`}
        >
          Deploy
        </button>
      </div>
    </article>
  );
});
