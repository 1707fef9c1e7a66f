import { ChevronsUpDown, LogOut, MonitorX, UserCog } from "lucide-react";
import { Menu } from "@/components/ui/menu";
import { MenuLabel, MenuLink, MenuSeparator } from "@/components/ui/menu-items";
import { SignOutItems } from "./sign-out-items";

export function UserMenu({ name, email }: { name: string; email: string }) {
  return (
    <Menu
      side="top"
      trigger={
        <>
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
        </>
      }
    >
      <MenuLabel>{email}</MenuLabel>
      <MenuSeparator />
      <MenuLink href="/account">
        <UserCog className="h-4 w-4" aria-hidden /> Account settings
      </MenuLink>
      <SignOutItems everywhereIcon={<MonitorX className="h-4 w-4" aria-hidden />} signOutIcon={<LogOut className="h-4 w-4" aria-hidden />} />
    </Menu>
  );
}
