profile "mijnwinkel" {
  description = "Mijn Winkel (WooCommerce)"

  shop "woocommerce" {
    url             = env("WC_URL")              # https://www.mijnwinkel.nl
    consumer_key    = env("WC_KEY")              # WooCommerce > Instellingen > Geavanceerd > REST API
    consumer_secret = env("WC_SECRET")
    # auth = "query"   # when the host strips the Authorization header (some shared hosting)
  }

  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")          # koppelsleutel from the SnelStart web portal
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")    # from developer.snelstart.nl
  }

  orders {
    since               = "2026-11-01T00:00:00+01:00"   # nothing older is ever imported
    template            = "Webshop"
    payment_reference   = true
    reference_prefix    = "MW-"
    description         = "auto"
    shipping_article    = "VERZEND"
    discount_article    = "KORTING"
    payment_fee_article = "BETAALKOSTEN"
    difference_article  = "ORDERVERSCHIL"
    fallback_article    = "DIVERSEN"
    vat_check           = "fail"
  }

  articles {
    mode                 = "add"
    revenue_group_by_vat = { "21" = 1, "9" = 2, "0" = 3 }
  }

  customers {
    match          = "smart"
    mode           = "add_update"
    payment_term   = 14
    email_invoices = true
  }

  stock {
    quantity = "free"
    buffer   = 1
  }

  task "import_orders_export_stock" { every = "15m" }
  task "import_articles"            { every = "24h"  next = "2026-11-25T03:00:00+01:00" }
}
