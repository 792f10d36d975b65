// JSON values: what kind they are, and how messages show them (as the Python package's
// report.show does).

export const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/** A short, unambiguous rendering of a JSON value for messages. */
export function show(value) {
  if (value === "") return "an empty string";
  if (Array.isArray(value)) return value.length ? "an array" : "an empty array";
  if (isObject(value)) return "an object";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 56)}..."` : text;
}
