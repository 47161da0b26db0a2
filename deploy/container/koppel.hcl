# The koppel block of the container image. Profiles go in /etc/koppel (mount them there, one
# *.hcl per shop); secrets come from the environment with env("...").
koppel {
  state_dir  = "/var/lib/koppel"        # the image's volume
  plugin_dir = "/usr/lib/koppel/plugins" # the bundled plugins, locked in the image
  listen     = "0.0.0.0:8484"            # reachable from outside the container: needs the token
  tls        = "self-signed"             # and HTTPS: koppel makes its own certificate (or tls_cert/tls_key)
  api_token  = env("KOPPEL_API_TOKEN")   # bearer token for the dashboard and API (not /healthz)
}
