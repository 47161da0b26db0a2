package plugin

import (
	"context"

	"github.com/koppel-nl/koppel/sdk"
	pb "github.com/koppel-nl/koppel/sdk/internal/protocol/v1"
)

type shopService struct {
	pb.UnimplementedShopServer
	srv *server
}

type none struct{}

func (s *shopService) Check(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.shop, func(sh sdk.Shop, _ none) (sdk.CheckResult, error) { return sh.Check(ctx) })
}

func (s *shopService) FindProducts(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.shop, func(sh sdk.Shop, skus []string) ([]sdk.Product, error) { return sh.FindProducts(ctx, skus) })
}

func (s *shopService) WriteStock(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.shop, func(sh sdk.Shop, levels []sdk.StockLevel) ([]sdk.StockResult, error) {
		return sh.WriteStock(ctx, levels)
	})
}

func (s *shopService) AddOrderNote(ctx context.Context, call *pb.Call) (*pb.Result, error) {
	return unaryServer(call, s.srv.shop, func(sh sdk.Shop, n sdk.OrderNote) (none, error) {
		noter, ok := sh.(sdk.OrderNoter)
		if !ok {
			return none{}, sdk.Errorf(sdk.KindConfig, "this shop cannot add notes to orders (orders.mark_paid); switch mark_paid off")
		}
		return none{}, noter.AddOrderNote(ctx, n.OrderID, n.Note)
	})
}

func (s *shopService) ListOrders(call *pb.Call, stream pb.Shop_ListOrdersServer) error {
	sh, err := s.srv.shop(call.InstanceId)
	if err != nil {
		return err
	}
	var q sdk.OrderQuery
	if err := decode(call, &q); err != nil {
		return toStatus(err)
	}
	return toStatus(sh.ListOrders(stream.Context(), q, func(it sdk.OrderItem) error { return sendJSON(stream, it) }))
}

func (s *shopService) ListProducts(call *pb.Call, stream pb.Shop_ListProductsServer) error {
	sh, err := s.srv.shop(call.InstanceId)
	if err != nil {
		return err
	}
	var q sdk.ProductQuery
	if err := decode(call, &q); err != nil {
		return toStatus(err)
	}
	return toStatus(sh.ListProducts(stream.Context(), q, func(it sdk.ProductItem) error { return sendJSON(stream, it) }))
}
