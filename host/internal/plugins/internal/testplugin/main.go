// Command testplugin is a tiny koppel plugin for the supervisor's tests. It takes its name and
// kind from its own file name: koppel-plugin-NAME is a ledger plugin when NAME contains
// "ledger", a shop plugin otherwise; when NAME contains "crash" it exits with status 2 before
// serving (a plugin that cannot start). Its fake in-memory Shop and Ledger answer at once,
// except Shop.FindProducts and Ledger.CreateSalesOrder, which first log "sleeping in call" and
// sleep for the instance's "sleep" duration, so a test can kill the process mid-call.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

var schema = sdk.Schema{Attributes: []sdk.Attribute{
	{Name: "label", Type: sdk.TypeString, Description: "Echoed by Check."},
	{Name: "sleep", Type: sdk.TypeDuration, Description: "How long the slow call sleeps."},
	{Name: "token", Type: sdk.TypeString, Sensitive: true, Description: "A secret that must never be logged."},
	{Name: "refuse", Type: sdk.TypeBool, Description: "Refuse the configuration (KindConfig)."},
}}

func run() error {
	exe := filepath.Base(os.Args[0])
	exe = strings.TrimSuffix(strings.TrimSuffix(exe, ".exe"), ".EXE")
	name := strings.TrimPrefix(exe, "koppel-plugin-")
	if strings.Contains(name, "crash") && len(os.Args) == 1 {
		fmt.Fprintln(os.Stderr, "crashing on purpose")
		os.Exit(2)
	}
	info := sdk.PluginInfo{Name: name, Kind: sdk.KindShop, Version: "0.0.1-test", Description: "test plugin", Schema: schema}
	if strings.Contains(name, "ledger") {
		info.Kind = sdk.KindLedger
	}
	return plugin.Serve(plugin.ServeOpts{
		Info: info,
		NewShop: func(_ context.Context, cfg sdk.Config, log hclog.Logger) (sdk.Shop, error) {
			if cfg.Bool("refuse") {
				return nil, sdk.Errorf(sdk.KindConfig, "refused on purpose")
			}
			return &shop{cfg: cfg, log: log}, nil
		},
		NewLedger: func(_ context.Context, cfg sdk.Config, log hclog.Logger) (sdk.Ledger, error) {
			if cfg.Bool("refuse") {
				return nil, sdk.Errorf(sdk.KindConfig, "refused on purpose")
			}
			return &ledger{cfg: cfg, log: log}, nil
		},
	})
}

// sleep waits for the instance's "sleep" duration or until ctx ends.
func sleep(ctx context.Context, cfg sdk.Config, log hclog.Logger, call string) error {
	d := cfg.Duration("sleep")
	if d <= 0 {
		return nil
	}
	log.Info("sleeping in call", "call", call, "pid", os.Getpid(), "for", d.String())
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// check reports the instance's label, the process id and the level the plugin's logger was
// given (from the host's KOPPEL_PLUGIN_LOG_LEVEL).
func check(kind string, cfg sdk.Config, log hclog.Logger) sdk.CheckResult {
	return sdk.CheckResult{
		Summary: kind + " " + cfg.String("label"),
		Details: map[string]string{"pid": strconv.Itoa(os.Getpid()), "log_level": log.GetLevel().String()},
	}
}

type shop struct {
	cfg sdk.Config
	log hclog.Logger
}

func (s *shop) Check(context.Context) (sdk.CheckResult, error) {
	return check("shop", s.cfg, s.log), nil
}

func (s *shop) ListOrders(_ context.Context, _ sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	for i := 1; i <= 3; i++ {
		id := strconv.Itoa(i)
		if err := yield(sdk.OrderItem{Order: sdk.Order{ID: id, Number: "100" + id}, Cursor: id}); err != nil {
			return err
		}
	}
	return nil
}

func (s *shop) ListProducts(context.Context, sdk.ProductQuery, func(sdk.ProductItem) error) error {
	return nil
}

func (s *shop) FindProducts(ctx context.Context, skus []string) ([]sdk.Product, error) {
	if err := sleep(ctx, s.cfg, s.log, "FindProducts"); err != nil {
		return nil, err
	}
	out := make([]sdk.Product, 0, len(skus))
	for _, sku := range skus {
		out = append(out, sdk.Product{ID: "p-" + sku, SKU: sku, Name: "Product " + sku})
	}
	return out, nil
}

func (s *shop) WriteStock(_ context.Context, levels []sdk.StockLevel) ([]sdk.StockResult, error) {
	out := make([]sdk.StockResult, 0, len(levels))
	for _, l := range levels {
		out = append(out, sdk.StockResult{SKU: l.SKU})
	}
	return out, nil
}

type ledger struct {
	cfg sdk.Config
	log hclog.Logger
}

func (l *ledger) Check(context.Context) (sdk.CheckResult, error) {
	return check("ledger", l.cfg, l.log), nil
}

func (l *ledger) FindRelaties(context.Context, sdk.RelatieQuery) ([]sdk.Relatie, error) {
	return nil, nil
}

func (l *ledger) CreateRelatie(_ context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	r.ID = "rel-1"
	return r, nil
}

func (l *ledger) UpdateRelatie(_ context.Context, r sdk.Relatie) (sdk.Relatie, error) { return r, nil }

func (l *ledger) FindArticles(context.Context, sdk.ArticleQuery) ([]sdk.Article, error) {
	return nil, nil
}

func (l *ledger) CreateArticle(_ context.Context, a sdk.Article) (sdk.Article, error) {
	a.ID = "art-1"
	return a, nil
}

func (l *ledger) UpdateArticle(_ context.Context, a sdk.Article) (sdk.Article, error) { return a, nil }

func (l *ledger) ListStock(context.Context, func(sdk.Article) error) error { return nil }

func (l *ledger) ReferenceData(context.Context) (sdk.ReferenceData, error) {
	return sdk.ReferenceData{}, nil
}

func (l *ledger) CreateSalesOrder(ctx context.Context, o sdk.SalesOrder) (sdk.SalesOrder, error) {
	if err := sleep(ctx, l.cfg, l.log, "CreateSalesOrder"); err != nil {
		return sdk.SalesOrder{}, err
	}
	o.ID = "so-1"
	o.Number = 1
	return o, nil
}

func (l *ledger) FindSalesOrders(context.Context, sdk.SalesOrderQuery) ([]sdk.SalesOrder, error) {
	return nil, nil
}

func (l *ledger) DeleteSalesOrder(context.Context, string) error { return nil }
