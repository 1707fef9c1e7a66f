import type { ReactNode } from "react";

export type Column<T> = {
  header: string;
  cell: (row: T) => ReactNode;
  /** The card's title below md: first, without its label. */
  primary?: boolean;
  /** Numbers: right-aligned in the table. */
  numeric?: boolean;
  /** Left out of the table between md and lg, where the sidebar leaves it little room; cards and wide tables show it. */
  optional?: boolean;
};

/** The cell's kind, styled by `.data-table` in app/globals.css. */
function kindOf(c: Column<unknown>): string | undefined {
  return [c.primary && "primary", c.numeric && "numeric", c.optional && "optional"].filter(Boolean).join(" ") || undefined;
}

/**
 * Every list of the dashboard. One table in the DOM: from md up it is a table; below md each row
 * is a card whose cells carry their column's name (`data-label`, drawn by the stylesheet), so
 * nothing scrolls sideways or is cut off. The header row stays for screen readers on small
 * screens, and the explicit roles keep the table's semantics when its display changes.
 *
 * Rows are lean on purpose: a list page renders dozens of them per request, so their styling lives
 * in the stylesheet rather than in class strings repeated per cell, and links in cells are plain
 * anchors that the dashboard's `SoftNavigation` (components/shell/nav-link.tsx) turns into
 * client-side navigations.
 */
export function DataTable<T>(props: { caption: string; columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; rowTestId?: (row: T) => string }) {
  const columns = props.columns.map((c) => {
    const kind = kindOf(c as Column<unknown>);
    // Attributes a cell leaves out are left out of the RSC payload too, not sent as "$undefined".
    const cellProps = { ...(c.primary ? {} : { "data-label": c.header }), ...(kind ? { className: kind } : {}) };
    return { ...c, kind, cellProps };
  });
  return (
    <table role="table" className="data-table">
      <caption className="sr-only">{props.caption}</caption>
      <thead role="rowgroup">
        <tr role="row">
          {columns.map((c) => (
            <th key={c.header} role="columnheader" scope="col" className={c.kind}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody role="rowgroup">
        {props.rows.map((row) => (
          <tr key={props.rowKey(row)} role="row" data-testid={props.rowTestId?.(row)}>
            {columns.map((c) => (
              <td key={c.header} role="cell" {...c.cellProps}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
