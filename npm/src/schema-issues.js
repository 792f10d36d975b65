// ajv's errors as protocol issues: each error gets the rule id of the x-rule annotation
// beside its failing keyword, else the keyword's generic rule of keywords-v1.json. Used by
// validate() and by the conformance suite's Node.js runner, so both map errors alike.

const escape = (key) => key.replaceAll("~", "~0").replaceAll("/", "~1");

/** The generic rule id of each schema keyword, from the keyword table (schemas/keywords-v1.json). */
export function genericRules(table) {
  return new Map(Object.entries(table.keywords).flatMap(([keyword, entry]) => (entry.rule ? [[keyword, entry.rule]] : [])));
}

/**
 * One issue {rule, pointer, message} per failing keyword that a rule covers. ajv must run
 * with `verbose: true` (the annotations are read from each error's parentSchema).
 * Applicators such as "if" restate their branch's errors and have no rule of their own.
 */
export function mappedErrors(errors, byKeyword) {
  const mapped = [];
  for (const error of errors ?? []) {
    // Inside propertyNames ajv reports the subschema's failure (with error.propertyName) and then
    // propertyNames itself, which names the member: that one is the issue.
    if (error.propertyName !== undefined && error.keyword !== "propertyNames") continue;
    const rule = error.parentSchema?.["x-rule"]?.[error.keyword] ?? byKeyword.get(error.keyword);
    if (rule === undefined) continue;
    const member = error.params.missingProperty ?? error.params.additionalProperty ?? error.params.propertyName;
    const pointer = member === undefined ? error.instancePath : `${error.instancePath}/${escape(member)}`;
    mapped.push({ rule, pointer, error });
  }
  return mapped;
}

/**
 * The issues a user should see. When a value fails an `anyOf` (a nullable section, say),
 * the one branch meant for it explains why: a branch failing only on the value's own type
 * was not meant. With exactly one meant branch its errors replace the anyOf's; otherwise
 * one type error names every type allowed. ajv lists a branch's errors just before the
 * anyOf's own, inline branches under the anyOf's schema path, a `$ref` branch's under the
 * referenced schema's.
 */
export function schemaIssues(errors, byKeyword) {
  const mapped = mappedErrors(errors, byKeyword);
  const dropped = new Set();
  mapped.forEach((union, position) => {
    if (union.error.keyword !== "anyOf") return;
    const { instancePath: at, schemaPath, parentSchema } = union.error;
    const within = (item) => item.error.instancePath === at || item.error.instancePath.startsWith(`${at}/`);
    let start = position;
    while (start > 0 && within(mapped[start - 1])) start -= 1;
    const refBranch = parentSchema.anyOf.findIndex((branch) => "$ref" in branch);
    const branches = new Map();
    for (const item of mapped.slice(start, position)) {
      const inline = item.error.schemaPath.startsWith(`${schemaPath}/`);
      const branch = inline ? Number(item.error.schemaPath.slice(schemaPath.length + 1).split("/")[0]) : refBranch;
      branches.set(branch, [...(branches.get(branch) ?? []), item]);
    }
    const typeMismatchHere = (item) => item.error.keyword === "type" && item.error.instancePath === at;
    const meant = [...branches.values()].filter((items) => !items.every(typeMismatchHere));
    for (const items of branches.values()) if (items !== meant[0] || meant.length !== 1) items.forEach((item) => dropped.add(item));
    if (meant.length === 1) dropped.add(union);
    else {
      const allowed = [...branches.values()].flat().filter(typeMismatchHere).flatMap(({ error }) => String(error.params.type).split(","));
      union.message = allowed.length ? `must be ${[...new Set(allowed)].join(" or ")}` : union.error.message;
    }
  });
  return mapped
    .filter((item) => !dropped.has(item))
    .map(({ rule, pointer, error, message }) => ({ rule, pointer, message: message ?? error.message, error }));
}
