import type { TeamRole } from "@/db/schema";

/**
 * Who may do what to a registry. The actions' rules refuse with these sentences, and the pages
 * ask the same functions which buttons to offer and what to say instead. `null` means allowed.
 */

type Actor = { id: string };
/** Who added a registry, and whether they are still in its team (null: their account is gone). */
export type RegistryCreator = { name: string; inTeam: boolean } | null;

/** Edit, rotate, test an edit, apply to every environment: the creator, or a team owner or admin. */
export function updateRefusal(reg: { createdBy: string | null }, actor: Actor, role: TeamRole): string | null {
  if (reg.createdBy === actor.id || role === "owner" || role === "admin") return null;
  return "Only the registry's creator or a team owner or admin can change it";
}

/**
 * Only the creator deletes: they know what still pulls with it. Once they have left the team a
 * team owner may, or the registry could never go.
 */
export function deleteRefusal(reg: { createdBy: string | null; creator: RegistryCreator }, actor: Actor, role: TeamRole): string | null {
  if (reg.createdBy === actor.id) return null;
  if (reg.creator?.inTeam) {
    return `Only ${reg.creator.name}, who added this registry, can delete it. Ask them; if they leave the team, a team owner can.`;
  }
  if (role === "owner") return null;
  return `${reg.creator?.name ?? "The person who added this registry"} is no longer in the team, so only a team owner can delete it. Ask an owner.`;
}
