import "server-only";
import { z } from "zod";
import { teamAction, throwIfRefused } from "@/lib/actions/safe-action";
import { environmentIdField } from "@/lib/environments/schemas";
import { loadEnvironment } from "@/lib/environments/service";
import { deploymentProgress, startDeployment } from "./deployments";
import { containerInputSchema, containerRefSchema, deploymentRefSchema, scaleContainerSchema, updateContainerSchema } from "./schemas";
import { deleteContainerRefusal } from "./permissions";
import { createContainer, deleteContainer, listContainers, loadContainer, previewContainer, updateContainer } from "./service";

/**
 * Any member may add, change, preview and deploy containers (deploying is the point of the
 * team); deleting one, which removes its workload, is for its creator or an owner/admin.
 * Deploy, scale and restart return the deployment's id at once; the run goes on in the
 * background and `progress` reads its steps.
 */
export const containerActions = {
  create: teamAction({
    name: "container.create",
    schema: containerInputSchema,
    body: ({ team, user, input }) => createContainer(team, user, input),
  }),
  update: teamAction({
    name: "container.update",
    schema: updateContainerSchema,
    body: ({ team, user, input }) => updateContainer(team, user, input),
  }),
  delete: teamAction({
    name: "container.delete",
    schema: containerRefSchema,
    load: ({ team, input }) => loadContainer(team.id, input.containerId),
    rule: ({ row, user, role }) => throwIfRefused(deleteContainerRefusal(row, user, role)),
    body: ({ team, user, row }) => deleteContainer(team, user, row),
  }),
  preview: teamAction({
    name: "container.preview",
    schema: containerRefSchema,
    body: ({ team, input }) => previewContainer(team, input.containerId),
  }),
  deploy: teamAction({
    name: "container.deploy",
    schema: containerRefSchema,
    body: ({ team, user, input }) => startDeployment(team, user, { containerId: input.containerId, action: "deploy" }),
  }),
  scale: teamAction({
    name: "container.scale",
    schema: scaleContainerSchema,
    body: ({ team, user, input }) => startDeployment(team, user, { containerId: input.containerId, action: "scale", replicas: input.replicas }),
  }),
  restart: teamAction({
    name: "container.restart",
    schema: containerRefSchema,
    body: ({ team, user, input }) => startDeployment(team, user, { containerId: input.containerId, action: "restart" }),
  }),
  list: teamAction({
    name: "container.list",
    schema: z.strictObject({ environmentId: environmentIdField }),
    // Another team's environment is "not found", not an empty list.
    load: ({ team, input }) => loadEnvironment(team.id, input.environmentId),
    body: ({ team, input }) => listContainers(team.id, input.environmentId),
  }),
  progress: teamAction({
    name: "container.progress",
    schema: deploymentRefSchema,
    body: ({ team, input }) => deploymentProgress(team.id, input.deploymentId),
  }),
};
