// The site's own search as a benchmark baseline: Fuse.js 3.2.1 with the Hugo Academic
// theme's options (assets/js/academic-search.js), over records shaped like its index.json.
//
// stdin: {"docs_file": "index.json", "queries": ["..."], "limit": 5}
// stdout: {"results": [[id, ...]], "totals": [n], "parse_ms": x, "build_ms": x,
//          "latency_ms": [x], "max_rss_kb": n}
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import Fuse from "fuse.js";

const fuseOptions = {
  shouldSort: true,
  includeMatches: true,
  tokenize: true,
  threshold: 0.3,
  location: 0,
  distance: 100,
  maxPatternLength: 32,
  minMatchCharLength: 1,
  keys: [
    { name: "title", weight: 0.99 },
    { name: "summary", weight: 0.6 },
    { name: "authors", weight: 0.5 },
    { name: "content", weight: 0.2 },
    { name: "tags", weight: 0.5 },
    { name: "categories", weight: 0.5 },
  ],
};

const request = JSON.parse(readFileSync(0, "utf8"));
const raw = readFileSync(request.docs_file, "utf8");
const limit = request.limit ?? 5;

let t0 = performance.now();
const docs = JSON.parse(raw);
const parseMs = performance.now() - t0;

t0 = performance.now();
const fuse = new Fuse(docs, fuseOptions);
const buildMs = performance.now() - t0;

const results = [];
const totals = [];
const latency = [];
for (const query of request.queries) {
  t0 = performance.now();
  const found = fuse.search(query);
  latency.push(performance.now() - t0);
  totals.push(found.length);
  results.push(found.slice(0, limit).map((hit) => hit.item.id));
}

process.stdout.write(
  JSON.stringify({
    results,
    totals,
    parse_ms: parseMs,
    build_ms: buildMs,
    latency_ms: latency,
    max_rss_kb: process.resourceUsage().maxRSS,
  }),
);
