profile "mijnwinkel" {
  shop "woocomerce" {
    url = "https://www.mijnwinkel.nl"
  }
  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
  }
  orders {
    since = "2026-01-01T00:00:00+01:00"
  }
}
