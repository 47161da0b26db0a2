profile "kledingzaak" {
  description = "Kledingzaak (Magento 2)"

  shop "magento" {
    url                 = env("MAGENTO_URL")          # https://www.kledingzaak.nl
    store_code          = "default"
    auth                = "oauth1"                     # signed requests, as Magento 2.4.4+ requires
    consumer_key        = env("MAGENTO_CONSUMER_KEY")
    consumer_secret     = env("MAGENTO_CONSUMER_SECRET")
    access_token        = env("MAGENTO_ACCESS_TOKEN")
    access_token_secret = env("MAGENTO_ACCESS_TOKEN_SECRET")
    statuses            = ["processing", "complete"]
  }

  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
  }

  orders {
    since              = "2026-11-01T00:00:00+01:00"
    reference_prefix   = "KZ-"
    product_options    = "separate_line"
    shipping_article   = "VERZEND"
    discount_article   = "KORTING"
    difference_article = "ORDERVERSCHIL"
  }

  customers {
    match = "email_postcode"
  }

  stock {
    quantity = "free"
    buffer   = 2
  }

  task "import_orders_export_stock" { every = "30m" }
}
