package simulator

// DemoSeedName is the --seed value that loads DemoSeed: `simulate --seed demo` serves the data
// `koppel demo` uses.
const DemoSeedName = "demo"

// DemoOrders is how many orders `koppel demo` (and `simulate --seed demo`) generates.
const DemoOrders = 25

// DemoSeed puts the stock articles of the SnelStart simulator's demo administration in the
// shop, so the stock export has products to write; the generator adds its own catalogue for the
// orders.
var DemoSeed = []byte(`{"products": [
  {"name": "T-shirt katoen", "sku": "SHIRT-01", "type": "simple", "regular_price": "24.95", "manage_stock": true, "stock_quantity": 100},
  {"name": "Kookboek Hollandse pot", "sku": "BOEK-01", "type": "simple", "regular_price": "29.98", "tax_class": "reduced-rate", "manage_stock": true, "stock_quantity": 100},
  {"name": "Cadeaupakket shirt + kookboek", "sku": "SET-01", "type": "simple", "regular_price": "54.45", "manage_stock": true, "stock_quantity": 100},
  {"name": "Mok met logo", "sku": "MOK-01", "type": "simple", "regular_price": "9.00", "manage_stock": true, "stock_quantity": 100}
]}`)
