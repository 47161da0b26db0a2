koppel {
  listen    = "0.0.0.0:8484"
  api_token = env("KOPPEL_API_TOKEN")
}

profile "mijnwinkel" {
  shop "woocommerce" {
    url             = "https://www.mijnwinkel.nl"
    consumer_key    = env("WC_KEY")
    consumer_secret = env("SHOP_SECRET")
  }
  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
  }
  orders {
    since = "2026-01-01T00:00:00+01:00"
  }
}
