package plugin

import (
	"context"

	"github.com/koppel-nl/koppel/sdk"
	pb "github.com/koppel-nl/koppel/sdk/internal/protocol/v1"
)

// ledgerClient implements sdk.Ledger over the protocol for one instance.
type ledgerClient struct{ in *instance }

var _ sdk.Ledger = (*ledgerClient)(nil)

// NewLedger returns an sdk.Ledger for instance id of the ledger plugin reached through dial,
// configured with cfg on first use and after every restart of the plugin process. A create
// whose plugin process died mid-call fails with sdk.KindOutcomeUnknown.
func NewLedger(dial Dialer, name, id string, cfg sdk.Config) sdk.Ledger {
	return &ledgerClient{in: &instance{dial: dial, name: name, id: id, config: cfg}}
}

// Ledger returns an sdk.Ledger bound to instance id on this connection.
func (r *Remote) Ledger(id string, cfg sdk.Config) sdk.Ledger {
	return NewLedger(Static(r), r.label(), id, cfg)
}

func (c *ledgerClient) Check(ctx context.Context) (sdk.CheckResult, error) {
	return unaryClient[sdk.CheckResult](ctx, c.in, "Check", false, nil, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.Check(ctx, call)
	})
}

func (c *ledgerClient) FindRelaties(ctx context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error) {
	return unaryClient[[]sdk.Relatie](ctx, c.in, "FindRelaties", false, q, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.FindRelaties(ctx, call)
	})
}

func (c *ledgerClient) CreateRelatie(ctx context.Context, rel sdk.Relatie) (sdk.Relatie, error) {
	return unaryClient[sdk.Relatie](ctx, c.in, "CreateRelatie", true, rel, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.CreateRelatie(ctx, call)
	})
}

func (c *ledgerClient) UpdateRelatie(ctx context.Context, rel sdk.Relatie) (sdk.Relatie, error) {
	return unaryClient[sdk.Relatie](ctx, c.in, "UpdateRelatie", false, rel, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.UpdateRelatie(ctx, call)
	})
}

func (c *ledgerClient) FindArticles(ctx context.Context, q sdk.ArticleQuery) ([]sdk.Article, error) {
	return unaryClient[[]sdk.Article](ctx, c.in, "FindArticles", false, q, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.FindArticles(ctx, call)
	})
}

func (c *ledgerClient) CreateArticle(ctx context.Context, a sdk.Article) (sdk.Article, error) {
	return unaryClient[sdk.Article](ctx, c.in, "CreateArticle", true, a, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.CreateArticle(ctx, call)
	})
}

func (c *ledgerClient) UpdateArticle(ctx context.Context, a sdk.Article) (sdk.Article, error) {
	return unaryClient[sdk.Article](ctx, c.in, "UpdateArticle", false, a, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.UpdateArticle(ctx, call)
	})
}

func (c *ledgerClient) ReferenceData(ctx context.Context) (sdk.ReferenceData, error) {
	return unaryClient[sdk.ReferenceData](ctx, c.in, "ReferenceData", false, nil, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.ReferenceData(ctx, call)
	})
}

func (c *ledgerClient) DeleteSalesOrder(ctx context.Context, id string) error {
	_, err := unaryClient[none](ctx, c.in, "DeleteSalesOrder", false, id, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.DeleteSalesOrder(ctx, call)
	})
	return err
}

func (c *ledgerClient) CreateSalesOrder(ctx context.Context, o sdk.SalesOrder) (sdk.SalesOrder, error) {
	return unaryClient[sdk.SalesOrder](ctx, c.in, "CreateSalesOrder", true, o, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.CreateSalesOrder(ctx, call)
	})
}

func (c *ledgerClient) FindSalesOrders(ctx context.Context, q sdk.SalesOrderQuery) ([]sdk.SalesOrder, error) {
	return unaryClient[[]sdk.SalesOrder](ctx, c.in, "FindSalesOrders", false, q, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.FindSalesOrders(ctx, call)
	})
}

func (c *ledgerClient) ListStock(ctx context.Context, yield func(sdk.Article) error) error {
	return streamClient(ctx, c.in, "ListStock", nil, func(ctx context.Context, r *Remote, call *pb.Call) (recvStream, error) {
		return r.ledger.ListStock(ctx, call)
	}, yield)
}

// CreateSalesInvoice implements sdk.InvoiceLedger; a plugin whose ledger cannot book invoices
// answers with KindConfig.
func (c *ledgerClient) CreateSalesInvoice(ctx context.Context, inv sdk.SalesInvoice) (sdk.SalesInvoice, error) {
	return unaryClient[sdk.SalesInvoice](ctx, c.in, "CreateSalesInvoice", true, inv, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.CreateSalesInvoice(ctx, call)
	})
}

// FindSalesInvoices implements sdk.InvoiceLedger.
func (c *ledgerClient) FindSalesInvoices(ctx context.Context, q sdk.SalesInvoiceQuery) ([]sdk.SalesInvoice, error) {
	return unaryClient[[]sdk.SalesInvoice](ctx, c.in, "FindSalesInvoices", false, q, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.ledger.FindSalesInvoices(ctx, call)
	})
}
