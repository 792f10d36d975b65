// The date-time format as the reference engine asserts it (Python jsonschema with
// rfc3339-validator, on the upper-cased text): ajv-formats also accepts the year 0, which
// the reference rejects, and the leap second 23:59:60, which it does not know.

const RFC3339 = /^(\d{4})-(0[1-9]|1[0-2])-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isDateTime(text) {
  const match = RFC3339.exec(text.toUpperCase());
  if (match === null) return false;
  const [year, month, day] = match.slice(1, 4).map(Number);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return year !== 0 && day >= 1 && day <= DAYS[month - 1] + (month === 2 && leap ? 1 : 0);
}
