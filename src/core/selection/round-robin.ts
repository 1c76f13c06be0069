// Smooth weighted round-robin, the nginx algorithm (ngx_http_upstream_get_peer
// in src/http/ngx_http_upstream_round_robin.c): on each pick every candidate's
// current weight grows by its weight, the highest current weight wins (the
// first in pool order on a tie) and the winner gives back the total. Weights
// 3:1:1 give `a b a c a`, spread out rather than `a a a b c`.
//
// Origins missing from the candidates (down or ejected) keep their current
// weight untouched and do not count in the total, as nginx skips down peers,
// so an origin that comes back resumes where it was.
import type { Origin } from "../config/types";
import { OriginStates } from "./origin-state";
import type { Policy, PolicyFactory } from "./policy";

interface Peer {
  /** nginx's `current_weight`. */
  current: number;
}

const freshPeer = (): Peer => ({ current: 0 });
const clonePeer = (peer: Peer): Peer => ({ current: peer.current });

class RoundRobin implements Policy {
  readonly name = "round-robin";
  private readonly peers: OriginStates<Peer>;

  constructor(previous?: RoundRobin) {
    this.peers = new OriginStates(freshPeer, clonePeer, previous?.peers);
  }

  pick(candidates: readonly Origin[]): Origin {
    let best = candidates[0] as Origin;
    let bestPeer: Peer | undefined;
    let total = 0;
    const peers = this.peers.forList(candidates);
    for (let i = 0; i < candidates.length; i++) {
      const origin = candidates[i] as Origin;
      const peer = peers[i]!;
      peer.current += origin.weight;
      total += origin.weight;
      if (bestPeer === undefined || peer.current > bestPeer.current) {
        best = origin;
        bestPeer = peer;
      }
    }
    if (bestPeer !== undefined) bestPeer.current -= total;
    return best;
  }
}

export const roundRobin: PolicyFactory = (_deps, previous) =>
  new RoundRobin(previous instanceof RoundRobin ? previous : undefined);
