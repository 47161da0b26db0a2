# A real WooCommerce shop linked to SnelStart online. Copy this directory to /etc/koppel (or
# anywhere), point plugin_dir at the directory holding the koppel-plugin-* binaries, set the
# environment variables below and run:
#   koppel plugins lock --config /etc/koppel
#   koppel validate --config /etc/koppel
#   koppel check mijnwinkel --config /etc/koppel

koppel {
  state_dir  = "./state"
  plugin_dir = "../../../bin"          # here: the binaries `make build` makes in this checkout
  listen     = "127.0.0.1:8484"
}
