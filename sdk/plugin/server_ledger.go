package plugin

import (
	"context"

	"github.com/koppel-nl/koppel/sdk"
	pb "github.com/koppel-nl/koppel/sdk/internal/protocol/v1"
)

type ledgerService struct {
	pb.UnimplementedLedgerServer
	srv *server
}

func (s *ledgerService) Check(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, _ none) (sdk.CheckResult, error) { return l.Check(ctx) })
}

func (s *ledgerService) FindRelaties(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, q sdk.RelatieQuery) ([]sdk.Relatie, error) { return l.FindRelaties(ctx, q) })
}

func (s *ledgerService) CreateRelatie(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, r sdk.Relatie) (sdk.Relatie, error) { return l.CreateRelatie(ctx, r) })
}

func (s *ledgerService) UpdateRelatie(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, r sdk.Relatie) (sdk.Relatie, error) { return l.UpdateRelatie(ctx, r) })
}

func (s *ledgerService) FindArticles(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, q sdk.ArticleQuery) ([]sdk.Article, error) { return l.FindArticles(ctx, q) })
}

func (s *ledgerService) CreateArticle(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, a sdk.Article) (sdk.Article, error) { return l.CreateArticle(ctx, a) })
}

func (s *ledgerService) UpdateArticle(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, a sdk.Article) (sdk.Article, error) { return l.UpdateArticle(ctx, a) })
}

func (s *ledgerService) ReferenceData(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, _ none) (sdk.ReferenceData, error) { return l.ReferenceData(ctx) })
}

func (s *ledgerService) CreateSalesOrder(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, o sdk.SalesOrder) (sdk.SalesOrder, error) { return l.CreateSalesOrder(ctx, o) })
}

func (s *ledgerService) DeleteSalesOrder(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, id string) (none, error) { return none{}, l.DeleteSalesOrder(ctx, id) })
}

func (s *ledgerService) FindSalesOrders(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, q sdk.SalesOrderQuery) ([]sdk.SalesOrder, error) {
		return l.FindSalesOrders(ctx, q)
	})
}

func (s *ledgerService) ListStock(call *pb.Call, stream pb.Ledger_ListStockServer) error {
	l, err := s.srv.ledger(call.InstanceId)
	if err != nil {
		return err
	}
	return toStatus(l.ListStock(stream.Context(), func(a sdk.Article) error { return sendJSON(stream, a) }))
}

// invoiceLedger returns the plugin's ledger as an sdk.InvoiceLedger, or a KindConfig error
// when the plugin cannot book invoices.
func invoiceLedger(l sdk.Ledger) (sdk.InvoiceLedger, error) {
	il, ok := l.(sdk.InvoiceLedger)
	if !ok {
		return nil, sdk.Errorf(sdk.KindConfig, "this ledger plugin cannot book sales invoices (orders.book_as = \"invoice\"); book orders instead")
	}
	return il, nil
}

func (s *ledgerService) CreateSalesInvoice(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, inv sdk.SalesInvoice) (sdk.SalesInvoice, error) {
		il, err := invoiceLedger(l)
		if err != nil {
			return sdk.SalesInvoice{}, err
		}
		return il.CreateSalesInvoice(ctx, inv)
	})
}

func (s *ledgerService) FindSalesInvoices(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.ledger, func(l sdk.Ledger, q sdk.SalesInvoiceQuery) ([]sdk.SalesInvoice, error) {
		il, err := invoiceLedger(l)
		if err != nil {
			return nil, err
		}
		return il.FindSalesInvoices(ctx, q)
	})
}
