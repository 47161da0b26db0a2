# A shop without an API, linked to SnelStart through its export files.
#
# The shop's export job drops CSV files (one row per order line, Dutch headers) in a folder;
# koppel reads them with the orderfiles plugin, books the orders in SnelStart, and writes the
# stock back to stock.csv in the same folder for the shop to import. See docs/plugin-guide.md.
#
# Try it against the simulators:
#   koppel-plugin-snelstart-online simulate --addr 127.0.0.1:8701 &
#   export ORDERFILES_DIR=$PWD/../testdata/export      # or any folder with export files
#   koppel validate && koppel check winkel
#
# articles.mode = "manual" below: the shop's codes (KOFFIE-1KG, MOK-WIT) must exist in SnelStart.
# The simulator's demo administration lacks them; start it with a --seed that has them (as
# host/internal/e2e/orderfiles_test.go does) before `koppel sync winkel import_orders`.

koppel {
  state_dir  = "./state"
  plugin_dir = "./plugins"      # koppel-plugin-orderfiles and koppel-plugin-snelstart-online
}

profile "winkel" {
  description = "Winkel (orderbestanden)"

  shop "orderfiles" {
    # An absolute path (a relative one is taken from the directory koppel is started in), a
    # mounted share (\\\\nas\\export on Windows), or a WebDAV URL with username and password.
    location = env("ORDERFILES_DIR", "/srv/winkel/export")

    patterns      = ["orders-*.csv", "orders-*.json"]
    csv_delimiter = ";"
    prices_include_tax = true
    timezone      = "Europe/Amsterdam"
    stock_file    = "stock.csv"
    products_file = "products.csv"

    # The shop writes Dutch headers; map koppel's column names onto them.
    csv_columns = {
      order_id          = "Ordernummer"
      order_number      = "Ordernummer"
      status            = "Status"
      created_at        = "Besteld op"
      email             = "E-mail"
      first_name        = "Voornaam"
      last_name         = "Achternaam"
      company           = "Bedrijf"
      billing_street    = "Straat"
      billing_postcode  = "Postcode"
      billing_city      = "Plaats"
      billing_country   = "Land"
      payment_method    = "Betaalmethode"
      paid              = "Betaald"
      shipping_cost     = "Verzendkosten"
      shipping_tax_rate = "BTW verzendkosten"   # without it shipping would carry 0% VAT
      sku               = "Artikelcode"
      name              = "Omschrijving"
      quantity          = "Aantal"
      unit_price        = "Prijs"
      tax_rate          = "BTW"
    }
  }

  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY", "ZGVtbzpkZW1v")          # the simulator's demo key
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY", "demo-subscription-key")
    base_url         = env("SNELSTART_BASE_URL", "http://127.0.0.1:8701/v2")
    auth_url         = env("SNELSTART_AUTH_URL", "http://127.0.0.1:8701/b2b/token")
  }

  orders {
    since            = "2026-01-01T00:00:00+01:00"
    statuses         = ["betaald"]
    shipping_article = "VERZEND"
    reference_prefix = "OF-"
  }

  articles {
    mode = "manual"    # the shop's codes are SnelStart article codes
  }

  customers {
    match = "smart"
    mode  = "add"
  }

  stock {
    quantity = "free"
  }

  task "import_orders_export_stock" { every = "15m" }
}
