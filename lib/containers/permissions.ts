import type { TeamRole } from "@/db/schema";

/**
 * Who may do what to a container, for the actions' rules and the pages alike (`null`: allowed).
 * Any member adds, changes, previews and deploys containers: deploying is what the team is for.
 */

/** Deleting removes the workload from the orchestrator: its creator, or a team owner or admin. */
export function deleteContainerRefusal(row: { createdBy: string | null }, actor: { id: string }, role: TeamRole): string | null {
  if (row.createdBy === actor.id || role !== "member") return null;
  return "Only the person who added this container or a team owner or admin can delete it";
}
