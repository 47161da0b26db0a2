package plugin

import (
	"context"

	"github.com/koppel-nl/koppel/sdk"
	pb "github.com/koppel-nl/koppel/sdk/internal/protocol/v1"
)

// shopClient implements sdk.Shop over the protocol for one instance.
type shopClient struct{ in *instance }

var _ sdk.Shop = (*shopClient)(nil)

// NewShop returns an sdk.Shop for instance id of the shop plugin reached through dial. The
// instance is configured with cfg on first use and again whenever the plugin process was
// restarted. name labels errors.
func NewShop(dial Dialer, name, id string, cfg sdk.Config) sdk.Shop {
	return &shopClient{in: &instance{dial: dial, name: name, id: id, config: cfg}}
}

// Shop returns an sdk.Shop bound to instance id on this connection.
func (r *Remote) Shop(id string, cfg sdk.Config) sdk.Shop {
	return NewShop(Static(r), r.label(), id, cfg)
}

func (c *shopClient) Check(ctx context.Context) (sdk.CheckResult, error) {
	return unaryClient[sdk.CheckResult](ctx, c.in, "Check", false, nil, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.shop.Check(ctx, call)
	})
}

func (c *shopClient) FindProducts(ctx context.Context, skus []string) ([]sdk.Product, error) {
	return unaryClient[[]sdk.Product](ctx, c.in, "FindProducts", false, skus, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.shop.FindProducts(ctx, call)
	})
}

func (c *shopClient) WriteStock(ctx context.Context, levels []sdk.StockLevel) ([]sdk.StockResult, error) {
	return unaryClient[[]sdk.StockResult](ctx, c.in, "WriteStock", false, levels, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.shop.WriteStock(ctx, call)
	})
}

// AddOrderNote implements sdk.OrderNoter; a plugin whose shop takes no notes answers with
// KindConfig.
func (c *shopClient) AddOrderNote(ctx context.Context, orderID, note string) error {
	_, err := unaryClient[none](ctx, c.in, "AddOrderNote", true, sdk.OrderNote{OrderID: orderID, Note: note}, func(r *Remote, call *pb.Call) (*pb.Result, error) {
		return r.shop.AddOrderNote(ctx, call)
	})
	return err
}

func (c *shopClient) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	return streamClient(ctx, c.in, "ListOrders", q, func(ctx context.Context, r *Remote, call *pb.Call) (recvStream, error) {
		return r.shop.ListOrders(ctx, call)
	}, yield)
}

func (c *shopClient) ListProducts(ctx context.Context, q sdk.ProductQuery, yield func(sdk.ProductItem) error) error {
	return streamClient(ctx, c.in, "ListProducts", q, func(ctx context.Context, r *Remote, call *pb.Call) (recvStream, error) {
		return r.shop.ListProducts(ctx, call)
	}, yield)
}
