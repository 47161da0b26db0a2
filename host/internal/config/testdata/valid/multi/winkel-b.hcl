profile "winkel-b" {
  description = "Winkel B"
  shop "woocommerce" {
    url             = "https://winkel-b.example.nl"
    consumer_key    = env("WINKEL_B_KEY")
    consumer_secret = trimspace(file("winkel-b.secret"))
    auth            = "query"
  }
  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
  }
  orders {
    since            = "2026-03-01T00:00:00+01:00"
    reference_prefix = "B-"
    lines            = "ledger_description"
  }
  stock {
    buffer = 1
  }
  task "import_orders" { every = "15m" }
  task "export_stock"  { every = "1h" }
}
