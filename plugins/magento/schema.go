package main

import (
	"github.com/koppel-nl/koppel/plugins/magento/internal/magento"
	"github.com/koppel-nl/koppel/sdk"
)

// schema is the configuration the plugin declares (see magento.Schema).
func schema() sdk.Schema { return magento.Schema() }
