type ProgressBarProps = {
  /** 0–100; values outside are clamped. */
  percent: number;
  /** The bar's accessible name; without one the bar is decoration next to text that says the same. */
  label?: string;
  danger?: boolean;
};

export function ProgressBar({ percent, label, danger = false }: ProgressBarProps) {
  const clamped = Math.min(100, Math.max(0, percent));
  const bar = <span style={{ width: `${clamped}%` }} />;
  const className = danger ? 'progress progress-danger' : 'progress';
  if (!label) {
    return (
      <div className={className} aria-hidden="true">
        {bar}
      </div>
    );
  }
  return (
    <div
      className={className}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(clamped)}
    >
      {bar}
    </div>
  );
}
