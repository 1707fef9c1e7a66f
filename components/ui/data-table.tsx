import type { ReactNode } from "react";
import { cn } from "@/lib/cn";

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

/**
 * Every list of the dashboard. One table in the DOM: from md up it is a table; below md each row
 * is a card whose cells carry their column's name, so nothing scrolls sideways or is cut off.
 * The header row stays for screen readers on small screens, and the explicit roles keep the
 * table's semantics when its display changes.
 */
export function DataTable<T>(props: { caption: string; columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; rowTestId?: (row: T) => string }) {
  const { columns } = props;
  return (
    <table role="table" className="block w-full text-sm md:table">
      <caption className="sr-only">{props.caption}</caption>
      <thead role="rowgroup" className="sr-only border-b border-slate-100 text-left text-xs uppercase tracking-wide text-slate-600 md:not-sr-only md:table-header-group">
        <tr role="row">
          {columns.map((c) => (
            <th key={c.header} role="columnheader" scope="col" className={cn("whitespace-nowrap px-4 py-2 font-medium", c.numeric && "text-right", c.optional && "md:hidden lg:table-cell")}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody role="rowgroup" className="block divide-y divide-slate-100 md:table-row-group">
        {props.rows.map((row) => (
          <tr key={props.rowKey(row)} role="row" data-testid={props.rowTestId?.(row)} className="block space-y-1.5 px-4 py-3 hover:bg-slate-50/60 md:table-row md:space-y-0 md:p-0">
            {columns.map((c) => (
              <td
                key={c.header}
                role="cell"
                className={cn(
                  "min-w-0 md:table-cell md:px-4 md:py-3 md:align-top",
                  // A name column keeps some width in the table, so names do not wrap word by word.
                  c.primary ? "block md:min-w-44" : "flex items-baseline justify-between gap-4",
                  c.numeric && "md:text-right md:tabular-nums",
                  c.optional && "md:hidden lg:table-cell",
                )}
              >
                {!c.primary && (
                  <span aria-hidden className="shrink-0 text-xs font-medium uppercase tracking-wide text-slate-600 md:hidden">
                    {c.header}
                  </span>
                )}
                <div className={cn("min-w-0 break-words", !c.primary && "text-right md:text-left", c.numeric && "md:text-right")}>{c.cell(row)}</div>
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
