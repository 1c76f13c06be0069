// The lower bound the router is measured against: the cheapest Worker that
// proxies at all. Same runtime, same origin, same client; no routing, no
// header work, no KV.
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.ORIGIN + url.pathname + url.search, request);
  },
};
