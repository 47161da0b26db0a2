# koppel on Nomad: one group per shard of profiles, each a single koppel process
# (`koppel run --profiles GLOB`) with its own host volume for the state. The koppel block and
# the profiles are rendered from templates; keys come from Nomad Variables (nomad var put
# nomad/jobs/koppel KOPPEL_API_TOKEN=... AMSTEL_WOO_KEY=... ...) as environment variables, read
# with env("...") in the profiles. Run with: nomad job run koppel.nomad.hcl
# The client needs host volumes koppel-state-a-m and koppel-state-n-z (client { host_volume ... }).

variable "image" {
  type    = string
  default = "ghcr.io/koppel-nl/koppel:latest"
}

variable "shards" {
  description = "shard name => profile glob; every profile must match exactly one glob"
  type        = map(string)
  default = {
    "a-m" = "[a-m]*"
    "n-z" = "[n-z]*"
  }
}

job "koppel" {
  type        = "service"
  datacenters = ["*"]

  dynamic "group" {
    for_each = var.shards
    labels   = ["shard-${group.key}"]

    content {
      count = 1 # the state store has one writer

      volume "state" {
        type      = "host"
        source    = "koppel-state-${group.key}"
        read_only = false
      }

      network {
        port "http" {
          to = 8484
        }
      }

      service {
        name     = "koppel-${group.key}"
        port     = "http"
        provider = "nomad"

        check {
          type            = "http"
          protocol        = "https"
          tls_skip_verify = true # koppel's self-signed certificate
          path            = "/healthz"
          interval = "30s"
          timeout  = "5s"
        }
      }

      restart {
        attempts = 3
        interval = "10m"
        delay    = "30s"
        mode     = "delay"
      }

      task "koppel" {
        driver = "docker"
        # koppel finishes the order in flight on SIGTERM (--stop-timeout 5m).
        kill_timeout = "6m"

        config {
          image = var.image
          ports = ["http"]
          args  = ["run", "--config", "/local/koppel", "--profiles", group.value, "--log-level", "info", "--log-json"]
        }

        volume_mount {
          volume      = "state"
          destination = "/var/lib/koppel"
        }

        # Secrets: every key of the Nomad Variable nomad/jobs/koppel as an environment variable.
        template {
          destination = "secrets/keys.env"
          env         = true
          data        = <<-EOT
            {{ with nomadVar "nomad/jobs/koppel" }}{{ range .Tuples }}{{ .K }}={{ .V | toJSON }}
            {{ end }}{{ end }}
          EOT
        }

        template {
          destination = "local/koppel/koppel.hcl"
          data        = <<-EOT
            koppel {
              state_dir  = "/var/lib/koppel"
              plugin_dir = "/usr/lib/koppel/plugins"
              listen     = "0.0.0.0:8484"
              tls        = "self-signed"
              api_token  = env("KOPPEL_API_TOKEN")
            }
          EOT
        }

        template {
          destination = "local/koppel/amstel.hcl"
          data        = <<-EOT
            profile "amstel" {
              description = "Amstel Fietsen (WooCommerce)"
              shop "woocommerce" {
                url             = "https://www.amstelfietsen.nl"
                consumer_key    = env("AMSTEL_WOO_KEY")
                consumer_secret = env("AMSTEL_WOO_SECRET")
              }
              ledger "snelstart-online" {
                client_key       = env("AMSTEL_SNELSTART_KEY")
                subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
              }
              orders {
                since = "2026-01-01T00:00:00+01:00"
              }
              task "import_orders" {
                every = "15m"
              }
            }
          EOT
        }

        template {
          destination = "local/koppel/noorder.hcl"
          data        = <<-EOT
            profile "noorder" {
              description = "Noorderlicht Thee (WooCommerce)"
              shop "woocommerce" {
                url             = "https://www.noorderlichtthee.nl"
                consumer_key    = env("NOORDER_WOO_KEY")
                consumer_secret = env("NOORDER_WOO_SECRET")
              }
              ledger "snelstart-online" {
                client_key       = env("NOORDER_SNELSTART_KEY")
                subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
              }
              orders {
                since = "2026-01-01T00:00:00+01:00"
              }
              task "import_orders" {
                every = "15m"
              }
            }
          EOT
        }

        resources {
          cpu        = 200
          memory     = 256
          memory_max = 512
        }
      }
    }
  }
}
