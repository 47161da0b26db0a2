package simulator

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// POST /coupons and GET /coupons (shared/reference WooCommerce docs, coupons.md): a coupon is
// created with its code (mandatory, stored lower case, unique), discount_type (percent or
// fixed_cart; the simulator's orders apply those two) and amount, and listed newest first with
// page/per_page and X-WP-Total headers. Orders may then use it in coupon_lines.

type couponCreateInput struct {
	Code         jString `json:"code"`
	Amount       jMoney  `json:"amount"`
	DiscountType jString `json:"discount_type"`
	Description  jString `json:"description"`
	FreeShipping jBool   `json:"free_shipping"`
}

func (s *Server) renderCoupon(c *Coupon, home string) orderedMap {
	api := home + "/wp-json/wc/v3"
	return orderedMap{
		{"id", c.ID}, {"code", c.Code}, {"amount", money(c.Amount, 2)},
		{"date_created", s.localDate(c.DateCreated)}, {"date_created_gmt", gmtDate(c.DateCreated)},
		{"date_modified", s.localDate(c.DateCreated)}, {"date_modified_gmt", gmtDate(c.DateCreated)},
		{"discount_type", c.DiscountType}, {"description", c.Description}, {"date_expires", nil}, {"date_expires_gmt", nil},
		{"usage_count", 0}, {"individual_use", false}, {"product_ids", []int64{}}, {"excluded_product_ids", []int64{}},
		{"usage_limit", nil}, {"usage_limit_per_user", nil}, {"limit_usage_to_x_items", nil}, {"free_shipping", c.FreeShipping},
		{"product_categories", []int64{}}, {"excluded_product_categories", []int64{}}, {"exclude_sale_items", false},
		{"minimum_amount", "0.00"}, {"maximum_amount", "0.00"}, {"email_restrictions", []string{}}, {"used_by", []string{}},
		{"meta_data", []any{}},
		{"_links", selfLinks(api+"/coupons/"+strconv.FormatInt(c.ID, 10), api+"/coupons")},
	}
}

// createCoupon answers POST /coupons (201).
func (s *Server) createCoupon(w http.ResponseWriter, req *request) {
	var in couponCreateInput
	if e := decodeCreate(req, &in); e != nil {
		writeError(w, e)
		return
	}
	code := strings.ToLower(strings.TrimSpace(in.Code.V))
	switch {
	case code == "":
		writeError(w, newErr(http.StatusBadRequest, "rest_missing_callback_param", "Missing parameter(s): code"))
		return
	case in.Amount.Bad:
		writeError(w, invalidParams(typeProblem("amount", "string")))
		return
	}
	typ := in.DiscountType.V
	if typ == "" {
		typ = "fixed_cart"
	}
	if typ != "percent" && typ != "fixed_cart" && typ != "fixed_product" {
		writeError(w, invalidParams(enumProblem("discount_type", []string{"percent", "fixed_cart", "fixed_product"})))
		return
	}
	if typ == "fixed_product" {
		writeError(w, newErr(http.StatusBadRequest, "simulator_unsupported", "The simulator applies percent and fixed_cart coupons only."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.coupons[code]; taken {
		writeError(w, newErr(http.StatusBadRequest, "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists"))
		return
	}
	s.nextPostID++
	c := &Coupon{ID: s.nextPostID, Code: code, DiscountType: typ, Amount: in.Amount.V, FreeShipping: in.FreeShipping.V,
		Description: in.Description.V, DateCreated: s.now()}
	if !in.Amount.Set {
		c.Amount = decimal.Zero
	}
	s.coupons[code] = c
	home := s.homeURL(req)
	w.Header().Set("Location", home+"/wp-json/wc/v3/coupons/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, s.renderCoupon(c, home))
}

// listCoupons answers GET /coupons (page, per_page 1..100, default 10; newest first).
func (s *Server) listCoupons(w http.ResponseWriter, req *request) {
	page, perPage, e := listPage(req)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := make([]*Coupon, 0, len(s.coupons))
	for _, c := range s.coupons {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID > list[j].ID })
	total := int64(len(list))
	out := []any{}
	home := s.homeURL(req)
	for i := (page - 1) * perPage; i < total && i < page*perPage; i++ {
		out = append(out, s.renderCoupon(list[i], home))
	}
	w.Header().Set("X-WP-Total", strconv.FormatInt(total, 10))
	w.Header().Set("X-WP-TotalPages", strconv.FormatInt((total+perPage-1)/perPage, 10))
	writeJSON(w, http.StatusOK, out)
}

// listPage checks the caller may list and then reads the page parameters (see pageParams).
func listPage(req *request) (int64, int64, *wpError) {
	if e := cannotList(req); e != nil {
		return 0, 0, e
	}
	return pageParams(req)
}

// pageParams reads page (>= 1) and per_page (1..100, default 10) as WordPress checks them.
func pageParams(req *request) (int64, int64, *wpError) {
	page, perPage := int64(1), int64(10)
	var probs []paramProblem
	if v, ok := req.query.lookup("page"); ok {
		n, valid := parseInt(v)
		if !valid || n < 1 {
			probs = append(probs, paramProblem{Param: "page", Code: "rest_out_of_bounds", Message: "page must be greater than or equal to 1"})
		}
		page = n
	}
	if v, ok := req.query.lookup("per_page"); ok {
		n, valid := parseInt(v)
		if !valid || n < 1 || n > 100 {
			probs = append(probs, paramProblem{Param: "per_page", Code: "rest_out_of_bounds", Message: "per_page must be between 1 (inclusive) and 100 (inclusive)"})
		}
		perPage = n
	}
	if len(probs) > 0 {
		return 0, 0, invalidParams(probs...)
	}
	return page, perPage, nil
}
