/** The SQLSTATE of a database error; postgres.js and PGlite carry it in `code`, drizzle may wrap it in `cause`. */
function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  if (typeof e?.code === "string") return e.code;
  if (typeof e?.cause?.code === "string") return e.cause.code;
  return undefined;
}

export const isUniqueViolation = (err: unknown) => sqlState(err) === "23505";
export const isForeignKeyViolation = (err: unknown) => sqlState(err) === "23503";

/** The violated constraint's name (postgres.js: `constraint_name`, PGlite: `constraint`). */
export function constraintOf(err: unknown): string | undefined {
  for (const e of [err, (err as { cause?: unknown })?.cause] as { constraint_name?: unknown; constraint?: unknown }[]) {
    const name = e?.constraint_name ?? e?.constraint;
    if (typeof name === "string") return name;
  }
  return undefined;
}
