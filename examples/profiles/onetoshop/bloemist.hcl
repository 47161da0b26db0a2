profile "bloemist" {
  description = "Bloemist (Onetoshop)"

  shop "onetoshop" {
    url   = env("ONETOSHOP_URL")      # https://www.bloemist.nl
    token = env("ONETOSHOP_TOKEN")
  }

  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
  }

  orders {
    since               = "2026-11-01T00:00:00+01:00"
    description         = "auto"
    shipping_article    = "VERZEND"
    payment_fee_article = "BETAALKOSTEN"
    fallback_article    = "DIVERSEN"
  }

  articles {
    mode = "manual"
  }

  task "import_orders" { every = "15m" }
}
