import { memo } from 'react';

/**
 * A tiny line chart of recent samples for CPU and memory next to each container. The scale runs
 * from 0 to a little above the highest sample (never below `floor`), so small changes stay visible.
 */
export const Sparkline = memo(function Sparkline({
  values,
  floor,
  label,
  width = 96,
  height = 28,
}: {
  values: number[];
  floor: number;
  label: string;
  width?: number;
  height?: number;
}) {
  const top = Math.max(floor, ...values) * 1.25;
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map(
    (value, index) => `${(index * step).toFixed(1)},${(height - 2 - (Math.max(0, value) / top) * (height - 4)).toFixed(1)}`,
  );
  const area = points.length > 1 ? `M0,${height} L${points.join(' L')} L${((values.length - 1) * step).toFixed(1)},${height} Z` : '';
  return (
    <svg className="sparkline" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={label}>
      {area ? <path d={area} className="sparkline-area" /> : null}
      {points.length > 1 ? (
        <polyline points={points.join(' ')} className="sparkline-line" fill="none" />
      ) : (
        <line x1="0" x2={width} y1={height - 2} y2={height - 2} className="sparkline-empty" />
      )}
    </svg>
  );
});
