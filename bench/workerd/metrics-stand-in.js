// The benchmark's stand-in for an Analytics Engine binding (local workerd
// has none): a wrapped binding whose writeDataPoint takes the point and keeps
// a count. What it measures is the router's own cost of building and handing
// over one data point per request; what Cloudflare does with the point after
// the call is outside any local measurement.
// The first point is announced on workerd's stderr (the benchmark discards
// its stdout), so the benchmark can check that the binding is in place
// before it measures.
export const FIRST_POINT_MARKER = "metrics-stand-in: first data point";

export default function metricsStandIn() {
  let points = 0;
  return {
    writeDataPoint(point) {
      if (point === undefined) return;
      if (points++ === 0) console.error(`${FIRST_POINT_MARKER} ${JSON.stringify(point)}`);
    },
    get points() {
      return points;
    },
  };
}
