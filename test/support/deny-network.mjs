// Preloaded (`node --import`) by tests of scripts that must contact nothing:
// any socket connection or fetch fails loudly, so a test sees the attempt.
import net from "node:net";

function deny() {
  process.stderr.write("NETWORK ACCESS ATTEMPTED\n");
  throw new Error("network access is denied in this test");
}
net.Socket.prototype.connect = deny;
globalThis.fetch = deny;
