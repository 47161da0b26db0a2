# The demo: a WooCommerce shop (the simulator on 127.0.0.1:8702) linked to a SnelStart
# administration (the B2B API simulator on 127.0.0.1:8701). `make demo` (= `koppel demo`) starts
# both simulators on the addresses written below, runs every task of this profile once, prints the
# execution overview and keeps the schedule running until Ctrl-C; nothing here needs an account. The keys below are the simulators' public demo
# keys; in a real profile write env("...") or file("...") instead.

koppel {
  state_dir      = "./state"     # relative to this directory
  plugin_dir     = "../../bin"   # where `make build` puts koppel-plugin-*
  listen         = "127.0.0.1:8484"
  retention_days = 90
}

profile "demo" {
  description = "Demo webshop (WooCommerce simulator)"

  shop "woocommerce" {
    url             = "http://127.0.0.1:8702"   # plain http: requests are signed with OAuth 1.0a
    consumer_key    = "ck_demo"
    consumer_secret = "cs_demo"
  }

  ledger "snelstart-online" {
    client_key       = "ZGVtbzpkZW1v"           # koppelsleutel of the simulator (Base64 of demo:demo)
    subscription_key = "demo-subscription-key"
    base_url         = "http://127.0.0.1:8701/v2"
    auth_url         = "http://127.0.0.1:8701/b2b/token"
    rate_limit       = 3000   # the simulator has no call budget; leave it out for a real administration (100/min)
    hourly_limit     = 0      # nor an hourly one
  }

  orders {
    since                = "2020-01-01T00:00:00Z"
    statuses             = ["processing", "completed"]
    template             = "Webshop"
    payment_reference    = true
    reference_prefix     = "WC-"
    description          = "order_number"
    addresses            = "order"
    lines                = "full"
    product_options      = "in_line"
    shipping_article     = "VERZEND"
    discount_article     = "KORTING"
    payment_fee_article  = "BETAALKOSTEN"
    difference_article   = "ORDERVERSCHIL"
    difference_tolerance = "0.02"
    process_status       = "Order"
    vat_check            = "fail"
  }

  articles {
    code_field           = "artikelcode"
    mode                 = "add"
    revenue_group_by_vat = { "21" = 1, "9" = 2, "0" = 3 }   # omzetgroep numbers
  }

  customers {
    match         = "smart"
    mode          = "add"
    payment_term  = 14
    email_invoices = true
  }

  stock {
    quantity   = "free"
    buffer     = 0
    composites = true
  }

  task "import_orders_export_stock" { every = "15m" }
  task "import_articles"            { every = "24h" }
}
