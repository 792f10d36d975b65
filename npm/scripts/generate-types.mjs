// Writes types/index.d.ts from schemas/: a type for every class (a `$defs` entry with a
// `title`) of every document and payload schema listed in schemas/index.json.
// `--check` compares instead and exits 1 on any difference.
//
// The types are for people writing documents, so they are closed: a class declares its
// properties and extension keys (`example.com/cost-code`, spec section 11) and nothing else,
// and the compiler rejects a misspelt field. Reading documents that may carry unknown
// fields is validate()'s job (its input is `unknown`).
//
// The emitter is written here rather than delegated to json-schema-to-typescript, which
// gives every object a `[k: string]: unknown` and cannot express a template-literal key,
// a generic type or a union selected by a member's value (the `if`/`then` dispatches).
// The schemas use a small vocabulary (schemas/keywords-v1.json); a keyword this file does
// not know fails the run rather than being silently typed too loosely.

import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const schemasDir = join(here, "..", "..", "schemas");
const typesDir = join(here, "..", "types");
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

const index = readJson(join(schemasDir, "index.json"));
const entries = { ...index.documents, ...index.payloads, ...index.definitions };
const schemas = new Map(Object.values(entries).map((e) => [e.id, readJson(join(schemasDir, e.file))]));
const COMMON = index.definitions.common.id;

// Keywords that assert or annotate what TypeScript cannot say (bounds, patterns, formats):
// validate() checks them. Every other keyword is handled below or stops the run.
const UNTYPED = new Set([
  "$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "deprecated",
  "x-rule", "pattern", "format", "minLength", "maxLength", "minimum", "maximum", "maxItems", "not",
]);
const TYPED = new Set(["$ref", "type", "const", "enum", "anyOf", "items", "minItems", "additionalProperties"]);
const CLASS = new Set([...TYPED, "properties", "required", "allOf"]);

function checkKeywords(node, allowed, where) {
  for (const key of Object.keys(node)) {
    if (!allowed.has(key) && !UNTYPED.has(key)) throw new Error(`${where}: no TypeScript for keyword "${key}"`);
  }
}

function resolve(ref, base) {
  const url = new URL(ref, base);
  const pointer = decodeURIComponent(url.hash.slice(1));
  url.hash = "";
  let node = schemas.get(url.href);
  if (node === undefined) throw new Error(`unresolvable reference ${ref} from ${base}`);
  for (const part of pointer.split("/").slice(1)) node = node[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  if (node === undefined) throw new Error(`unresolvable reference ${ref} from ${base}`);
  return { node, base: url.href, pointer, where: `${url.href}#${pointer}` };
}

// ---- type expressions ------------------------------------------------------------------

const literal = (value) => JSON.stringify(value);
const union = (types) => [...new Set(types)].join(" | ");
const grouped = (type) => (type.includes(" | ") ? `(${type})` : type);
const FREE_OBJECT = "{ [key: string]: unknown }";

// Untitled definitions (JobId, ImageFormat...) are inlined; titled ones are named classes.
// `context.generic` is set when the expression mentions the job's payload type parameter.
function typeOf(node, base, where, context) {
  checkKeywords(node, TYPED, where);
  if (node.$ref !== undefined) {
    // A sibling that narrows the reference would be lost: say so rather than type it loosely.
    for (const narrowing of ["const", "enum", "anyOf"]) if (narrowing in node) throw new Error(`${where}: $ref beside ${narrowing}`);
    const target = resolve(node.$ref, base);
    // A class is a titled $defs entry; a file's root (titled too) is a reference to its class.
    const isClass = target.node.title !== undefined && target.pointer.startsWith("/$defs/");
    if (!isClass) return typeOf(target.node, target.base, target.where, context);
    if (target.node.title === PAYLOAD) {
      context.generic = true; // the envelope passes its payload type on (Job<T>)
      return `${PAYLOAD}<T>`;
    }
    return target.node.title;
  }
  if ("const" in node) return literal(node.const);
  if (node.enum !== undefined) return union(node.enum.map(literal));
  if (node.anyOf !== undefined) return union(node.anyOf.map((branch, i) => typeOf(branch, base, `${where}/anyOf/${i}`, context)));
  if (node.type === undefined) return "unknown"; // any JSON value, e.g. a result's `data`
  return union([node.type].flat().map((type) => primitive(type, node, base, where, context)));
}

function primitive(type, node, base, where, context) {
  switch (type) {
    case "string":
    case "boolean":
    case "null":
      return type;
    case "integer":
    case "number":
      return "number";
    case "array": {
      const item = typeOf(node.items ?? {}, base, `${where}/items`, context);
      // minItems: 1 as a tuple with a first element, so an empty list does not compile.
      const first = Array(node.minItems ?? 0).fill(item);
      return first.length ? `[${[...first, `...${grouped(item)}[]`].join(", ")}]` : `${grouped(item)}[]`;
    }
    case "object":
      // Only maps and free-form objects are inline; an object with properties is a class.
      if (node.properties !== undefined) throw new Error(`${where}: an object with properties needs a titled $defs entry`);
      if (typeof node.additionalProperties === "object") {
        return `{ [key: string]: ${typeOf(node.additionalProperties, base, `${where}/additionalProperties`, context)} }`;
      }
      return FREE_OBJECT;
    default:
      throw new Error(`${where}: unknown type ${type}`);
  }
}

// ---- declarations ----------------------------------------------------------------------

function doc(node, indent = "", notes = []) {
  const lines = [];
  if (node.description) lines.push(...node.description.split("\n"));
  lines.push(...notes);
  if ("default" in node) lines.push(`@default ${literal(node.default)}`);
  if (!lines.length) return "";
  const body = lines.map((line) => `${indent} * ${line.replaceAll("*/", "*\\/")}`.trimEnd()).join("\n");
  return `${indent}/**\n${body}\n${indent} */\n`;
}

const key = (name) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : literal(name));

