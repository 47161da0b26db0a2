// Package simulator is a strict in-memory simulator of the Magento 2 / Adobe Commerce REST API
// (/rest/{store_code}/V1/...) as far as koppel's Magento connector uses it: store
// configuration, order search, products, legacy stock items and Multi-Source Inventory source
// items, with the authentication schemes Magento 2.4.4+ offers (OAuth 1.0a signed requests for an
// integration, the integration token as a bearer token only when enabled, and admin tokens from
// /V1/integration/admin/token).
//
// It reproduces what a client can get wrong: searchCriteria parsing (snake_case and camelCase,
// OR within a filter group, AND across groups, unknown keys refused), the page clamp (asking for
// a page past the last one returns the last page again), total_count, JSON numbers for money,
// "YYYY-MM-DD HH:MM:SS" UTC timestamps, error bodies {"message","parameters"} with %1 and
// %fieldName placeholders, 401 bodies naming the ACL resource, configurable parent + child rows
// (the child priced 0, the parent carrying the child's SKU) and dynamic and fixed-price bundles.
// Behaviour the reference marks as inferred is labelled so in the code.
//
// Admin endpoints under /_sim/ need no authentication:
//
//	POST /_sim/orders?n=N[&status=S]   generate N orders (status S, default a realistic mix) → {"ids":[...]}
//	POST /_sim/orders/{id}/touch       modify an order now (?status=complete to change its status)
//	POST /_sim/clock?advance=DURATION  move the simulator's clock forward ("90s")
//	GET  /_sim/faults                  the faults in force
//	POST /_sim/faults                  {"mode":"throttle"|"unavailable"|"commit_then_500"|"",
//	                                    "error_rate":0.1,"throttle_rate":0,"unavailable_rate":0,
//	                                    "latency_ms":0,"retry_after_seconds":1}
//	GET  /_sim/stock                   every source item {sku, source_code, quantity, status}
//	GET  /_sim/stats                   request counters
//	POST /_sim/seed                    load a seed document (the --seed format, see Seed)
package simulator
