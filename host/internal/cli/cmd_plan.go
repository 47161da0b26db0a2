package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/text"
)

// planTasks are the tasks `koppel plan` previews.
var planTasks = []string{pipeline.TaskImportOrders, pipeline.TaskExportStock, pipeline.TaskImportArticles}

func (a *app) planCommand() *cobra.Command {
	var (
		asJSON bool
		orders []string
		limit  int
	)
	cmd := &cobra.Command{
		Use:   "plan PROFILE [TASK]",
		Short: "Preview what a sync would book, without writing anything (default task import_orders; also export_stock, import_articles)",
		Long: `Preview what 'koppel sync PROFILE TASK' would do, computed by the same code, without writing
anything: no customer, article or sales order is created or updated in SnelStart, nothing is
written to the shop, and the state store (cursor, intents, remembered customers and articles) is
left as it is. Where the sync would create a customer or an article, the preview says so.

import_orders (the default) lists, for the orders the next sync would take (from the stored
cursor; --order for given shop order ids), the shop number and total, the customer decision,
every line (article code, quantity, unit price, VAT class), SnelStart's expected totals per VAT
rate, the difference booked, and the problems that would fail the order; then a summary (would
import, would fail, would skip). export_stock lists the products that would get a new quantity;
import_articles the products that would be created, updated, skipped or refused.

For orders imported before, import_orders also lists what the sync would do about their life in
the shop since, each as its own entry after the order: a refund booked as a credit order (action
credit, with its reference <prefix><number>-R<refund id>, lines and totals), a cancellation
(delete, a full credit order <number>-C, or attention, per orders.on_cancel) and an edit
(attention, per orders.on_change), with the reason. Nothing is booked, deleted or listed.

Output is in the language of the global --lang, KOPPEL_LANG or LANG (Dutch by default); --json prints the report as JSON with amounts as
decimal strings. The exit status is 0 when the preview could be made, whatever it found.`,
		Args: a.argsWithChoices("plan PROFILE [TASK]", 1, 2, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			profile, task := args[0], pipeline.TaskImportOrders
			if len(args) == 2 {
				task = args[1]
			}
			if !contains(planTasks, task) {
				return usageText("reason.cli.plan_task", task, strings.Join(planTasks, ", "))
			}
			if _, err := text.Detect(a.g.lang, a.env.Getenv); err != nil {
				return usageErr("%v", err)
			}
			if len(orders) > 0 && task != pipeline.TaskImportOrders {
				return usageErr("--order goes with import_orders only")
			}
			if limit < 0 {
				return usageErr("--limit %d: write a positive number of orders", limit)
			}
			ctx := cmd.Context()
			s, err := a.openSession(ctx, profile, nil)
			if err != nil {
				return err
			}
			defer s.Close()
			rep, err := s.pipe.Plan(ctx, task, pipeline.PlanOptions{OrderIDs: orders, Limit: limit})
			if err != nil {
				return failedErr("the preview could not be made: %v", err)
			}
			if asJSON {
				enc := json.NewEncoder(a.env.Stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return failedErr("write the preview: %v", err)
				}
				return nil
			}
			printPlan(a.env.Stdout, a.tr(), rep)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the preview as JSON")
	cmd.Flags().StringSliceVar(&orders, "order", nil, "shop order `ID` to preview (repeat or separate with commas); default: the orders the next sync would take")
	cmd.Flags().IntVar(&limit, "limit", pipeline.DefaultPlanLimit, "preview at most `N` orders (products, stock levels)")
	return cmd
}

// amount writes a decimal string the way the reader expects: 1234,50 in Dutch.
func amount(s string, l text.Lang) string {
	if l == text.EN || s == "" {
		return s
	}
	return strings.ReplaceAll(s, ".", ",")
}

// printPlan writes the human report of a preview in t's language (catalogue keys plan.*);
// reasons, problems and warnings are rendered from their stored English form (text.Reason).
func printPlan(w io.Writer, t text.Printer, rep pipeline.PlanReport) {
	l := t.Lang
	fmt.Fprintln(w, t.T("plan.title", rep.Task, rep.Profile))
	fmt.Fprintln(w)
	switch rep.Task {
	case pipeline.TaskExportStock:
		fmt.Fprintf(w, "%s:\n", t.T("plan.stock"))
		for _, s := range rep.Stock {
			prev := ""
			if s.Previous != "" {
				prev = " (" + amount(s.Previous, l) + ")"
			}
			fmt.Fprintf(w, "  %-20s %s%s\n", s.SKU, amount(s.Quantity, l), prev)
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, t.T("plan.stock_sum", rep.Summary.Write, rep.Summary.Unchanged, rep.Summary.HeldBack))
	case pipeline.TaskImportArticles:
		fmt.Fprintf(w, "%s:\n", t.T("plan.articles"))
		for _, it := range rep.Articles {
			fmt.Fprintf(w, "  %-20s %-9s %s\n", it.SKU, it.Status, text.Reason(l, it.Reason))
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, t.T("plan.article_sum", rep.Summary.Create, rep.Summary.Fail, rep.Summary.Skip))
	default:
		if len(rep.Orders) == 0 {
			fmt.Fprintln(w, t.T("plan.nothing"))
		}
		for _, op := range rep.Orders {
			printOrderPlan(w, t, op)
		}
		fmt.Fprintln(w, t.T("plan.summary", rep.Summary.Create, rep.Summary.Fail, rep.Summary.Skip))
		if s := rep.Summary; s.Credit+s.Delete+s.Attention > 0 {
			fmt.Fprintln(w, t.T("plan.after", s.Credit, amount(firstNonEmpty(s.TotalCredit, "0.00"), l), s.Delete, s.Attention))
		}
	}
	if rep.Summary.More {
		fmt.Fprintln(w, t.T("plan.more"))
	}
}

// optional is the message of key, or "" when the catalogue has none (an action without a word).
func optional(t text.Printer, key string) string {
	m, _ := t.Lookup(key)
	return m
}

func printOrderPlan(w io.Writer, t text.Printer, op pipeline.OrderPlan) {
	l := t.Lang
	fmt.Fprintln(w, t.T("plan.order", firstNonEmpty(op.Number, op.ShopID), amount(op.TotalShop, l), optional(t, "plan.action."+string(op.Action))))
	if op.Reason != "" {
		fmt.Fprintf(w, "  %s\n", text.Reason(l, op.Reason))
	}
	if op.InvoiceNumber != "" {
		fmt.Fprintf(w, "  %s %s\n", t.T("plan.invoice"), op.InvoiceNumber)
		for _, il := range op.InvoiceLines {
			fmt.Fprintf(w, "    %s: %s\n", il.Description, amount(il.Amount, l))
		}
	}
	if c := op.Customer; c != nil {
		who := strings.TrimSpace(fmt.Sprintf("%s %s", codeText(c.Code), c.Name))
		how := ""
		if c.MatchedBy != "" {
			how = fmt.Sprintf(" (%s %s)", t.T("plan.matched"), c.MatchedBy)
		}
		fmt.Fprintf(w, "  %s: %s %s%s\n", t.T("plan.customer"), optional(t, "plan.cust."+string(c.Action)), who, how)
	}
	if len(op.Lines) > 0 {
		fmt.Fprintf(w, "  %s:\n", t.T("plan.lines"))
	}
	for _, ln := range op.Lines {
		code := ln.ArticleCode
		if a := optional(t, "plan.art."+string(ln.ArticleAction)); a != "" {
			code += " (" + a + ")"
		}
		price := "-"
		if ln.UnitPrice != "" {
			price = amount(ln.UnitPrice, l)
		}
		vat := ln.VATClass
		if ln.VATRate != "" {
			vat += " " + ln.VATRate + "%"
		}
		fmt.Fprintf(w, "    %-28s %8s x %-10s %-10s %s\n", code, amount(ln.Quantity, l), price, vat, ln.Description)
	}
	if op.Action == mapping.ActionCreate || op.Action == pipeline.ActionCredit {
		total := t.T("plan.unknown_total")
		if op.TotalLedger != "" {
			total = amount(op.TotalLedger, l)
		}
		fmt.Fprintf(w, "  %s: %s\n", t.T("plan.expected"), total)
		for _, r := range op.ByRate {
			fmt.Fprintf(w, "    %s\n", t.T("plan.per_rate", r.Rate, amount(r.Excl, l), amount(r.VAT, l), amount(r.Incl, l)))
		}
		if op.Difference != "" {
			fmt.Fprintf(w, "  %s\n", t.T("plan.diff", amount(op.Difference, l)))
		} else if op.TotalLedger != "" {
			fmt.Fprintf(w, "  %s\n", t.T("plan.no_diff"))
		}
	}
	for _, p := range op.Problems {
		fmt.Fprintf(w, "  %s: %s\n", t.T("plan.problem"), text.Reason(l, p))
	}
	for _, x := range op.Warnings {
		fmt.Fprintf(w, "  %s: %s\n", t.T("plan.warning"), text.Reason(l, x))
	}
	fmt.Fprintln(w)
}

func codeText(code int) string {
	if code == 0 {
		return ""
	}
	return fmt.Sprint(code)
}