// One member per property, `?` unless required; `overrides` retypes some (a dispatch's members).
function members(node, base, where, context, overrides = {}) {
  const required = new Set(node.required ?? []);
  for (const name of required) if (!(name in (node.properties ?? {}))) throw new Error(`${where}: required ${name} has no schema`);
  return Object.entries(node.properties ?? {})
    .map(([name, property]) => {
      const type = overrides[name] ?? typeOf(property, base, `${where}/properties/${name}`, context);
      return `${doc(property, "  ")}  ${key(name)}${required.has(name) ? "" : "?"}: ${type};\n`;
    })
    .join("");
}

// Every class takes extension keys; an interface that extends a class inherits them.
const EXTENSIONS = "  [key: ExtensionKey]: unknown;\n";

// A class's `allOf` holds three kinds of entry: a `$ref` to a class it extends; an
// `if`/`then` whose `then` gives a member its schema for one value of another member
// (a dispatch, typed as a union); and an `if`/`then` whose `then` requires members for
// some values (a result's status fields), left to validate(): a union there would stop
// JobResult from being an interface that others extend.
function partsOf(node, base, where) {
  const parts = { bases: [], dispatch: [] };
  for (const [i, entry] of (node.allOf ?? []).entries()) {
    if (entry.$ref !== undefined) {
      const title = resolve(entry.$ref, base).node.title;
      if (title === undefined) throw new Error(`${where}/allOf/${i}: a base must be a class`);
      parts.bases.push(title);
    } else if (entry.then?.properties !== undefined && entry.then.required === undefined) {
      const [selector] = entry.if.required;
      const selected = Object.entries(entry.then.properties);
      if (selected.length !== 1) throw new Error(`${where}/allOf/${i}: a dispatch gives one member its schema`);
      const [[member, schema]] = selected;
      parts.dispatch.push({ selector, value: entry.if.properties[selector].const, member, schema });
    } else if (entry.then?.required === undefined) {
      throw new Error(`${where}/allOf/${i}: neither a base class, a dispatch nor a conditional requirement`);
    }
  }
  for (const branch of parts.dispatch) {
    const first = parts.dispatch[0];
    if (branch.selector !== first.selector || branch.member !== first.member || branch.value === undefined) {
      throw new Error(`${where}: a dispatch selects one member by the const value of one other member`);
    }
  }
  return parts;
}

function declareClass(name, node, base, where) {
  checkKeywords(node, CLASS, where);
  // An open class (`additionalProperties: {}`, members its schema does not list, such as a fix
  // plan operation's per-type ones) takes any member; other extra-member schemas, none.
  const open = isEmptySchema(node.additionalProperties);
  if (node.additionalProperties !== undefined && node.additionalProperties !== false && !open) {
    throw new Error(`${where}: a class with additionalProperties other than {}`);
  }
  const { bases, dispatch } = partsOf(node, base, where);
  if (dispatch.length) return declareDispatch(name, node, base, where, dispatch);
  const context = { generic: false };
  const body = members(node, base, where, context);
  const parameters = context.generic ? `<T extends string = Registered${PAYLOAD}Type>` : "";
  const heritage = bases.length ? ` extends ${bases.join(", ")}` : "";
  const notes = context.generic ? [PAYLOAD_PARAMETER] : [];
  const rest = open ? "  [member: string]: unknown;\n" : bases.length ? "" : EXTENSIONS;
  return `${doc(node, "", notes)}export interface ${name}${parameters}${heritage} {\n${body}${rest}}\n`;
}

function isEmptySchema(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0;
}

