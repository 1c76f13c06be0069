// The request.cf object Cloudflare gives every request, for the end-to-end
// runs: workerd reads it from a request header named by the socket's
// cfBlobHeader, and the Worker's runtime parses it from JSON on first access
// of request.cf, as on Cloudflare. Without it, a Worker that reads
// request.cf on every request would look cheaper here than it is there.

/** The header the benchmark's sockets take request.cf from (workerd's cfBlobHeader). */
export const CF_BLOB_HEADER = "x-bench-cf-blob";

/** A request.cf like Cloudflare's (field names from the Workers docs' IncomingRequestCfProperties; made-up values). */
export const CF_BLOB = JSON.stringify({
  asn: 64500, asOrganization: "Example Networks", botManagement: { score: 99, verifiedBot: false, staticResource: false, ja3Hash: "0".repeat(32), ja4: "t13d1516h2_000000000000_000000000000", detectionIds: [] },
  city: "London", clientAcceptEncoding: "gzip, deflate, br", clientTcpRtt: 12, clientQuicRtt: 0, colo: "LHR", continent: "EU", country: "GB", edgeRequestKeepAliveStatus: 1,
  httpProtocol: "HTTP/2", latitude: "51.50000", longitude: "-0.12000", postalCode: "EC1A", region: "England", regionCode: "ENG", requestPriority: "", timezone: "Europe/London",
  tlsCipher: "AEAD-AES128-GCM-SHA256", tlsClientHelloLength: "508", tlsClientRandom: "e".repeat(44), tlsClientExtensionsSha1: "f".repeat(28), tlsVersion: "TLSv1.3",
  tlsClientAuth: { certPresented: "0", certVerified: "NONE", certRevoked: "0", certIssuerDN: "", certSubjectDN: "", certIssuerDNRFC2253: "", certSubjectDNRFC2253: "", certIssuerDNLegacy: "", certSubjectDNLegacy: "", certSerial: "", certIssuerSerial: "", certSKI: "", certIssuerSKI: "", certFingerprintSHA1: "", certFingerprintSHA256: "", certNotBefore: "", certNotAfter: "" },
  tlsExportedAuthenticator: { clientFinished: "a".repeat(64), clientHandshake: "b".repeat(64), serverHandshake: "c".repeat(64), serverFinished: "d".repeat(64) },
});
