package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// orderRow is one line of `koppel orders` (and one object of its --json output).
type orderRow struct {
	ShopID        string `json:"shop_id"`
	ShopNumber    string `json:"shop_number"`
	Status        string `json:"status"`
	LedgerNumber  int    `json:"ledger_number,omitempty"`
	LedgerOrderID string `json:"ledger_order_id,omitempty"`
	// InvoiceNumber is the factuurnummer of an order booked as a sales invoice
	// (orders.book_as = "invoice"), which has no order number.
	InvoiceNumber   string     `json:"invoice_number,omitempty"`
	CustomerCode    int        `json:"customer_code,omitempty"`
	CustomerName    string     `json:"customer_name,omitempty"`
	TotalIncl       *sdk.Money `json:"total_incl,omitempty"`
	ShopTotal       *sdk.Money `json:"shop_total,omitempty"`
	At              time.Time  `json:"at"`
	Reason          string     `json:"reason,omitempty"`
	Kind            string     `json:"kind,omitempty"`
	Code            string     `json:"code,omitempty"`
	Attempts        int        `json:"attempts,omitempty"`
	Parked          bool       `json:"parked,omitempty"`
	Warnings        []string   `json:"warnings,omitempty"`
	DifferenceTotal *sdk.Money `json:"difference_booked,omitempty"`
}

func (a *app) ordersCommand() *cobra.Command {
	var failed, asJSON, names, verbose bool
	cmd := &cobra.Command{
		Use:   "orders PROFILE",
		Short: "List imported orders: shop number → SnelStart order number, customer, status; --failed lists failed orders with their reason",
		Long: `List the orders koppel imported for a profile: the shop's order number, the SnelStart sales
order number, the customer it was booked on (relatiecode, and the name of a business customer,
the only name koppel keeps; every name with --names, which asks SnelStart), the status (imported,
adopted: created by a run whose answer was lost, already_present: SnelStart had it) and the totals.
--failed lists the failed orders instead: parked ones wait for 'koppel retry' or a change in the
shop; the others are retried on the next run.`,
		Args: a.argsWithChoices("orders PROFILE", 1, 1, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			profile := args[0]
			st, profiles, err := a.readStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := a.checkProfileName(profile, profiles); err != nil {
				return err
			}
			var rows []orderRow
			nFailed := 0
			err = pipeline.ListFailedRecords(ctx, st, profile, func(f pipeline.FailedRecord) error {
				nFailed++
				if failed {
					rows = append(rows, failedRow(f))
				}
				return nil
			})
			if err != nil {
				return failedErr("%v", err)
			}
			if !failed {
				err = pipeline.ListOrderRecords(ctx, st, profile, func(r pipeline.OrderRecord) error {
					rows = append(rows, doneRow(r))
					return nil
				})
				if err != nil {
					return failedErr("%v", err)
				}
			}
			sortRows(rows)
			if names && !failed && len(rows) > 0 {
				st.Close()
				if err := a.fillNames(ctx, profile, rows); err != nil {
					return err
				}
			}
			if asJSON {
				if rows == nil {
					rows = []orderRow{}
				}
				return json.NewEncoder(a.env.Stdout).Encode(rows)
			}
			printOrders(a, rows, failed, verbose)
			if !failed && nFailed > 0 {
				fmt.Fprintln(a.env.Stdout, a.tr().T("orders.failed_count", nFailed, profile))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&failed, "failed", false, "list the failed orders with their reason")
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	cmd.Flags().BoolVar(&verbose, "verbose", false, "with --failed: each reason in full, not only its first sentence")
	cmd.Flags().BoolVar(&names, "names", false, "look the customers' names up in SnelStart (one call per customer)")
	return cmd
}

func doneRow(r pipeline.OrderRecord) orderRow {
	total, shop := r.TotalIncl, r.ShopTotal
	row := orderRow{ShopID: r.ShopID, ShopNumber: r.ShopNumber, Status: string(r.Status), LedgerNumber: r.LedgerNumber,
		LedgerOrderID: r.LedgerOrderID, CustomerCode: r.CustomerCode, CustomerName: r.CustomerName, TotalIncl: &total, ShopTotal: &shop, At: r.DoneAt,
		Warnings: r.Warnings}
	row.InvoiceNumber = r.InvoiceNumber()
	if !r.DifferenceBooked.IsZero() {
		d := r.DifferenceBooked
		row.DifferenceTotal = &d
	}
	return row
}

func failedRow(f pipeline.FailedRecord) orderRow {
	status := "retrying"
	if f.Parked {
		status = "failed"
	}
	total := f.Order.Totals.Total
	return orderRow{ShopID: f.ShopID, ShopNumber: f.ShopNumber, Status: status, CustomerName: pipeline.ShopCustomerName(f.Order), ShopTotal: &total,
		At: f.LastFailedAt, Reason: f.Reason, Kind: f.Kind, Code: f.Code, Attempts: f.Attempts, Parked: f.Parked}
}

// sortRows orders rows by shop number, numerically when both are numbers.
func sortRows(rows []orderRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := firstNonEmpty(rows[i].ShopNumber, rows[i].ShopID), firstNonEmpty(rows[j].ShopNumber, rows[j].ShopID)
		na, ea := strconv.ParseInt(a, 10, 64)
		nb, eb := strconv.ParseInt(b, 10, 64)
		if ea == nil && eb == nil {
			return na < nb
		}
		return a < b
	})
}

