import "server-only";
import { notFound } from "next/navigation";
import { SafeError } from "@/lib/errors";

/**
 * A page's read of one row, scoped to the team: the "not found" a service throws (no such row,
 * or another team's) renders the 404 page, as the actions answer "not found" for it.
 */
export async function orNotFound<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof SafeError && err.code === "not_found") notFound();
    throw err;
  }
}
