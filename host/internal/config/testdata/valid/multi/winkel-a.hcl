# Two shops booked into the same SnelStart administration. Their order numbers overlap, so each
# profile puts its own prefix before the payment reference.
profile "winkel-a" {
  description = "Winkel A"
  shop "woocommerce" {
    url             = "https://winkel-a.example.nl"
    consumer_key    = env("WINKEL_A_KEY")
    consumer_secret = env("WINKEL_A_SECRET")
  }
  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
  }
  orders {
    since            = "2026-01-01T00:00:00+01:00"
    reference_prefix = "A-"
    description      = "profile"
    shipping_article = "VERZEND"
  }
  customers {
    mode           = "manual"
    fixed_customer = 1000
  }
  task "import_orders_export_stock" { every = "30m" }
}
