profile "groothandel" {
  description = "B2B-shop groothandel (prices from SnelStart's price agreements)"

  shop "woocommerce" {
    url             = env("B2B_WC_URL")
    consumer_key    = env("B2B_WC_KEY")
    consumer_secret = env("B2B_WC_SECRET")
  }

  ledger "snelstart-online" {
    client_key       = env("GROOTHANDEL_CLIENT_KEY")   # another administration
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
  }

  orders {
    since          = "2026-11-01T00:00:00+01:00"
    lines          = "code_and_quantity"     # SnelStart fills price (price agreements) and description
    addresses      = "customer"
    process_status = "Bevestiging"
  }

  articles {
    mode = "manual"
  }

  customers {
    match          = "code"
    mode           = "manual"
    fixed_customer = 1001
  }

  task "import_orders" { every = "5m" }
}
