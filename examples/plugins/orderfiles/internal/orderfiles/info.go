package orderfiles

import "github.com/koppel-nl/koppel/sdk"

// Version is the plugin's own version; the build may override it with -ldflags
// "-X github.com/koppel-nl/koppel/examples/plugins/orderfiles/internal/orderfiles.Version=1.2.3".
var Version = "0.1.0"

// Schema is the configuration a profile's `shop "orderfiles" { ... }` block accepts.
var Schema = sdk.Schema{Attributes: []sdk.Attribute{
	{Name: "location", Type: sdk.TypeString, Required: true,
		Description: "Folder with the shop's order export files: a local path or mounted share (C:\\Export\\Orders, /srv/shop/export), or the http(s) URL of a WebDAV folder (Nextcloud, a NAS, a hosting panel)."},
	{Name: "username", Type: sdk.TypeString,
		Description: "WebDAV user name; not used for a local folder."},
	{Name: "password", Type: sdk.TypeString, Sensitive: true,
		Description: "WebDAV password or app token; not used for a local folder. Use env(\"...\") rather than writing it in the file."},
	{Name: "patterns", Type: sdk.TypeStringList, Default: sdk.MustDefault([]string{"*.csv", "*.json"}),
		Description: "File name patterns (shell-style, case-insensitive) of the order files in location. The stock and products files are never read as orders."},
	{Name: "csv_delimiter", Type: sdk.TypeString, Default: sdk.MustDefault(";"), Enum: []string{";", ",", "tab", "|"},
		Description: "Field separator of the CSV files: \";\" (what Dutch Excel writes), \",\", \"tab\" or \"|\"."},
	{Name: "csv_columns", Type: sdk.TypeStringMap,
		Description: "Maps koppel's column names onto the headers your shop writes, e.g. { order_id = \"Ordernummer\", sku = \"Artikelcode\" }. Unmapped columns are looked up by koppel's own name."},
	{Name: "prices_include_tax", Type: sdk.TypeBool, Default: sdk.MustDefault(true),
		Description: "Whether unit_price, shipping_cost, fee and discount in the CSV files include VAT."},
	{Name: "timezone", Type: sdk.TypeString, Default: sdk.MustDefault("Europe/Amsterdam"),
		Description: "Time zone of dates in the files that carry no zone of their own (IANA name)."},
	{Name: "currency", Type: sdk.TypeString, Default: sdk.MustDefault("EUR"),
		Description: "Currency of orders whose file does not say (ISO 4217 code)."},
	{Name: "stock_file", Type: sdk.TypeString, Default: sdk.MustDefault("stock.csv"),
		Description: "Name of the CSV file in location that koppel writes stock to (sku, quantity, updated_at), for the shop to import."},
	{Name: "products_file", Type: sdk.TypeString, Default: sdk.MustDefault("products.csv"),
		Description: "Name of an optional CSV file in location listing the shop's products (sku, name, price, tax_rate, stock). Without it every SKU is accepted for stock."},
	{Name: "bad_files", Type: sdk.TypeString, Default: sdk.MustDefault("fail"), Enum: []string{"fail", "skip"},
		Description: "What to do with an order file that cannot be read: fail (stop the import and name the file and line) or skip (log it and go on)."},
	{Name: "timeout", Type: sdk.TypeDuration, Default: sdk.MustDefault("30s"),
		Description: "Time limit for one WebDAV request."},
}}

// Info is the plugin's description, handed to plugin.Serve and to the conformance kit.
var Info = sdk.PluginInfo{
	Name:         "orderfiles",
	Kind:         sdk.KindShop,
	Version:      Version,
	Description:  "Shops without an API: orders from CSV or JSON export files in a folder, stock back as a CSV file",
	Schema:       Schema,
	Capabilities: []string{sdk.CapStockWrite, sdk.CapProducts},
}
