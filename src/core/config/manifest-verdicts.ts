// What edge-ingress does with the rest of an Ingress manifest: annotations
// outside ingress-nginx's prefix (other controllers', other tools') and
// every field of the manifest, with the verdicts of annotations.ts; printed
// in README's "Ingress annotations" section with them.
import { honoured, ignored, type AnnotationVerdict } from "./annotations";

/** Annotations outside NGINX_PREFIX that edge-ingress reads, by full name. */
export const OTHER_ANNOTATIONS: Readonly<Record<string, AnnotationVerdict>> = {
  "kubernetes.io/ingress.class": honoured("the Ingress's class: --ingress-class keeps only Ingresses of that class; it must match spec.ingressClassName when both are set"),
  "kubectl.kubernetes.io/last-applied-configuration": honoured("kubectl's copy of the manifest it last applied: read by kubectl, by no controller; not stored, since the manifest itself is"),
};

/** Prefixes of other ingress controllers' annotations: a warning, since what they ask for does not happen. */
export const CONTROLLER_PREFIXES: Readonly<Record<string, string>> = {
  "alb.ingress.kubernetes.io/": "the AWS Load Balancer Controller",
  "appgw.ingress.kubernetes.io/": "the Azure Application Gateway Ingress Controller",
  "traefik.ingress.kubernetes.io/": "Traefik",
  "haproxy.org/": "the HAProxy Kubernetes Ingress Controller",
  "haproxy-ingress.github.io/": "HAProxy Ingress",
  "nginx.org/": "the F5 NGINX Ingress Controller",
  "nginx.com/": "the F5 NGINX Ingress Controller",
  "konghq.com/": "the Kong Ingress Controller",
  "projectcontour.io/": "Contour",
  "contour.heptio.com/": "Contour",
  "getambassador.io/": "Emissary-ingress",
  "zalando.org/": "Skipper",
  "ingress.gcp.kubernetes.io/": "GKE Ingress",
  "networking.gke.io/": "GKE Ingress",
  "kubernetes.io/ingress.": "GKE Ingress or another cloud controller",
  "ingress.kubernetes.io/": "an older ingress controller (this prefix predates nginx.ingress.kubernetes.io/)",
};

/** Prefixes of tools that are not ingress controllers: a note, since they change nothing in routing. */
export const TOOL_PREFIXES: Readonly<Record<string, string>> = {
  "cert-manager.io/": "cert-manager (certificates are not needed: Cloudflare terminates TLS)",
  "acme.cert-manager.io/": "cert-manager (certificates are not needed: Cloudflare terminates TLS)",
  "external-dns.alpha.kubernetes.io/": "ExternalDNS (point the hosts' DNS at the Worker yourself)",
  "argocd.argoproj.io/": "Argo CD",
  "meta.helm.sh/": "Helm",
  "kubectl.kubernetes.io/": "kubectl",
};

export interface FieldVerdict extends AnnotationVerdict {
  /** Path inside the manifest, e.g. `spec.rules[].host`. */
  readonly field: string;
}

const SERVER_WRITTEN = "written by the API server (it is in `kubectl get -o yaml` output): no effect on routing, here as in ingress-nginx";

/** Every field of an Ingress manifest. A metadata field not listed here is refused as unknown (a misspelt `annotations` would drop them all). */
export const INGRESS_FIELDS: readonly FieldVerdict[] = [
  { field: "apiVersion", ...honoured("must be networking.k8s.io/v1 (v1beta1 was removed in Kubernetes 1.22)") },
  { field: "kind", ...honoured("Ingress; a `List` or `IngressList` of them is unpacked; other kinds are skipped with a note") },
  { field: "metadata.name", ...honoured("names the Ingress in every message; the same namespace and name twice is refused (kubectl would keep only the last)") },
  { field: "metadata.namespace", ...honoured("identifies the Ingress with its name. Pools are not namespaced: a service name means the same pool in every namespace") },
  { field: "metadata.annotations", ...honoured("each as the annotation table says; stored with the config, so changing one is a new version") },
  { field: "metadata.labels", ...honoured("no effect on routing, here as in ingress-nginx") },
  ...["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink", "finalizers", "ownerReferences", "generateName", "clusterName"].map(
    (name) => ({ field: `metadata.${name}`, ...honoured(SERVER_WRITTEN) }),
  ),
  { field: "spec.ingressClassName", ...honoured("the Ingress's class: --ingress-class keeps only Ingresses of that class") },
  { field: "spec.rules[].host", ...honoured("see [Matching rules](#matching-rules)") },
  { field: "spec.rules[].http.paths[].path", ...honoured("see [Matching rules](#matching-rules)") },
  { field: "spec.rules[].http.paths[].pathType", ...honoured("see [Matching rules](#matching-rules)") },
  { field: "spec.rules[].http.paths[].backend.service.name", ...honoured("the pool that serves the path") },
  {
    field: "spec.rules[].http.paths[].backend.service.port",
    ...ignored("required, as Kubernetes requires it, but the pool's origin URLs carry the port. Named in no note (every backend has one); one pool named with two different ports is refused"),
  },
  { field: "spec.rules[].http.paths[].backend.resource", ...honoured("its `name` is the pool that serves the path (`apiGroup` and `kind` are not read)") },
  { field: "spec.defaultBackend", ...honoured("where requests no rule matches go (at most one across all documents). The Ingress's annotations apply to its paths, not to this backend: beside an allow or deny list, `force-ssl-redirect` or authentication it is refused (it would be served without them); beside the other annotations that make filters (CORS, `proxy-body-size`, timeouts, `default-backend`), a warning says it is served without them") },
  {
    field: "spec.tls",
    ...honoured(
      'Cloudflare terminates TLS at the edge, so certificates are not needed. As in ingress-nginx, which gives a certificate to every host of an Ingress that has a tls section (listed in it or not), those hosts serve HTTPS: every path on them, from any Ingress, is redirected from HTTP to HTTPS (308) unless its own Ingress sets ssl-redirect "false", and their HTTPS responses carry Strict-Transport-Security: max-age=31536000; includeSubDomains (ingress-nginx\'s ConfigMap defaults); a note says so',
    ),
  },
  { field: "status", ...honoured(SERVER_WRITTEN) },
];
