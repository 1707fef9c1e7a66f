"use client";
import { useTransition } from "react";
import Link from "next/link";
import { toast } from "sonner";
import { ChevronsUpDown, LogOut, MonitorX, UserCog } from "lucide-react";
import { signOutAction, signOutEverywhereAction } from "@/app/(auth)/actions";
import { Menu, MenuContent, MenuItem, MenuLabel, MenuSeparator, MenuTrigger } from "@/components/ui/menu";

export function UserMenu({ name, email }: { name: string; email: string }) {
  const [pending, startTransition] = useTransition();
  const signOutEverywhere = () =>
    startTransition(async () => {
      // On success the action redirects to sign-in; a result means it did not happen.
      const result = await signOutEverywhereAction();
      if (!result.ok) toast.error(result.error);
    });
  return (
    <Menu>
      <MenuTrigger className="flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left hover:bg-slate-50">
        {/* The accessible name is the visible text, after what the button is. */}
        <span className="sr-only">Account menu: </span>
        <span className="flex h-7 w-7 items-center justify-center rounded-full bg-slate-900 text-xs font-semibold text-white" aria-hidden>
          {name.slice(0, 1).toUpperCase()}
        </span>
        <span className="min-w-0 flex-1">
          <span className="block truncate text-sm font-medium">{name}</span>
          <span className="block truncate text-xs text-slate-600">{email}</span>
        </span>
        <ChevronsUpDown className="h-4 w-4 text-slate-500" aria-hidden />
      </MenuTrigger>
      <MenuContent align="start" side="top">
        <MenuLabel>{email}</MenuLabel>
        <MenuSeparator />
        <MenuItem asChild>
          <Link href="/account">
            <UserCog className="h-4 w-4" aria-hidden /> Account settings
          </Link>
        </MenuItem>
        <MenuItem disabled={pending} onSelect={signOutEverywhere}>
          <MonitorX className="h-4 w-4" aria-hidden /> Sign out everywhere
        </MenuItem>
        <MenuItem disabled={pending} onSelect={() => startTransition(() => signOutAction())}>
          <LogOut className="h-4 w-4" aria-hidden /> Sign out
        </MenuItem>
      </MenuContent>
    </Menu>
  );
}
