// Package state is the koppel host's state store: one Badger v4 database per
// host (the profile setting state_dir), owned by the host process alone;
// connectors never open it.
//
// # Key layout
//
// Every key is text of the form
//
//	<namespace>/<profile>/<component>[/<component>...]
//
// with these namespaces:
//
//	cursor/<profile>/<task>            read checkpoint of a task (persisted only after the downstream write is acknowledged)
//	order/<profile>/<shop-id>          an order booked in accounting (idempotency)
//	run/<profile>/<start-time>         history of one run; start time in UTC as 2006-01-02T15:04:05.000000000Z
//	failed/<profile>/<shop-id>         a record that failed and waits for retry or a human
//	map/<profile>/<kind>/<key>         mapping of a shop value to an accounting id (kinds: customer, article, country, vat, ledger, payment-method, ...)
//	stock/<profile>/<sku>              last stock quantity written for a product
//	intent/<profile>/<shop-id>         a write started but not yet acknowledged
//	lock/<profile>/<task>              lease lock keeping runs of one task apart (Badger TTL)
//	schedule/<profile>/<task>          scheduler bookkeeping
//	attention/<profile>/<item-id>      an attention item: a situation after import for a person (package attention)
//
// Components are escaped: '%' becomes "%25", '/' becomes "%2F" and the empty
// string is written "%00"; nothing else changes. No record key ends in '/',
// so a key ending in '/' is always a prefix. The encoding is injective and the separator never occurs
// inside a component, so the prefix "cursor/a/" of profile "a" never matches
// the keys of profile "a/b" ("cursor/a%2Fb/..."). Build keys only with
// CursorKey, OrderKey, RunKey, FailedKey, MapKey, StockKey, IntentKey,
// LockKey, ScheduleKey, AttentionKey or Namespace.Key, and prefixes with Namespace.Prefix,
// Namespace.ProfilePrefix and MapPrefix; decode with ParseKey and RunTime.
// Run start times are fixed width and zero-padded, so run keys of a profile
// sort chronologically (List with Reverse() gives the most recent first).
// Ids sort by their escaped bytes.
//
// # Values
//
// Values are JSON; Badger's UserMeta byte records the encoding (1 = JSON) so
// another encoding can be introduced later. The generic helpers Get, Put,
// Delete and List work on a *Store (one transaction per call) and on the *Tx
// of View and Update. Put accepts WithTTL / WithExpiresAt (Badger ExpiresAt,
// one-second resolution).
//
// # Transactions
//
// Badger uses optimistic concurrency: a read-write transaction fails at
// commit with a conflict when a key it read was changed meanwhile. Update
// retries the whole function in a fresh transaction with jittered backoff, a
// bounded number of times, so read-modify-write code stays simple. The
// function may therefore run more than once.
//
// # Maintenance
//
// A background goroutine runs value-log GC (RunValueLogGC(0.5) until
// ErrNoRewrite) every Options.GCInterval. Backup and Restore use Badger's own
// backup format; DeleteOlder applies the run-history retention. The store
// keeps no global state: several stores may be open in one process.
package state