// fillNames asks the ledger for the current name of every relatiecode in rows (an order record
// keeps a business customer's name only); the names are printed, not stored.
func (a *app) fillNames(ctx context.Context, profile string, rows []orderRow) error {
	s, err := a.openSession(ctx, profile, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	ledger, err := s.mgr.Ledger(ctx, s.profile.Ledger.Name, s.profile.Name, s.profile.Ledger.Config)
	if err != nil {
		return failedText("reason.cli.ledger_plugin", s.profile.Name, s.profile.Ledger.Name, err)
	}
	names := map[int]string{}
	for i := range rows {
		code := rows[i].CustomerCode
		if code == 0 {
			continue
		}
		if _, ok := names[code]; !ok {
			found, err := ledger.FindRelaties(ctx, sdk.RelatieQuery{Code: code})
			if err != nil {
				return failedErr("look up customer %d in SnelStart: %v", code, err)
			}
			names[code] = ""
			if len(found) > 0 {
				names[code] = found[0].Name
			}
		}
		rows[i].CustomerName = names[code]
	}
	return nil
}

func printOrders(a *app, rows []orderRow, failed, verbose bool) {
	t := a.tr()
	if len(rows) == 0 {
		if failed {
			fmt.Fprintln(a.env.Stdout, t.T("orders.none_failed"))
		} else {
			fmt.Fprintln(a.env.Stdout, t.T("orders.none"))
		}
		return
	}
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	if failed {
		fmt.Fprintln(tw, t.T("orders.header_fail"))
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", firstNonEmpty(r.ShopNumber, r.ShopID), statusText(t, r.Status), r.Attempts,
				dash(r.CustomerName), money(r.ShopTotal), r.At.Local().Format(time.DateTime), reasonText(t, r.Kind, r.Code, r.Reason, verbose))
		}
		_ = tw.Flush()
		return
	}
	fmt.Fprintln(tw, t.T("orders.header"))
	for _, r := range rows {
		cust := "-"
		if r.CustomerCode != 0 {
			cust = strconv.Itoa(r.CustomerCode)
			if r.CustomerName != "" {
				cust += " " + r.CustomerName
			}
		}
		notes := ""
		if len(r.Warnings) > 0 {
			notes = truncate(text.Reason(t.Lang, r.Warnings[0]), 70)
			if len(r.Warnings) > 1 {
				notes += t.T("orders.more_notes", len(r.Warnings)-1)
			}
		}
		ledger := strconv.Itoa(r.LedgerNumber)
		if r.InvoiceNumber != "" {
			ledger = r.InvoiceNumber
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", firstNonEmpty(r.ShopNumber, r.ShopID), ledger, cust, statusText(t, r.Status),
			money(r.TotalIncl), money(r.ShopTotal), r.At.Local().Format(time.DateTime), notes)
	}
	_ = tw.Flush()
}

// reasonText is a failure reason of kind as a table shows it, in the chosen language (a
// connector's message behind the short sentence of its kind, text.Failure): its first
// sentence, marked "…" when there is more (--verbose and the dashboard show it whole; --json keeps
// the stored English text).
func reasonText(t text.Printer, kind, code, reason string, verbose bool) string {
	if verbose {
		return text.Failure(t.Lang, kind, reason)
	}
	short, more := text.Headline(t.Lang, kind, code, reason)
	if more {
		short += " (…)"
	}
	return short
}

// statusText is an order status as the bookkeeper reads it (the JSON keeps the status code).
func statusText(t text.Printer, status string) string {
	if s := t.T("status." + status); !strings.HasPrefix(s, "??") {
		return s
	}
	return status
}

func money(m *sdk.Money) string {
	if m == nil {
		return "-"
	}
	return m.StringFixed(2)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// truncate cuts s to max runes with an ellipsis.
func truncate(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}
