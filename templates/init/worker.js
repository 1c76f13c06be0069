export { default } from "edge-ingress/worker";
