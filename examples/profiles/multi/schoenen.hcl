profile "schoenen" {
  description = "Webshop schoenen"

  shop "woocommerce" {
    url             = env("SCH_WC_URL")
    consumer_key    = env("SCH_WC_KEY")
    consumer_secret = env("SCH_WC_SECRET")
  }

  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
  }

  orders {
    since            = "2026-11-01T00:00:00+01:00"
    reference_prefix = "SCH-"
    shipping_article = "VERZEND"
    cost_centre      = "schoenen"
  }

  customers {
    match = "code_or_email_postcode"
  }

  task "import_orders" { every = "10m" }
}
