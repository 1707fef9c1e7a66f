import { z } from "zod";
import { registryIdField } from "@/lib/registries/schemas";
import { environmentIdField } from "@/lib/environments/schemas";
import { parseImage } from "@/lib/registries/image-ref";
import { storableText } from "@/lib/validation/text";

/** The container form and the actions share these schemas. */

export const containerIdField = z.string().regex(/^ctr-[a-z0-9]{12}$/, "Not a container id");
export const deploymentIdField = z.string().regex(/^dep-[a-z0-9]{12}$/, "Not a deployment id");

const containerName = z
  .string()
  .min(1, "Enter a name")
  .max(63, "At most 63 characters")
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "Lower-case letters, digits and dashes, starting and ending with a letter or digit");

export const replicasField = z.number({ message: "Enter a number" }).int("Whole numbers only").min(0, "At least 0").max(50, "At most 50 replicas");

const imageFields = {
  /** Empty: public image, no credentials. */
  registryId: z.union([registryIdField, z.literal("")]).default(""),
  imageName: storableText().max(512, "At most 512 characters"),
  imageTag: storableText().max(200, "At most 200 characters"),
  replicas: replicasField.default(1),
  port: z.number({ message: "Enter a port number" }).int("Whole numbers only").min(1, "1-65535").max(65535, "1-65535").nullable().default(null),
};

function checkImage(v: { imageName: string; imageTag: string }, ctx: z.RefinementCtx) {
  const parsed = parseImage(v.imageName, v.imageTag);
  if (!parsed.ok) ctx.addIssue({ code: "custom", path: [parsed.field], message: parsed.message });
}

export const containerInputSchema = z
  .strictObject({ environmentId: environmentIdField, name: containerName, ...imageFields })
  .superRefine(checkImage);
export type ContainerInput = z.input<typeof containerInputSchema>;
export type ContainerValues = z.output<typeof containerInputSchema>;

export const updateContainerSchema = z.strictObject({ containerId: containerIdField, ...imageFields }).superRefine(checkImage);
export type UpdateContainerInput = z.input<typeof updateContainerSchema>;

export const containerRefSchema = z.strictObject({ containerId: containerIdField });
export const scaleContainerSchema = z.strictObject({ containerId: containerIdField, replicas: replicasField });
export const deploymentRefSchema = z.strictObject({ deploymentId: deploymentIdField });
