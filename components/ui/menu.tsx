"use client";
import type { ComponentProps, ReactNode } from "react";
import { DropdownMenu } from "radix-ui";
import { cn } from "@/lib/cn";

/**
 * Not modal, as a menu button's menu is: a modal one hides the page with aria-hidden while its
 * links can still take focus. Escape, a click outside or a choice closes it either way.
 */
export function Menu(props: Omit<ComponentProps<typeof DropdownMenu.Root>, "modal">) {
  return <DropdownMenu.Root modal={false} {...props} />;
}
export const MenuTrigger = DropdownMenu.Trigger;

export function MenuContent({ children, className, ...props }: ComponentProps<typeof DropdownMenu.Content>) {
  return (
    <DropdownMenu.Portal>
      <DropdownMenu.Content
        sideOffset={6}
        className={cn("z-50 min-w-52 rounded-md border border-slate-200 bg-white p-1 shadow-lg", className)}
        {...props}
      >
        {children}
      </DropdownMenu.Content>
    </DropdownMenu.Portal>
  );
}

export function MenuItem({ className, ...props }: ComponentProps<typeof DropdownMenu.Item>) {
  return (
    <DropdownMenu.Item
      className={cn(
        "flex cursor-pointer select-none items-center gap-2 rounded px-2 py-1.5 text-sm text-slate-700 outline-none",
        "data-[highlighted]:bg-slate-100 data-[highlighted]:text-slate-900",
        className,
      )}
      {...props}
    />
  );
}

export function MenuLabel({ children }: { children: ReactNode }) {
  return <DropdownMenu.Label className="px-2 py-1.5 text-xs font-medium text-slate-600">{children}</DropdownMenu.Label>;
}

export function MenuSeparator() {
  return <DropdownMenu.Separator className="my-1 h-px bg-slate-100" />;
}
