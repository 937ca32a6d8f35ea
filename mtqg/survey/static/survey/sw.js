// Service worker of the field app (scope /ra-soat/app/). Network first, cache as fallback: the app shell, every
// static asset it uses and the JavaScript catalogue (/jsi18n/, the app's words in the page's language) are kept so
// the app opens and works with no connection. Data (households, forms, the queue of filled forms) lives in the
// page's localStorage, never in this cache; API calls are not cached.
const CACHE = "mtqg-field-v4";
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) =>
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("mtqg-field-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  )
);
self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  const keep = url.pathname.startsWith("/static/") || url.pathname.startsWith("/ra-soat/app/") || url.pathname === "/jsi18n/";
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (keep && res.ok && !res.redirected) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(req, copy));
        }
        return res;
      })
      .catch(() => caches.match(req, { ignoreSearch: true, ignoreVary: true }).then((hit) => hit || Response.error()))
  );
});
