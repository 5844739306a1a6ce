// The heading rows of pages and cards: a title, a line saying what the section is for, and the
// section's own buttons on the right (under it on phones).
import type { ReactNode } from 'react';

type SectionHeaderProps = { title: ReactNode; description?: ReactNode; actions?: ReactNode };

export function PageHeader({ title, description, actions }: SectionHeaderProps) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description ? <p>{description}</p> : null}
      </div>
      {actions}
    </div>
  );
}

export function CardHeader({ title, description, actions, titleId }: SectionHeaderProps & { titleId?: string }) {
  return (
    <div className="card-header">
      <div className="card-title">
        <h2 id={titleId}>{title}</h2>
        {description ? <p className="muted small">{description}</p> : null}
      </div>
      {actions}
    </div>
  );
}
