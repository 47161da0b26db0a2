// Package onetoshop is koppel's shop connector for Onetoshop webshops. It implements sdk.Shop
// against the REST contract written down in plugins/onetoshop/API.md.
//
// Onetoshop publishes no API documentation, so that contract is an assumption (modelled on the
// usual Dutch SaaS shop APIs) with every assumed detail marked. Whatever a real shop may do
// differently and can be expressed as configuration is configuration: the API's base path, the
// header that carries the token, the page size, the statuses imported and the overlap window.
// Nothing in this package knows whether it talks to a real shop or to the simulator in
// plugins/onetoshop/simulator.
//
// Every HTTP call goes through sdk/httpclient (retries, Retry-After, rate limit, redaction).
// Money is decimal throughout; amounts are read from JSON strings or numbers without float64.
package onetoshop
