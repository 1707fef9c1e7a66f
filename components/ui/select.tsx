"use client";
import { forwardRef, useEffect, useId, useState, type KeyboardEvent } from "react";
import { Check, ChevronDown } from "lucide-react";
import { cn } from "@/lib/cn";

export type SelectOption = { value: string; label: string };

type SelectProps = {
  id?: string;
  value: string;
  onValueChange: (value: string) => void;
  options: SelectOption[];
  placeholder?: string;
  disabled?: boolean;
  className?: string;
  "aria-label"?: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
};

/** Where the list opens and what it is called, read from the button when it opens. */
type Opened = { upward: boolean; name: string };

/**
 * A select-only combobox (WAI-ARIA APG): the button, labelled by its <label>, keeps the focus
 * and points at the highlighted option. Arrows, Home and End move the highlight (and open the
 * list), a letter jumps to the next option starting with it, Enter or Space chooses, Escape or
 * Tab closes. The list opens upwards when there is no room below.
 */
export const Select = forwardRef<HTMLButtonElement, SelectProps>(function Select(
  { id, value, onValueChange, options, placeholder, disabled, className, ...aria },
  ref,
) {
  const listId = useId();
  const [opened, setOpened] = useState<Opened>();
  const [active, setActive] = useState(0);
  const selected = options.findIndex((o) => o.value === value);
  const optionId = (i: number) => `${listId}-${i}`;

  useEffect(() => {
    if (opened) document.getElementById(`${listId}-${active}`)?.scrollIntoView({ block: "nearest" });
  }, [opened, active, listId]);

  const open = (button: HTMLButtonElement, highlight: number) => {
    const { top, bottom } = button.getBoundingClientRect();
    setOpened({ upward: bottom + 330 > window.innerHeight && top > 330, name: button.labels?.[0]?.textContent ?? aria["aria-label"] ?? "" });
    setActive(highlight);
  };
  const choose = (i: number) => {
    setOpened(undefined);
    if (options[i] && i !== selected) onValueChange(options[i].value);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    const to = highlightAfter(e.key, opened ? active : Math.max(selected, 0), Boolean(opened), options);
    if (to !== undefined) {
      e.preventDefault();
      if (opened) setActive(to);
      else open(e.currentTarget, to);
    } else if (opened && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      choose(active);
    } else if (opened && (e.key === "Escape" || e.key === "Tab")) {
      if (e.key === "Escape") e.preventDefault();
      setOpened(undefined);
    }
  };

  return (
    <div className="relative">
      <button
        ref={ref}
        id={id}
        type="button"
        role="combobox"
        aria-haspopup="listbox"
        aria-expanded={Boolean(opened)}
        aria-controls={opened ? listId : undefined}
        aria-activedescendant={opened ? optionId(active) : undefined}
        disabled={disabled}
        {...aria}
        onClick={(e) => (opened ? setOpened(undefined) : open(e.currentTarget, Math.max(selected, 0)))}
        onKeyDown={onKeyDown}
        onBlur={() => setOpened(undefined)}
        className={cn(
          "inline-flex h-10 w-full items-center justify-between gap-2 rounded-md border border-slate-300 bg-white px-3 text-left text-sm",
          "text-slate-900 focus:border-slate-900 focus:outline-none focus:ring-2 focus:ring-slate-900/10 disabled:bg-slate-50",
          className,
        )}
      >
        <span className={cn("truncate", selected < 0 && "text-slate-500")}>{options[selected]?.label ?? placeholder}</span>
        <ChevronDown className="h-4 w-4 shrink-0 text-slate-500" aria-hidden />
      </button>
      {opened && (
        <ul
          id={listId}
          role="listbox"
          aria-label={opened.name}
          // The button keeps the focus (and the list stays open) while an option is clicked.
          onMouseDown={(e) => e.preventDefault()}
          className={cn(
            "absolute left-0 z-50 max-h-80 w-max min-w-full max-w-[calc(100vw-2rem)] overflow-y-auto rounded-md border border-slate-200 bg-white p-1 shadow-lg",
            opened.upward ? "bottom-full mb-1" : "top-full mt-1",
          )}
        >
          {options.map((o, i) => (
            <li
              key={o.value}
              id={optionId(i)}
              role="option"
              aria-selected={i === selected}
              onMouseMove={() => setActive(i)}
              onClick={() => choose(i)}
              className={cn("relative flex cursor-pointer select-none items-center rounded py-1.5 pl-7 pr-2 text-sm text-slate-700", i === active && "bg-slate-100")}
            >
              {i === selected && <Check className="absolute left-2 h-4 w-4" aria-hidden />}
              {o.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});

/** The option a key highlights; the arrows only open a closed list, on the chosen option. */
function highlightAfter(key: string, from: number, opened: boolean, options: SelectOption[]): number | undefined {
  const step = opened ? 1 : 0;
  if (key === "ArrowDown") return Math.min(from + step, options.length - 1);
  if (key === "ArrowUp") return Math.max(from - step, 0);
  if (key === "Home") return 0;
  if (key === "End") return options.length - 1;
  if (key.length !== 1 || key === " ") return undefined;
  // A letter: the next option whose label starts with it.
  for (let n = 1; n <= options.length; n++) {
    const i = (from + n) % options.length;
    if (options[i]!.label.toLowerCase().startsWith(key.toLowerCase())) return i;
  }
  return undefined;
}
