# orders.ledger_by_vat with a key that is no VAT rate or scheme and a value that is no ledger.
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
    since   = "2026-01-01T00:00:00+01:00"
    book_as = "invoice"
    ledger_by_vat = {
      "21"  = 8000
      "hoog" = 8000
      "icp" = true
    }
  }
}
