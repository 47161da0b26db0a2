profile "mijnwinkel" {
  shop "woocommerce" {
    url             = "https://www.mijnwinkel.nl"
    consumer_key    = env("WC_KEY")
    consumer_secret = env("SHOP_SECRET")
  }
  ledger "snelstart-mdb" {
    database = "C:/SnelStart/Administraties/Winkel"
  }
  orders {
    since   = "2026-01-01T00:00:00+01:00"
    book_as = "invoice"
  }
}
