// The page's first step, loaded before the other modules: it reads the view from the URL and asks
// for the first graph and ranking at once, and starts the layout worker (importing layout.js does),
// so the server's answer and Graphviz's compilation overlap the loading of the rest of the page.
// main.js takes these answers for its first load when the view has not changed meanwhile.
import { getJson } from "./api.js";
import "./layout.js";
import { readView, graphQuery, windowQuery } from "./state.js";

performance.mark("depmap:boot");
const view = readView();
const graphUrl = `/graph.json?${graphQuery(view)}`;
const rankingUrl = `/services/ranking?${windowQuery(view)}`;
let early = { graphUrl, rankingUrl, graph: getJson(graphUrl), ranking: getJson(rankingUrl) };
// Read later, or never if the view changed first: not an unhandled rejection meanwhile.
early.graph.catch(() => {});
early.ranking.catch(() => {});

/** The early requests when they match these URLs, once; otherwise null. */
export function takeEarly(wantedGraphUrl, wantedRankingUrl) {
  const taken = early;
  early = null;
  return taken && taken.graphUrl === wantedGraphUrl && taken.rankingUrl === wantedRankingUrl ? taken : null;
}
