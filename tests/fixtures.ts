import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { signUp } from "@/lib/auth/accounts";
import { teamActions } from "@/lib/teams/actions";
import { containerActions } from "@/lib/containers/actions";
import type { Session } from "@/lib/actions/safe-action";

export const PASSWORD = "correct horse battery";

/** A fresh user with their personal team, unique per call so test files never collide. */
export async function newUser(label = "user") {
  const tag = randomBytes(5).toString("hex");
  const { user, team } = await signUp({ name: `${label} ${tag}`, email: `${label}-${tag}@example.test`, password: PASSWORD });
  const session: Session = { userId: user.id };
  return { user, team, session };
}

/** A team (the owner's personal one) with an owner, an admin and a member, and an outsider with a team of their own. */
export async function roleTeam() {
  const owner = await newUser("owner");
  const admin = await newUser("admin");
  const member = await newUser("member");
  const outsider = await newUser("outsider");
  const teamSlug = owner.team.slug;
  for (const [who, role] of [[admin, "admin"], [member, "member"]] as const) {
    expect(await teamActions.addMember(owner.session, { teamSlug, email: who.user.email, role })).toMatchObject({ ok: true });
  }
  return { owner, admin, member, outsider, teamSlug, teamId: owner.team.id };
}

/** A team with an owner, an admin, two members (one creates registries) and an outsider. */
export async function registryTeam() {
  const owner = await newUser("owner");
  const admin = await newUser("admin");
  const creator = await newUser("creator");
  const member = await newUser("member");
  const outsider = await newUser("outsider");
  const teamSlug = owner.team.slug;
  for (const [who, role] of [[admin, "admin"], [creator, "member"], [member, "member"]] as const) {
    expect(await teamActions.addMember(owner.session, { teamSlug, email: who.user.email, role })).toMatchObject({ ok: true });
  }
  return { owner, admin, creator, member, outsider, teamSlug, teamId: owner.team.id };
}

/** A container of a public image (nginx:1.27) in an environment; its id. */
export async function publicContainer(owner: { session: Session; team: { slug: string } }, environmentId: string, name = "web") {
  const ctr = await containerActions.create(owner.session, { teamSlug: owner.team.slug, environmentId, name, registryId: "", imageName: "nginx", imageTag: "1.27", replicas: 1, port: null });
  if (!ctr.ok) throw new Error(JSON.stringify(ctr));
  return ctr.data.containerId;
}
