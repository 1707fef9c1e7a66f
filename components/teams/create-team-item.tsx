"use client";
import { createContext, lazy, Suspense, useContext, useState, type ReactNode } from "react";
import { MenuItem } from "@/components/ui/menu";

// Loaded when chosen, so every dashboard page does not ship the dialog and the form's code.
const CreateTeamDialog = lazy(() => import("./create-team-form").then((m) => ({ default: m.CreateTeamDialog })));

const OpenCreateTeam = createContext(() => {});

/**
 * Holds the Create team dialog of the team switcher. The dialog lives here, beside the menu, not
 * in it: the menu's items unmount as it closes, and React would pass the dialog's keys and clicks
 * up to the menu.
 */
export function CreateTeam({ children }: { children: ReactNode }) {
  const [creating, setCreating] = useState(false);
  return (
    <OpenCreateTeam.Provider value={() => setCreating(true)}>
      {children}
      {creating && (
        <Suspense>
          <CreateTeamDialog onClose={() => setCreating(false)} />
        </Suspense>
      )}
    </OpenCreateTeam.Provider>
  );
}

/** "Create team" in the team switcher, inside <CreateTeam>. */
export function CreateTeamItem({ children }: { children: ReactNode }) {
  return <MenuItem onSelect={useContext(OpenCreateTeam)}>{children}</MenuItem>;
}
