# A profile using every setting of spec/settings.md.
# Secrets come from the environment: export WC_KEY, WC_SECRET, SNELSTART_CLIENT_KEY,
# SNELSTART_SUBSCRIPTION_KEY and KOPPEL_API_TOKEN before starting koppel.

koppel {
  state_dir      = "./state"
  plugin_dir     = "./plugins"
  listen         = "0.0.0.0:8484"           # not loopback, so api_token is required
  api_token      = env("KOPPEL_API_TOKEN")
  tls            = "self-signed"            # not loopback, so HTTPS (or insecure_http = true)
  lock_file      = "/etc/koppel/koppel-plugins.lock"
  retention_days = 180
}

profile "mijnwinkel" {
  description = "Mijn Winkel (WooCommerce)"

  shop "woocommerce" {
    url             = "https://www.mijnwinkel.nl"
    consumer_key    = env("WC_KEY")
    consumer_secret = env("WC_SECRET")
    auth            = "basic"
    statuses        = ["processing", "completed"]
    timeout         = "45s"
  }

  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
    base_url         = "https://b2bapi.snelstart.nl/v2"
    auth_url         = "https://auth.snelstart.nl/b2b/token"
    rate_limit       = 100
  }

  orders {
    since                = "2026-01-01T00:00:00+01:00"
    statuses             = ["processing", "completed"]
    template             = "Webshop"
    reuse_last_template  = true
    payment_reference    = true
    reference_prefix     = "MW-"
    description          = "auto"
    addresses            = "customer"
    lines                = "code_and_quantity"
    recipes              = true
    product_options      = "separate_line"
    shipping_article     = "VERZEND"
    discount_article     = "KORTING"
    payment_fee_article  = "BETAALKOSTEN"
    difference_article   = "VERSCHIL"
    difference_tolerance = "0.05"
    fallback_article     = "DIVERSEN"
    cost_centre          = 2
    process_status       = "Pakbon"
    vat_check            = "warn"
  }

  articles {
    since                = "2025-06-01T00:00:00+02:00"
    code_field           = "extra:Webshopcode"
    revenue_group        = 1
    revenue_group_by_vat = { "21" = 1, "9" = 2, "0" = "Omzet onbelast" }
    mode                 = "add_update"
  }

  customers {
    match           = "code_or_email_postcode"
    mode            = "add_update"
    payment_term    = 14
    email_invoices  = true
    email_reminders = true
  }

  stock {
    quantity   = "technical"
    buffer     = 2
    composites = false
  }

  task "import_orders_export_stock" {
    every = "1h"
    next  = "2026-11-24T06:00:00+01:00"
  }
  task "import_articles" { every = "24h" }
  task "reconcile" { every = "24h" }
}
