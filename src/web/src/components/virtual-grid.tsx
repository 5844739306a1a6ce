// A windowed grid for long lists (the whole catalog): only the rows near the viewport are in the
// DOM, so scrolling 150+ cards stays smooth. Rows have a fixed height; columns follow the width.
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

type VirtualGridProps<T> = {
  items: T[];
  minColumnWidth: number;
  rowHeight: number;
  gap?: number;
  overscanRows?: number;
  getKey: (item: T) => string;
  renderItem: (item: T) => ReactNode;
  label: string;
};

export function VirtualGrid<T>({
  items,
  minColumnWidth,
  rowHeight,
  gap = 14,
  overscanRows = 3,
  getKey,
  renderItem,
  label,
}: VirtualGridProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [range, setRange] = useState({ first: 0, last: 6 });

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    setWidth(element.clientWidth);
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(entry.contentRect.width);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const columns = Math.max(1, Math.floor((width + gap) / (minColumnWidth + gap)));
  const rowCount = Math.ceil(items.length / columns);
  const stride = rowHeight + gap;

  useEffect(() => {
    let frame = 0;
    const measure = () => {
      frame = 0;
      const element = ref.current;
      if (!element) return;
      const top = element.getBoundingClientRect().top;
      const first = Math.max(0, Math.floor(-top / stride) - overscanRows);
      const last = Math.min(rowCount - 1, Math.ceil((window.innerHeight - top) / stride) + overscanRows);
      setRange((current) => (current.first === first && current.last === last ? current : { first, last }));
    };
    const onScroll = () => {
      if (!frame) frame = window.requestAnimationFrame(measure);
    };
    measure();
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll);
    return () => {
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onScroll);
      if (frame) window.cancelAnimationFrame(frame);
    };
  }, [stride, rowCount, overscanRows]);

  const rows: ReactNode[] = [];
  for (let row = range.first; row <= Math.min(range.last, rowCount - 1); row += 1) {
    const slice = items.slice(row * columns, row * columns + columns);
    rows.push(
      <div
        key={row}
        className="catalog-grid-row"
        role="presentation"
        style={{ top: row * stride, height: rowHeight, gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }}
      >
        {slice.map((item) => (
          <div key={getKey(item)} role="listitem">
            {renderItem(item)}
          </div>
        ))}
      </div>,
    );
  }

  return (
    <div ref={ref} role="list" aria-label={label} style={{ position: 'relative', height: rowCount > 0 ? rowCount * stride - gap : 0 }}>
      {rows}
    </div>
  );
}
