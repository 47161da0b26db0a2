// Package plugin turns an sdk.Shop or sdk.Ledger implementation into a koppel plugin binary, and
// gives the host the client side of the same protocol.
//
// A plugin author writes one call:
//
//	func run() error {
//		return plugin.Serve(plugin.ServeOpts{
//			Info:     sdk.PluginInfo{Name: "myshop", Kind: sdk.KindShop, Version: "1.0.0", Schema: schema},
//			NewShop:  myshop.New,
//			Simulate: myshop.Simulate, // optional
//		})
//	}
//
// Serve hides go-plugin, gRPC and protobuf: it answers the handshake (protocol version 1, gRPC
// only, AutoMTLS), keeps one instance per profile that uses the plugin, converts errors to and
// from *sdk.Error, and streams listings. The binary also answers `version`, `describe` and
// `simulate ARGS...` on its command line, and tells a person who runs it by hand what it is.
//
// The host uses ClientConfig to launch a binary and Dispense to get a *Remote, whose Shop and
// Ledger methods return sdk.Shop / sdk.Ledger values bound to one instance.
package plugin
