// One long-lived Node process evaluating JSONata with the real @truto/truto-jsonata.
// Protocol: one JSON object per line on stdin, {"id", "expression", "input"}; one per line on
// stdout, {"id", "ok": true, "value"} (no "value" key: undefined) or {"id", "ok": false,
// "error", "code"}. The first line out is {"ready": true, "version": "<truto-jsonata version>"}.
// argv[2]: the directory whose node_modules holds @truto/truto-jsonata.
"use strict";
const path = require("path");
const readline = require("readline");

const base = process.argv[2] || process.cwd();
const resolveFrom = (name) => require.resolve(name, { paths: [base] });
let trutoJsonata;
let version;
try {
  const main = resolveFrom("@truto/truto-jsonata");
  trutoJsonata = require(main).default;
  let dir = path.dirname(main);
  while (path.basename(dir) !== "truto-jsonata" && path.dirname(dir) !== dir) dir = path.dirname(dir);
  version = require(path.join(dir, "package.json")).version;
} catch (err) {
  process.stdout.write(JSON.stringify({ ready: false, error: String(err && err.message) }) + "\n");
  process.exit(3);
}

// the run's date fields are JavaScript Dates in Truto's context (syncspec/nodetest/js/dates.py)
const RUN_DATE_FIELDS = ["started_at", "finished_at", "created_at", "updated_at"];
function prepareInput(document) {
  if (!document || typeof document !== "object" || Array.isArray(document)) return document;
  const run = document.sync_job_run;
  if (!run || typeof run !== "object" || Array.isArray(run)) return document;
  const dated = { ...run };
  for (const field of RUN_DATE_FIELDS) {
    if (typeof dated[field] === "string") {
      const text = /[zZ]|[+-]\d\d:?\d\d$/.test(dated[field]) ? dated[field] : dated[field] + "Z";
      const date = new Date(text);
      if (!Number.isNaN(date.getTime())) dated[field] = date;
    }
  }
  return { ...document, sync_job_run: dated };
}

function message(err) {
  if (err && typeof err === "object") {
    if (typeof err.message === "string") return err.message;
    if (err.code) return `${err.code}`;
  }
  return String(err);
}

async function evaluate(request) {
  const out = { id: request.id };
  try {
    const value = await trutoJsonata(request.expression).evaluate(prepareInput(request.input));
    const text = JSON.stringify(value);
    out.ok = true;
    if (text !== undefined) out.value = JSON.parse(text);
  } catch (err) {
    out.ok = false;
    out.error = message(err);
    if (err && typeof err === "object" && err.code) out.code = String(err.code);
  }
  return out;
}

// A lodash wrapper given a JSONata function gets a Promise per call (Truto's lambdas are
// asynchronous); one that rejects is never awaited. Truto's result ignores it, and so do we.
process.on("unhandledRejection", () => {});
process.stdout.write(JSON.stringify({ ready: true, version }) + "\n");
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
let queue = Promise.resolve();
lines.on("line", (line) => {
  if (!line.trim()) return;
  queue = queue.then(async () => {
    let request;
    try {
      request = JSON.parse(line);
    } catch (err) {
      process.stdout.write(JSON.stringify({ id: null, ok: false, error: "bad request" }) + "\n");
      return;
    }
    process.stdout.write(JSON.stringify(await evaluate(request)) + "\n");
  });
});
