# An Onetoshop webshop linked to SnelStart online. Make a token with
#   koppel-plugin-onetoshop token
# enter it in the Onetoshop back office (koppelingen) and keep it in ONETOSHOP_TOKEN.
# The web address must be the shop's final address: koppel check refuses one that redirects.
koppel {
  state_dir  = "./state"
  plugin_dir = "../../../bin"
}
