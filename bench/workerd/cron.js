// Runs the router bundle's scheduled handler once per request, as a Cron
// Trigger would, and answers when the run (and anything it handed to
// waitUntil) is done: 200 "ok", or 500 with the error.
// GET /?fetches=N&url=U is the baseline instead: N concurrent GETs of U, the
// runtime's own cost of a run's subrequests, without the router.
import router from "./router.js";

export default {
  async fetch(request, env) {
    const query = new URL(request.url).searchParams;
    if (query.has("fetches")) {
      const url = query.get("url");
      const answers = await Promise.all(Array.from({ length: Number(query.get("fetches")) }, () => fetch(url).then((r) => r.arrayBuffer().then(() => r.status))));
      return answers.every((s) => s === 200) ? new Response("ok") : new Response(`statuses: ${answers.join(" ")}`, { status: 500 });
    }
    const pending = [];
    const ctx = { waitUntil: (p) => pending.push(p), passThroughOnException() {} };
    try {
      await router.scheduled({ cron: "* * * * *", scheduledTime: Date.now(), noRetry() {} }, env, ctx);
      await Promise.all(pending);
      return new Response("ok");
    } catch (error) {
      return new Response(String(error && error.stack), { status: 500 });
    }
  },
};
