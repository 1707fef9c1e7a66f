import { z } from "zod";
import { emailField } from "@/lib/auth/schemas";
import { storableText } from "@/lib/validation/text";

export const ROLES = ["owner", "admin", "member"] as const;
export const roleField = z.enum(ROLES, { message: "Choose owner, admin or member" });

export const createTeamSchema = z.strictObject({
  name: storableText().trim().min(1, "Enter a team name").max(60, "Team name must be at most 60 characters"),
});
export const addMemberSchema = z.strictObject({ email: emailField, role: roleField });
export const changeRoleSchema = z.strictObject({ userId: storableText().min(1).max(64), role: roleField });
export const removeMemberSchema = z.strictObject({ userId: storableText().min(1).max(64) });
