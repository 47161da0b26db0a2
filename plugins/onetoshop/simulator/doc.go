// Package simulator is an in-memory Onetoshop shop that serves exactly the REST contract in
// plugins/onetoshop/API.md, for the connector's tests, the demo and benchmarks.
//
// UNVERIFIED: Onetoshop publishes no API documentation; this simulator implements koppel's
// assumed contract, not captured traffic from a real shop. Replace the assumptions (API.md
// marks each one) when real documentation or recordings become available.
//
// API (under Options.BasePath, default /api/v1; token in Options.AuthHeader, default
// "Authorization: Bearer <token>"):
//
//	GET  /shop                       shop name, API version, currency
//	GET  /orders                     ?updated_since=&status=&page=&limit=&sort=updated_at
//	GET  /orders/{id}
//	GET  /products                   ?updated_since=&sku=&page=&limit=&sort=updated_at
//	GET  /products/{id}
//	PUT  /products/{id}/stock        {"stock": <whole number ≥ 0>}
//
// Requests are validated strictly: unknown query parameters, a limit above 100, a malformed
// timestamp or status, a body with unknown fields or a fractional stock are refused with the
// documented error body {"error":{"code","message"}}.
//
// Admin endpoints (no token; not part of Onetoshop) are under /_sim/, see admin.go.
package simulator
