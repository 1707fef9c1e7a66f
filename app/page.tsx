import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth/session";
import { listTeamsOf } from "@/lib/teams/service";

export default async function Home() {
  const user = await requireUser();
  const [first] = await listTeamsOf(user.id);
  // Every user has a personal team from sign-up; one who left all teams starts a new one.
  redirect(first ? `/t/${first.slug}/settings/registries` : "/teams/new");
}
