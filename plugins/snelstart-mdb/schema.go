package main

import (
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/ledger"
	"github.com/koppel-nl/koppel/sdk"
)

// schema is the configuration of a snelstart-mdb ledger block (see ledger.Schema).
func schema() sdk.Schema { return ledger.Schema() }
