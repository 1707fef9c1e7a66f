import type { TeamRole } from "@/db/schema";

/**
 * Who may do what to environments, for the actions' rules and the pages alike (`null`: allowed).
 * An environment holds cluster credentials, so only owners and admins add, change or delete one;
 * any member sees them, tests them and deploys to them.
 */
export function manageEnvironmentsRefusal(role: TeamRole, what: string): string | null {
  return role === "owner" || role === "admin" ? null : `Only a team owner or admin can ${what}`;
}
