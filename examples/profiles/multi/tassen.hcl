profile "tassen" {
  description = "Webshop tassen"

  shop "woocommerce" {
    url             = env("TAS_WC_URL")
    consumer_key    = env("TAS_WC_KEY")
    consumer_secret = env("TAS_WC_SECRET")
  }

  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
  }

  orders {
    since            = "2026-11-01T00:00:00+01:00"
    reference_prefix = "TAS-"
    shipping_article = "VERZEND"
    cost_centre      = "tassen"
  }

  customers {
    match = "code_or_email_postcode"
  }

  task "import_orders" { every = "10m" }
}
