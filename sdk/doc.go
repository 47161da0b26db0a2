// Package sdk is the public surface of koppel for connector (plugin) authors: the canonical
// domain types every connector maps to and from, the two connector interfaces (Shop and Ledger),
// the configuration schema a plugin declares, and the typed errors that tell the host whether a
// failure is worth retrying.
//
// A plugin binary implements Shop or Ledger and hands a constructor to plugin.Serve (package
// github.com/koppel-nl/koppel/sdk/plugin); it never sees go-plugin, gRPC or protobuf. The host
// keeps all state (cursors, id maps, last written stock): connectors are stateless and get what
// they need on each call.
//
// Money is always a decimal (github.com/shopspring/decimal), never a float64.
package sdk
