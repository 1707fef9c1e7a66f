import { z } from "zod";
import { emailField, invitationTokenField } from "@/lib/auth/schemas";
import { storableText } from "@/lib/validation/text";

export const ROLES = ["owner", "admin", "member"] as const;
export const roleField = z.enum(ROLES, { message: "Choose owner, admin or member" });

const teamName = storableText().trim().min(1, "Enter a team name").max(60, "Team name must be at most 60 characters");
const userIdField = storableText().min(1).max(64);

export const createTeamSchema = z.strictObject({ name: teamName });
export const renameTeamSchema = z.strictObject({ name: teamName });
export const deleteTeamSchema = z.strictObject({});
export const addMemberSchema = z.strictObject({ email: emailField, role: roleField });
export const changeRoleSchema = z.strictObject({ userId: userIdField, role: roleField });
export const removeMemberSchema = z.strictObject({ userId: userIdField });
export const revokeInvitationSchema = z.strictObject({ invitationId: z.string().regex(/^inv-[a-z0-9]{12}$/, "Not an invitation id") });
export const acceptInvitationSchema = z.strictObject({ token: invitationTokenField });
