// Copies the canonical schemas/ and the generated bundles/ of the repository into this
// package folder, where validate() reads them and `npm pack` picks them up. npm runs it
// before packing (prepack); make runs it before the Node.js tests. The copies are not
// committed: the repository's schemas/ stays the one source.

import { cpSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
for (const folder of ["schemas", "bundles"]) {
  rmSync(join(packageDir, folder), { recursive: true, force: true });
  cpSync(join(packageDir, "..", folder), join(packageDir, folder), { recursive: true });
}
