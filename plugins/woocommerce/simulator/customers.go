package simulator

import (
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// Customer is a registered customer (a WordPress user with WooCommerce's customer data) as the
// simulator stores it. Ids are WordPress user ids, a sequence of their own (user 1 is the
// site's administrator), so a customer id may equal an order or product id.
type Customer struct {
	ID        int64
	Email     string
	FirstName string
	LastName  string
	Username  string
	// Role is the WordPress role, "customer" unless given.
	Role             string
	Billing          Address
	Shipping         Address
	IsPayingCustomer bool
	// MetaData is the user meta WooCommerce shows, e.g. a customer number a B2B plugin keeps.
	MetaData     []Meta
	DateCreated  time.Time
	DateModified time.Time
}

// clone returns a deep copy of c.
func (c *Customer) clone() Customer {
	out := *c
	out.MetaData = copyMeta(c.MetaData)
	return out
}

// customerInput is a POST /customers body (and a seed file's customer).
type customerInput struct {
	ID        jInt          `json:"id"`
	Email     jString       `json:"email"`
	FirstName jString       `json:"first_name"`
	LastName  jString       `json:"last_name"`
	Username  jString       `json:"username"`
	Password  jString       `json:"password"`
	Role      jString       `json:"role"`
	Billing   *addressInput `json:"billing"`
	Shipping  *addressInput `json:"shipping"`
	MetaData  []metaInput   `json:"meta_data"`
	// Seed only: creation and modification dates (GMT) and is_paying_customer (read-only in
	// the API), as a dump renders them.
	IsPayingCustomer jBool   `json:"is_paying_customer"`
	DateCreatedGMT   jString `json:"date_created_gmt"`
	DateModifiedGMT  jString `json:"date_modified_gmt"`
}

// invalidCustomerID is WooCommerce's answer for a customer id that does not exist
// (WC_REST_Customers_V1_Controller::get_item).
func invalidCustomerID() *wpError {
	return newErr(http.StatusNotFound, "woocommerce_rest_invalid_id", "Invalid resource ID.")
}

// createCustomerLocked validates in and stores the customer; seed keeps a given id and dates.
// The caller holds mu.
func (s *Server) createCustomerLocked(in *customerInput, seed bool) (*Customer, *wpError) {
	var p problems
	p.integer("id", "id", in.ID)
	for _, f := range []struct {
		name string
		v    jString
	}{{"email", in.Email}, {"first_name", in.FirstName}, {"last_name", in.LastName}, {"username", in.Username},
		{"password", in.Password}, {"role", in.Role}} {
		p.str(f.name, f.name, f.v)
	}
	checkMeta(&p, "meta_data", in.MetaData)
	if e := p.err(); e != nil {
		return nil, e
	}
	if in.ID.Set && in.ID.V != 0 && !seed {
		return nil, newErr(http.StatusBadRequest, "woocommerce_rest_customer_exists", "Cannot create existing resource.")
	}
	email := strings.TrimSpace(in.Email.V)
	if email == "" {
		return nil, &wpError{Status: http.StatusBadRequest, Code: "rest_missing_callback_param",
			Message: "Missing parameter(s): email", Extra: []kv{{"params", []string{"email"}}}}
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return nil, newErr(http.StatusBadRequest, "registration-error-invalid-email", "Please provide a valid email address.")
	}
	for _, c := range s.customers {
		if strings.EqualFold(c.Email, email) {
			return nil, newErr(http.StatusBadRequest, "registration-error-email-exists",
				"An account is already registered with your email address. Please log in.")
		}
	}
	now := s.now()
	c := &Customer{Email: email, FirstName: in.FirstName.V, LastName: in.LastName.V, Role: "customer",
		DateCreated: now, DateModified: now}
	if in.Role.Set && in.Role.V != "" {
		c.Role = in.Role.V
	}
	c.Username = in.Username.V
	if c.Username == "" {
		// WooCommerce's generated username: the part of the e-mail before the @.
		c.Username, _, _ = strings.Cut(email, "@")
	}
	applyAddress(&c.Billing, in.Billing)
	applyAddress(&c.Shipping, in.Shipping)
	c.Shipping.Email = ""
	c.MetaData = s.newMeta(in.MetaData)
	if seed && in.ID.Set && in.ID.V > 0 {
		if _, taken := s.customers[in.ID.V]; taken {
			return nil, newErr(http.StatusBadRequest, "woocommerce_rest_customer_exists", "Cannot create existing resource.")
		}
		c.ID = in.ID.V
	} else {
		c.ID = s.nextUserID + 1
	}
	if c.ID > s.nextUserID {
		s.nextUserID = c.ID
	}
	if seed {
		c.IsPayingCustomer = in.IsPayingCustomer.Set && in.IsPayingCustomer.V
		if t, ok := seedTime(in.DateCreatedGMT); ok {
			c.DateCreated, c.DateModified = t, t
		}
		if t, ok := seedTime(in.DateModifiedGMT); ok {
			c.DateModified = t
		}
	}
	s.customers[c.ID] = c
	return c, nil
}

// ensureCustomerLocked registers a generated order's customer (id, name, address, e-mail) when
// the store does not know it yet; the caller holds mu.
func (s *Server) ensureCustomerLocked(g genCustomer) {
	if g.id == 0 {
		return
	}
	if _, ok := s.customers[g.id]; ok {
		return
	}
	a := Address{FirstName: g.first, LastName: g.last, Company: g.company, Address1: g.street, City: g.city,
		Postcode: g.postcode, Country: g.country, Email: g.email, Phone: g.phone}
	ship := a
	ship.Email, ship.Phone = "", ""
	user, _, _ := strings.Cut(g.email, "@")
	now := s.now()
	s.customers[g.id] = &Customer{ID: g.id, Email: g.email, FirstName: g.first, LastName: g.last, Username: user,
		Role: "customer", Billing: a, Shipping: ship, IsPayingCustomer: true, DateCreated: now, DateModified: now}
	if g.id > s.nextUserID {
		s.nextUserID = g.id
	}
}

// renderCustomer renders c as GET /customers/{id} does (WooCommerce 10, REST v3); the caller
// holds mu.
func (s *Server) renderCustomer(c *Customer, home string) orderedMap {
	api := home + "/wp-json/wc/v3"
	billing := orderedMap{
		{"first_name", c.Billing.FirstName}, {"last_name", c.Billing.LastName}, {"company", c.Billing.Company},
		{"address_1", c.Billing.Address1}, {"address_2", c.Billing.Address2}, {"city", c.Billing.City},
		{"postcode", c.Billing.Postcode}, {"country", c.Billing.Country}, {"state", c.Billing.State},
		{"email", c.Billing.Email}, {"phone", c.Billing.Phone},
	}
	shipping := orderedMap{
		{"first_name", c.Shipping.FirstName}, {"last_name", c.Shipping.LastName}, {"company", c.Shipping.Company},
		{"address_1", c.Shipping.Address1}, {"address_2", c.Shipping.Address2}, {"city", c.Shipping.City},
		{"postcode", c.Shipping.Postcode}, {"country", c.Shipping.Country}, {"state", c.Shipping.State},
		{"phone", c.Shipping.Phone},
	}
	id := strconv.FormatInt(c.ID, 10)
	return orderedMap{
		{"id", c.ID},
		{"date_created", s.localDate(c.DateCreated)}, {"date_created_gmt", gmtDate(c.DateCreated)},
		{"date_modified", s.localDate(c.DateModified)}, {"date_modified_gmt", gmtDate(c.DateModified)},
		{"email", c.Email}, {"first_name", c.FirstName}, {"last_name", c.LastName}, {"role", c.Role},
		{"username", c.Username}, {"billing", billing}, {"shipping", shipping},
		{"is_paying_customer", c.IsPayingCustomer},
		{"avatar_url", "https://secure.gravatar.com/avatar/?s=96&d=mm&r=g"},
		{"meta_data", renderOrderMeta(c.MetaData)},
		{"_links", selfLinks(api+"/customers/"+id, api+"/customers")},
	}
}

func (s *Server) getCustomer(w http.ResponseWriter, req *request, id int64) {
	if e := cannotView(req); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[id]
	if !ok {
		writeError(w, invalidCustomerID())
		return
	}
	writeJSON(w, http.StatusOK, s.renderCustomer(c, s.homeURL(req)))
}

func (s *Server) createCustomer(w http.ResponseWriter, req *request) {
	var in customerInput
	if e := decodeCreate(req, &in); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.createCustomerLocked(&in, false)
	if e != nil {
		writeError(w, e)
		return
	}
	home := s.homeURL(req)
	w.Header().Set("Location", home+"/wp-json/wc/v3/customers/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, s.renderCustomer(c, home))
}

// AddCustomer stores a registered customer as given. A zero ID takes the next user id; a zero
// Role becomes "customer", an empty Username the e-mail's part before the @, zero dates the
// clock's time, meta entries without id get one. It fails on a taken id or e-mail.
func (s *Server) AddCustomer(c Customer) (Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := c.clone()
	if n.ID != 0 {
		if _, taken := s.customers[n.ID]; taken {
			return Customer{}, fmt.Errorf("simulator: add customer %d: id already exists", n.ID)
		}
	}
	for _, x := range s.customers {
		if n.Email != "" && strings.EqualFold(x.Email, n.Email) {
			return Customer{}, fmt.Errorf("simulator: add customer: e-mail %q already used by %d", n.Email, x.ID)
		}
	}
	if n.ID == 0 {
		n.ID = s.nextUserID + 1
	}
	if n.ID > s.nextUserID {
		s.nextUserID = n.ID
	}
	if n.Role == "" {
		n.Role = "customer"
	}
	if n.Username == "" {
		n.Username, _, _ = strings.Cut(n.Email, "@")
	}
	now := s.now()
	if n.DateCreated.IsZero() {
		n.DateCreated = now
	}
	if n.DateModified.IsZero() {
		n.DateModified = n.DateCreated
	}
	for i := range n.MetaData {
		if n.MetaData[i].ID == 0 {
			s.nextMetaID++
			n.MetaData[i].ID = s.nextMetaID
		}
	}
	s.customers[n.ID] = &n
	return n.clone(), nil
}

// CustomerByID returns a snapshot of one registered customer.
func (s *Server) CustomerByID(id int64) (Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[id]
	if !ok {
		return Customer{}, false
	}
	return c.clone(), true
}
