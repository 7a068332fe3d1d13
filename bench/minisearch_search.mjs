// MiniSearch 7 as a speed baseline: an in-memory inverted index in JavaScript, built
// from the same episodes as prepared JSON (records shaped like the site's index.json).
//
// Japanese has no spaces, so MiniSearch's default tokenizer would make one term of a
// whole sentence; like our engine, terms are NFKC-folded, lower-cased words, with runs
// of kana and kanji split into character bigrams (a lone character stays a term).
// Queries: prefix and fuzzy (0.2) matching, OR of the terms, title boosted; prefixes
// (autocomplete): prefix matching only. An update replaces one document.
//
// stdin: {"docs_file": "docs.json", "queries": [...], "prefixes": [...], "limit": 5,
//         "updates": ["id", ...], "tokenizer": "bigram" | "default"}
// stdout: {"parse_ms", "build_ms", "serialise_ms", "load_json_ms", "query_ms": [...],
//          "prefix_ms": [...], "update_ms": [...], "results": [[id, ...]],
//          "max_rss_kb", "docs"}
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import MiniSearch from "minisearch";

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+/gu;
const SPLIT = /[\n\r\p{Z}\p{P}\p{S}]+/u;

function tokenize(text) {
  const out = [];
  for (const word of text.normalize("NFKC").split(SPLIT)) {
    if (!word) continue;
    let last = 0;
    for (const match of word.matchAll(CJK)) {
      if (match.index > last) out.push(word.slice(last, match.index));
      const run = match[0];
      if (run.length === 1) out.push(run);
      for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
      last = match.index + run.length;
    }
    if (last < word.length) out.push(word.slice(last));
  }
  return out;
}

const request = JSON.parse(readFileSync(0, "utf8"));
const limit = request.limit ?? 5;

const options = {
  fields: ["title", "summary", "authors", "content", "tags", "categories"],
  idField: "id",
  // "default": MiniSearch's own tokenizer (spaces and punctuation; a Japanese sentence
  // stays one term), as a site would configure it without thinking of Japanese
  ...(request.tokenizer === "default" ? {} : { tokenize }),
  processTerm: (term) => term.toLowerCase(),
  extractField: (doc, field) => {
    const value = doc[field];
    return Array.isArray(value) ? value.join(" ") : value;
  },
  searchOptions: { boost: { title: 3, tags: 2 }, prefix: true, fuzzy: 0.2 },
};

let t0 = performance.now();
const docs = JSON.parse(readFileSync(request.docs_file, "utf8"));
const parseMs = performance.now() - t0;

t0 = performance.now();
const mini = new MiniSearch(options);
mini.addAll(docs);
const buildMs = performance.now() - t0;

const results = [];
const queryMs = [];
for (const query of request.queries) {
  t0 = performance.now();
  const found = mini.search(query);
  queryMs.push(performance.now() - t0);
  results.push(found.slice(0, limit).map((hit) => hit.id));
}
const prefixMs = [];
for (const prefix of request.prefixes) {
  t0 = performance.now();
  mini.search(prefix, { prefix: true, fuzzy: false });
  prefixMs.push(performance.now() - t0);
}
const byId = new Map(docs.map((doc) => [doc.id, doc]));
const updateMs = [];
request.updates.forEach((id, i) => {
  const doc = byId.get(id);
  if (!doc) return;
  const edited = { ...doc, content: `${doc.content}\n追記${i}: Cloud Runの料金について少し補足した。` };
  t0 = performance.now();
  mini.replace(edited);
  updateMs.push(performance.now() - t0);
  mini.replace(doc);
});

const maxRssKb = process.resourceUsage().maxRSS; // before the serialised copy

// a restart from an index kept on disk: serialise, then load that JSON
t0 = performance.now();
const serialised = JSON.stringify(mini);
const serialiseMs = performance.now() - t0;
t0 = performance.now();
MiniSearch.loadJSON(serialised, options);
const loadJsonMs = performance.now() - t0;

process.stdout.write(
  JSON.stringify({
    parse_ms: parseMs,
    build_ms: buildMs,
    serialise_ms: serialiseMs,
    load_json_ms: loadJsonMs,
    query_ms: queryMs,
    prefix_ms: prefixMs,
    update_ms: updateMs,
    results,
    docs: docs.length,
    max_rss_kb: maxRssKb,
  }),
);
