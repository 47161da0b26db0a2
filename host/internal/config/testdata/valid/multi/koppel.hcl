# Host settings shared by every profile in this directory.
koppel {
  state_dir      = "/var/lib/koppel"
  retention_days = 30
}
