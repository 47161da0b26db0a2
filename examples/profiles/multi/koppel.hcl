# Two shops booked into one SnelStart administration, and a third shop in another. Profiles are
# independent: each has its own cursor, maps and schedule. Several profiles share one plugin
# process per plugin. reference_prefix keeps overlapping order numbers of the two shops apart.

koppel {
  state_dir      = "./state"
  plugin_dir     = "../../../bin"
  listen         = "0.0.0.0:8484"
  api_token      = env("KOPPEL_API_TOKEN")   # required when listen is not a loopback address
  tls            = "self-signed"             # HTTPS off loopback; or tls_cert + tls_key
  retention_days = 180
}
