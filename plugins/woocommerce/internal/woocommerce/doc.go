// Package woocommerce is koppel's connector for WooCommerce's REST API v3 (/wp-json/wc/v3). It
// implements sdk.Shop: it lists orders and products incrementally by modification time (with an
// overlap window and a record of what was already yielded, so that orders modified while paging
// or sharing a second are neither lost nor read twice), maps WooCommerce orders onto sdk.Order
// (money as decimals, line tax and rate from tax_lines, options from line meta_data, shipping,
// fees and coupons as charges), looks products up by SKU (with a variation fallback) and writes
// stock through the batch endpoints.
//
// Authentication is HTTP Basic or query-string keys over https, or OAuth 1.0a one-legged
// (HMAC-SHA256 or HMAC-SHA1) over plain http, signed anew for every request and every retry.
package woocommerce
