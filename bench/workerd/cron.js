// Runs the router bundle's scheduled handler once per request, as a Cron
// Trigger would, and answers when the run (and anything it handed to
// waitUntil) is done: 200 "ok", or 500 with the error.
import router from "./router.js";

export default {
  async fetch(request, env) {
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
