import { randomInt } from "node:crypto";

/** A URL-safe team slug from a display name: `Acme Platform` → `acme-platform`. */
export function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/g, "");
  return base || "team";
}

export function withSuffix(slug: string): string {
  return `${slug}-${randomInt(36 ** 4).toString(36).padStart(4, "0")}`;
}
