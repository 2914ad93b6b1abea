// The whole view lives in the URL (window, focus, filters, selection, diff), so a view can be shared
// by copying the address. Everything else reads the view from here and changes it through set().

const KEYS = ["lookback", "from", "to", "focus", "depth", "direction", "minCalls", "group", "q", "sel", "live", "diff", "conf"];

export function readView(search = location.search) {
  const params = new URLSearchParams(search);
  const view = {};
  for (const key of KEYS) {
    const value = params.get(key);
    if (value !== null && value !== "") view[key] = value;
  }
  if (!view.lookback && !view.from) view.lookback = "1h";
  return view;
}

export function writeView(view, replace = false) {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    if (view[key] !== undefined && view[key] !== null && view[key] !== "") params.set(key, view[key]);
  }
  const url = `${location.pathname}?${params}`;
  if (url !== location.pathname + location.search) {
    (replace ? history.replaceState : history.pushState).call(history, null, "", url);
  }
}

// The query string of the window alone (lookback or from/to), as every query API takes it.
export function windowQuery(view) {
  const params = new URLSearchParams();
  if (view.from) {
    params.set("from", view.from);
    if (view.to) params.set("to", view.to);
  } else {
    params.set("lookback", view.lookback || "1h");
  }
  return params;
}

// The query string of /graph.json for this view: the window plus focus, depth, direction, minCalls, group.
export function graphQuery(view) {
  const params = windowQuery(view);
  if (view.focus) {
    params.set("focus", view.focus);
    if (view.depth) params.set("depth", view.depth);
    if (view.direction) params.set("direction", view.direction);
  }
  if (view.minCalls && view.minCalls !== "0") params.set("minCalls", view.minCalls);
  if (view.group) params.set("group", view.group);
  return params;
}

// The window's length in seconds (for rates).
export function windowSeconds(view) {
  if (view.from) {
    const to = view.to ? Date.parse(view.to) : Date.now();
    return Math.max(60, (to - Date.parse(view.from)) / 1000);
  }
  const match = /^(\d+)([smhdw])$/.exec(view.lookback || "1h");
  if (!match) return 3600;
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[match[2]];
  return Number(match[1]) * unit;
}
