package plugin

import (
	goplugin "github.com/hashicorp/go-plugin"
)

// Handshake is the go-plugin handshake shared by the host and every plugin. The cookie is a UX
// feature (a binary run by hand can say what it is), not a security measure; it must never
// change. Protocol versions are negotiated through the versioned plugin sets.
var Handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "KOPPEL_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "0f4c1b7e5a9d4e2b8c3a6f1d7e9b2c4a",
}

// pluginName is the one name under which every koppel plugin set registers its plugin.
const pluginName = "koppel"

// versionedPlugins returns the plugin sets per protocol version. impl is nil on the host side.
func versionedPlugins(impl *server) map[int]goplugin.PluginSet {
	return map[int]goplugin.PluginSet{
		1: {pluginName: &grpcPlugin{impl: impl}},
	}
}