// A class whose member `member` is selected by member `selector` becomes a generic
// interface `<Name>Of<T, M>` and a union of its instances, one per selector value, so the
// compiler checks `member` against the schema its selector value picks.
function declareDispatch(name, node, base, where, dispatch) {
  const { selector, member } = dispatch[0];
  const context = { generic: false };
  const selectorType = typeOf(node.properties[selector], base, `${where}/properties/${selector}`, context);
  const body = members(node, base, where, context, { [selector]: "T", [member]: "M" });
  const shape = { description: `What every \`${name}\` has in common: \`${selector}\` is T and \`${member}\` is of type M.` };
  const generic = `${doc(shape)}export interface ${name}Of<T extends ${selectorType}, M> {\n${body}${EXTENSIONS}}\n\n`;
  const branchType = (d) => typeOf(d.schema, base, `${where}/allOf`, context);
  if (name === PAYLOAD) return generic + declarePayloadUnion(dispatch, branchType, node, base, where);
  // A closed set of selector values: one instance each (a value without a branch keeps the
  // member's own schema).
  const values = resolveEnum(node.properties[selector], base);
  const own = typeOf(node.properties[member], base, where, context);
  const instances = values.map((value) => {
    const branch = dispatch.find((d) => d.value === value);
    return `  | ${name}Of<${literal(value)}, ${branch ? branchType(branch) : own}>\n`;
  });
  return `${generic}${doc(node)}export type ${name} =\n${instances.join("").trimEnd()};\n`;
}

function resolveEnum(node, base) {
  const target = node.$ref === undefined ? { node, base } : resolve(node.$ref, base);
  if (target.node.enum === undefined) throw new Error(`${base}: a dispatch selector must be a closed set or the payload type`);
  return target.node.enum;
}

// The payload type is an open set: schemas/index.json registers some, each with the schema
// of its `data`; any other well-formed type is valid with any object as data (validators
// warn, spec section 4). No TypeScript type means "a string other than these", so an
// unregistered type cannot sit in the same union without letting a registered type's data
// go unchecked. `Payload` (and `Job`) therefore take the payload type as a parameter whose
// default is the registered types: `Job` is checked against the registry, and
// `Job<"example.backup.v1">` is a job of an unregistered type.
const PAYLOAD = "Payload";
const PAYLOAD_PARAMETER =
  "@typeParam T - The payload type: by default every registered one, each with its data's type; " +
  'name an unregistered one to write it (`Job<"example.backup.v1">`: its data is any object).';

function declarePayloadUnion(dispatch, branchType, node, base, where) {
  const registered = Object.keys(index.payloads);
  const dispatched = dispatch.map((d) => d.value);
  if (literal(registered) !== literal(dispatched)) {
    throw new Error(`${where}: the dispatch branches (${dispatched}) differ from index.json's payloads (${registered})`);
  }
  const context = { generic: false };
  const unregistered = typeOf(node.properties.data, base, where, context);
  const map = dispatch.map((d) => `  ${literal(d.value)}: ${branchType(d)};\n`).join("");
  return [
    `/**\n * Every payload type registered in schemas/index.json, and the type of its \`data\`.\n */\n`,
    `export interface RegisteredPayloads {\n${map}}\n\n`,
    `export type RegisteredPayloadType = keyof RegisteredPayloads;\n\n`,
    `/**\n * The \`data\` of a payload type with no registered schema: any object, accepted unchecked (validators warn: job.payload-type.unregistered).\n */\n`,
    `export type UnregisteredPayloadData = ${unregistered};\n\n`,
    doc(node, "", [PAYLOAD_PARAMETER]),
    `export type Payload<T extends string = RegisteredPayloadType> = T extends RegisteredPayloadType\n`,
    `  ? PayloadOf<T, RegisteredPayloads[T]>\n  : PayloadOf<T, UnregisteredPayloadData>;\n`,
  ].join("");
}

// ---- the file --------------------------------------------------------------------------

function extensionKey() {
  const { description, pattern } = schemas.get(COMMON).$defs.ExtensionKey;
  // `${string}.${string}/${string}` is the nearest a template literal gets to the pattern;
  // it is what lets `"example.com/cost-code": ...` through and stops `metdata` at the compiler.
  const note = `${description} Pattern: \`${pattern}\`; the type is its nearest template literal.`;
  return `${doc({ description: note })}export type ExtensionKey = \`\${string}.\${string}/\${string}\`;\n`;
}

const declarations = [extensionKey()];
const declared = new Set();
// Index order: documents, payloads, then the shared definitions; within a file, $defs order.
for (const entry of Object.values(entries)) {
  for (const [defName, node] of Object.entries(schemas.get(entry.id).$defs ?? {})) {
    if (node.title === undefined) continue;
    if (declared.has(node.title)) throw new Error(`two classes are called ${node.title}`);
    declared.add(node.title);
    declarations.push(declareClass(node.title, node, entry.id, `${entry.file}#/$defs/${defName}`));
  }
}

const banner = "/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */\n";
const text = [banner, ...declarations].join("\n");
const target = join(typesDir, "index.d.ts");
if (process.argv.includes("--check")) {
  const current = readdirSync(typesDir);
  let stale = current.length !== 1 || current[0] !== "index.d.ts";
  if (!stale) stale = readFileSync(target, "utf8") !== text;
  if (stale) {
    console.error("TypeScript types drifted from schemas/: run make gen");
    process.exit(1);
  }
} else {
  mkdirSync(typesDir, { recursive: true });
  for (const file of readdirSync(typesDir)) if (file !== "index.d.ts") rmSync(join(typesDir, file));
  writeFileSync(target, text);
}
