// Package magento is koppel's shop connector for the Magento 2 / Adobe Commerce REST API
// (/rest/{store_code}/V1). It implements sdk.Shop: orders are read with searchCriteria on
// updated_at (an overlap window behind the cursor, an upper bound of the server's time minus a
// settle delay, sorted by updated_at then entity_id, pages of 100 until total_count, because
// Magento repeats the last page past the end), mapped from JSON numbers straight into decimals;
// products are read for import_articles; stock is written through Multi-Source Inventory source
// items (batched, a refused batch split so one bad SKU does not block the rest) or legacy stock
// items.
//
// Authentication is one of: OAuth 1.0a with the integration's four credentials (HMAC-SHA256,
// signed per attempt inside the HTTP transport so retries are re-signed), the integration
// access token as a bearer token (needs "Allow OAuth Access Tokens to be used as standalone
// Bearer tokens" since 2.4.4), or an admin username and password exchanged for a token at
// /V1/integration/admin/token and renewed when Magento refuses it.
package magento
