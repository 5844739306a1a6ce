// The dashboard's tables: a header row, one row per item, optional columns that phones hide, and
// a trailing column of row actions whose header only screen readers read.
import type { ReactNode } from 'react';

export type Column<T> = {
  header: string;
  cell: (row: T) => ReactNode;
  /** Classes of this column's cells, e.g. 'mono small'. */
  className?: string;
  /** Left out on phones, where the table keeps only the columns that identify and act. */
  optional?: boolean;
};

type DataTableProps<T> = {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** The row's action buttons, right-aligned in the last column. */
  actions?: (row: T) => ReactNode;
  /** Extra attributes of each row, such as data-* hooks for tests. */
  rowAttributes?: (row: T) => Record<`data-${string}`, string>;
  testId?: string;
  /** On phones each row becomes a block (first cell on a line of its own, the rest and the actions under it), for tables whose first cell carries long text. */
  stackOnPhones?: boolean;
};

function classes(...names: (string | false | undefined)[]): string | undefined {
  return names.filter(Boolean).join(' ') || undefined;
}

export function DataTable<T>({ columns, rows, rowKey, actions, rowAttributes, testId, stackOnPhones = false }: DataTableProps<T>) {
  return (
    <div className="table-wrap">
      <table className={classes('table', stackOnPhones && 'table-stacked')} data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={classes(column.optional && 'hide-mobile')}>
                {column.header}
              </th>
            ))}
            {actions ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowAttributes?.(row)}>
              {columns.map((column) => (
                <td key={column.header} className={classes(column.className, column.optional && 'hide-mobile')}>
                  {column.cell(row)}
                </td>
              ))}
              {actions ? <td className="actions">{actions(row)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
