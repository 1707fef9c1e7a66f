import type { ReactNode } from "react";

/** A card's title row, with what acts on the card at its right. */
export function CardHeader(props: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="flex items-start justify-between gap-4 border-b border-slate-100 px-5 py-4">
      <div>
        <h2 className="text-base font-semibold text-slate-900">{props.title}</h2>
        {props.description && <p className="mt-0.5 text-sm text-slate-600">{props.description}</p>}
      </div>
      {props.actions && <div className="shrink-0">{props.actions}</div>}
    </div>
  );
}
