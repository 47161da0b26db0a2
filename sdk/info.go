package sdk

// PluginKind says which side a plugin binary serves.
type PluginKind string

const (
	// KindShop plugins serve the Shop interface.
	KindShop PluginKind = "shop"
	// KindLedger plugins serve the Ledger interface.
	KindLedger PluginKind = "ledger"
)

// ProtocolVersion is the plugin protocol this SDK speaks. Version 2 will be served beside it.
const ProtocolVersion = 1

// PluginInfo describes a plugin binary. It is what `koppel plugins` lists.
type PluginInfo struct {
	// Name is the plugin's name, the part after "koppel-plugin-" and the label in a profile's
	// shop or ledger block.
	Name string `json:"name"`
	// Kind is shop or ledger.
	Kind PluginKind `json:"kind"`
	// Version is the plugin's own version string.
	Version string `json:"version"`
	// SDKVersion is the version of this SDK the plugin was built with (filled in by Serve).
	SDKVersion string `json:"sdk_version"`
	// Protocol is the negotiated protocol version (filled in by the host).
	Protocol int `json:"protocol"`
	// Description is one line for listings.
	Description string `json:"description,omitempty"`
	// Schema is the configuration the plugin accepts.
	Schema Schema `json:"schema"`
	// Capabilities lists optional features, e.g. "stock_write", "extra_fields", "composites".
	Capabilities []string `json:"capabilities,omitempty"`
}

// Has reports whether the plugin declares a capability.
func (p PluginInfo) Has(capability string) bool {
	for _, c := range p.Capabilities {
		if c == capability {
			return true
		}
	}
	return false
}

// Capabilities a plugin may declare.
const (
	CapStockWrite     = "stock_write"     // Shop.WriteStock works
	CapProducts       = "products"        // Shop.ListProducts works
	CapExtraFields    = "extra_fields"    // Ledger looks articles up by extra field
	CapComposites     = "composites"      // Ledger reports composite articles
	CapArticlesWrite  = "articles_write"  // Ledger creates and updates articles
	CapCustomersWrite = "customers_write" // Ledger creates and updates relaties
	// CapArticleCodes: Ledger.FindArticles answers ArticleQuery.Codes with every article whose
	// artikelcode is one of them (the host then takes a code missing from the answer as not
	// in the ledger).
	CapArticleCodes = "article_codes"
	// CapRelatieEmails: Ledger.FindRelaties answers RelatieQuery.Emails with every relatie a
	// query with Email set to one of them would return (the host then takes an address missing
	// from the answer as one no relatie has).
	CapRelatieEmails = "relatie_emails"
)

// CheckResult is what a connection test found.
type CheckResult struct {
	// Summary is one line for `koppel check`: shop name and version, or administration name.
	Summary string `json:"summary"`
	// Details are further facts as label → value (URL, version, administration id).
	Details map[string]string `json:"details,omitempty"`
}
