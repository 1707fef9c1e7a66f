"use client";
import { lazy, Suspense, useState, type ReactNode } from "react";
import { MenuItem } from "@/components/ui/menu";

// Loaded when chosen, so every dashboard page does not ship the dialog and the form's code.
const CreateTeamDialog = lazy(() => import("./create-team-form").then((m) => ({ default: m.CreateTeamDialog })));

/** "Create team" in the team switcher; the dialog it opens outlives the menu, which closes. */
export function CreateTeamItem({ children }: { children: ReactNode }) {
  const [creating, setCreating] = useState(false);
  return (
    <>
      <MenuItem onSelect={() => setCreating(true)}>{children}</MenuItem>
      {creating && (
        <Suspense>
          <CreateTeamDialog onClose={() => setCreating(false)} />
        </Suspense>
      )}
    </>
  );
}
