// The unknown-field lint, expressed in JSON Schema so ajv runs it in the same pass as
// the schema rules. A class is an object schema that declares `properties` and no
// `additionalProperties` (so not a map such as labels). Wherever a class is used, by
// `$ref` or inline, the use gets `unevaluatedProperties: false` with extension keys
// (`example.com/name`) exempt; a `$ref` inside `allOf` is a class extending another
// (InspectImage extends ImageReference) and is linted where the extending class is used,
// which sees the fields of both. Errors of that keyword are the lint's findings, which
// validate() reports as warnings (errors under strict mode).

export const UNKNOWN_FIELD_RULE = "document.unknown-field";
/** The annotation listing the fields a linted class declares (ajv must know the keyword). */
export const FIELDS_KEYWORD = "x-fields";

const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "dependentSchemas"]);
const SCHEMA_LISTS = new Set(["anyOf", "oneOf", "prefixItems"]);
const SCHEMAS = new Set(["items", "not", "if", "then", "else", "contains", "propertyNames", "additionalProperties"]);

const isClass = (node) =>
  node.type === "object" && typeof node.properties === "object" && !("additionalProperties" in node);

/** Every schema resource embedded in `bundle`, by absolute $id. */
function resourcesOf(node, base, found = new Map()) {
  if (node === null || typeof node !== "object") return found;
  const id = typeof node.$id === "string" ? new URL(node.$id, base).href : base;
  if (id !== base || found.size === 0) found.set(id, node);
  for (const value of Object.values(node)) resourcesOf(value, id, found);
  return found;
}

function resolve(ref, base, resources) {
  const url = new URL(ref, base);
  let node = resources.get(url.href.split("#")[0]);
  for (const part of decodeURIComponent(url.hash.slice(1)).split("/").slice(1)) {
    node = node?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  if (node === undefined) throw new Error(`unresolvable reference ${ref} from ${base}`);
  return node;
}

/** A copy of the single-file schema `bundle` in which every use of a class reports fields it does not declare. */
export function withUnknownFieldLint(bundle, extensionKeyPattern) {
  const resources = resourcesOf(bundle, bundle.$id);
  // `type` restates the class's own: ajv's strict mode wants it beside patternProperties.
  const lint = (node, fields) => ({
    ...node,
    type: "object",
    [FIELDS_KEYWORD]: fields,
    patternProperties: { ...node.patternProperties, [extensionKeyPattern]: true },
    unevaluatedProperties: false,
    "x-rule": { ...node["x-rule"], unevaluatedProperties: UNKNOWN_FIELD_RULE },
  });

  function derive(node, base, { isDefinition = false, isBase = false } = {}) {
    if (node === null || typeof node !== "object") return node;
    const here = typeof node.$id === "string" ? new URL(node.$id, base).href : base;
    const copy = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "$defs") {
        copy[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, derive(sub, here, { isDefinition: true })]));
      } else if (SCHEMA_MAPS.has(key)) {
        copy[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, derive(sub, here)]));
      } else if (key === "allOf") {
        copy[key] = value.map((sub) => derive(sub, here, { isBase: isClass(node) }));
      } else if (SCHEMA_LISTS.has(key)) {
        copy[key] = value.map((sub) => derive(sub, here));
      } else if (SCHEMAS.has(key)) {
        copy[key] = derive(value, here);
      } else {
        copy[key] = value;
      }
    }
    const used = typeof node.$ref === "string" ? resolve(node.$ref, here, resources) : undefined;
    if (used !== undefined && isClass(used) && !isBase) return lint(copy, declaredFields(used, here));
    if (isClass(node) && !isDefinition) return lint(copy, declaredFields(node, here));
    return copy;
  }

  // The fields a class declares, its bases' included: the "did you mean" candidates.
  function declaredFields(node, base) {
    const bases = (node.allOf ?? []).filter((sub) => typeof sub.$ref === "string");
    const inherited = bases.flatMap((sub) => declaredFields(resolve(sub.$ref, base, resources), base));
    return [...new Set([...inherited, ...Object.keys(node.properties ?? {})])];
  }
  return derive(bundle, bundle.$id);
}

/**
 * Whether an error of the lint is an echo of another failure: JSON Schema drops what a
 * failing subschema evaluated, so a class with any error reports its declared fields as
 * unevaluated too. Only fields the class does not declare are the lint's findings.
 */
export function isLintEcho(error) {
  return error.keyword === "unevaluatedProperties" && error.parentSchema[FIELDS_KEYWORD].includes(error.params.unevaluatedProperty);
}

/** The declared field closest to an unknown one, if one is close enough to be a typo. */
export function closestField(unknown, declared) {
  let best;
  let bestDistance = Math.max(1, Math.floor(unknown.length / 4)) + 1;
  for (const name of declared) {
    const distance = editDistance(unknown.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
function editDistance(a, b) {
  const rows = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i += 1) {
    rows[i] = [i];
    for (let j = 1; j <= b.length; j += 1) {
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
