// Pure building blocks for ingress-nginx-style edge policies: each compiles
// its annotations once (reporting every problem by path) and then answers per
// request without throwing. Nothing here imports Workers or Hono; clocks and
// randomness are injected.
export { parseIp, formatIp, type IpAddress } from "./ip";
export { parseAddressList, type AddressList, type AddressListResult } from "./cidr";
export { compileSourceAccess, type SourceAccess, type SourceAccessSpec, type AccessVerdict } from "./source-access";
export { parseBasicAuthorization, basicChallenge, type BasicCredentials } from "./basic-auth";
export { parseHtpasswd, htpasswdFromMap, type Htpasswd, type HtpasswdEntry, type HtpasswdOptions } from "./htpasswd";
export { parsePasswordHash, WEAK_SCHEMES, type HashScheme, type PasswordHash } from "./password-hash";
export { createVerifyCache, type VerifyCache, type VerifyCacheOptions } from "./verify-cache";
export { compileCanary, type CanaryAnnotations } from "./canary-config";
export { decideCanary, type CanaryDecision, type CanaryRequest, type CanaryRule, type CanaryTarget } from "./canary";
export { compileAffinitySpec, type AffinitySpec, type AffinityMode } from "./affinity-config";
export { createCookieAffinity, type AffinityPick, type CookieAffinity, type CookieSessionRequest } from "./affinity";
export { cookieLayout, type CookieLayout, type CookieRequest } from "./affinity-cookie";
export { rendezvousPick, type Weighted } from "./consistent-hash";
export { readCookie } from "./cookies";
export { compileRewrite, type Rewrite, type RewriteAnnotations } from "./rewrite";
