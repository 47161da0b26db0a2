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
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			profile, task := args[0], pipeline.TaskImportOrders
			if len(args) == 2 {
				task = args[1]
			}
			if !contains(planTasks, task) {
				return usageErr("koppel plan cannot preview task %q (tasks: %s)", task, strings.Join(planTasks, ", "))
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
			printPlan(a.env.Stdout, rep, a.tr().Lang == text.EN)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the preview as JSON")
	cmd.Flags().StringSliceVar(&orders, "order", nil, "shop order `ID` to preview (repeat or separate with commas); default: the orders the next sync would take")
	cmd.Flags().IntVar(&limit, "limit", pipeline.DefaultPlanLimit, "preview at most `N` orders (products, stock levels)")
	return cmd
}

// planText holds the report's words in Dutch and English.
type planText struct {
	title, nothing, order, shopTotal, customer, lines, expected, perRate, diff, noDiff, problem, warning, skip string
	create, fail, summary, more, stock, stockSum, articles, articleSum, unknownTotal, invoice                  string
	credit, deleted, attention, after                                                                          string
	custAction                                                                                                 map[mapping.CustomerAction]string
	artAction                                                                                                  map[mapping.ArticleAction]string
	matched                                                                                                    string
}

var planTexts = map[bool]planText{
	false: {
		title: "Voorbeeld van %s voor profiel %s (er wordt niets geboekt of opgeslagen)", nothing: "Niets te doen.",
		order: "Order %s", shopTotal: "totaal webshop %s", customer: "Klant", lines: "Regels", expected: "Verwacht in SnelStart",
		perRate: "btw %s%%: excl. %s, btw %s, incl. %s", diff: "Verschil geboekt op het verschilartikel: %s", noDiff: "Verschil: geen",
		problem: "Probleem", warning: "Let op", skip: "wordt overgeslagen", create: "wordt geïmporteerd", fail: "mislukt",
		summary: "Samenvatting: %d worden geïmporteerd, %d mislukken, %d worden overgeslagen", more: "(er zijn meer; --limit toont er meer)",
		stock: "Voorraad die naar de webshop zou gaan", stockSum: "%d producten krijgen een nieuwe voorraad, %d ongewijzigd, %d tegengehouden door wachtende of mislukte orders",
		articles: "Producten", articleSum: "%d worden aangemaakt of bijgewerkt, %d mislukken, %d ongewijzigd of overgeslagen",
		unknownTotal: "niet vooraf te berekenen (SnelStart bepaalt de prijzen)",
		credit:       "wordt als creditorder geboekt", deleted: "de verkooporder wordt in SnelStart verwijderd", attention: "komt op de lijst Aandacht nodig",
		after: "Na import: %d creditorders (samen %s), %d verkooporders verwijderd, %d aandachtspunten",
		custAction: map[mapping.CustomerAction]string{mapping.CustomerExisting: "bestaande relatie", mapping.CustomerCreate: "nieuwe relatie aanmaken",
			mapping.CustomerUpdate: "bestaande relatie bijwerken", mapping.CustomerFail: "geen relatie"},
		artAction: map[mapping.ArticleAction]string{mapping.ArticleCreate: "nieuw artikel", mapping.ArticleUpdate: "artikel bijwerken"},
		matched:   "gevonden op",
		invoice:   "Geboekt als verkoopfactuur (verkoopboeking), factuurnummer",
	},
	true: {
		title: "Preview of %s for profile %s (nothing is booked or stored)", nothing: "Nothing to do.",
		order: "Order %s", shopTotal: "shop total %s", customer: "Customer", lines: "Lines", expected: "Expected in SnelStart",
		perRate: "VAT %s%%: excl. %s, VAT %s, incl. %s", diff: "Difference booked on the difference article: %s", noDiff: "Difference: none",
		problem: "Problem", warning: "Note", skip: "is skipped", create: "is imported", fail: "fails",
		summary: "Summary: %d would be imported, %d would fail, %d would be skipped", more: "(there are more; --limit shows more)",
		stock: "Stock that would go to the shop", stockSum: "%d products get a new quantity, %d unchanged, %d held back by waiting or failed orders",
		articles: "Products", articleSum: "%d would be created or updated, %d would fail, %d unchanged or skipped",
		unknownTotal: "cannot be known beforehand (SnelStart sets the prices)",
		credit:       "is booked as a credit order", deleted: "its sales order is deleted in SnelStart", attention: "is listed for attention",
		after: "After import: %d credit orders (together %s), %d sales orders deleted, %d attention items",
		custAction: map[mapping.CustomerAction]string{mapping.CustomerExisting: "existing relatie", mapping.CustomerCreate: "create a new relatie",
			mapping.CustomerUpdate: "update the existing relatie", mapping.CustomerFail: "no relatie"},
		artAction: map[mapping.ArticleAction]string{mapping.ArticleCreate: "new article", mapping.ArticleUpdate: "article updated"},
		matched:   "matched by",
		invoice:   "Booked as a sales invoice (verkoopboeking), invoice number",
	},
}

// amount writes a decimal string the way the reader expects: 1234,50 in Dutch.
func amount(s string, en bool) string {
	if en || s == "" {
		return s
	}
	return strings.ReplaceAll(s, ".", ",")
}

// printPlan writes the human report of a preview.
func printPlan(w io.Writer, rep pipeline.PlanReport, en bool) {
	tx := planTexts[en]
	fmt.Fprintf(w, tx.title+"\n\n", rep.Task, rep.Profile)
	switch rep.Task {
	case pipeline.TaskExportStock:
		fmt.Fprintf(w, "%s:\n", tx.stock)
		for _, s := range rep.Stock {
			prev := ""
			if s.Previous != "" {
				prev = " (" + amount(s.Previous, en) + ")"
			}
			fmt.Fprintf(w, "  %-20s %s%s\n", s.SKU, amount(s.Quantity, en), prev)
		}
		fmt.Fprintf(w, "\n"+tx.stockSum+"\n", rep.Summary.Write, rep.Summary.Unchanged, rep.Summary.HeldBack)
	case pipeline.TaskImportArticles:
		fmt.Fprintf(w, "%s:\n", tx.articles)
		for _, it := range rep.Articles {
			fmt.Fprintf(w, "  %-20s %-9s %s\n", it.SKU, it.Status, text.Reason(planLang(en), it.Reason))
		}
		fmt.Fprintf(w, "\n"+tx.articleSum+"\n", rep.Summary.Create, rep.Summary.Fail, rep.Summary.Skip)
	default:
		if len(rep.Orders) == 0 {
			fmt.Fprintln(w, tx.nothing)
		}
		for _, op := range rep.Orders {
			printOrderPlan(w, op, tx, en)
		}
		fmt.Fprintf(w, tx.summary+"\n", rep.Summary.Create, rep.Summary.Fail, rep.Summary.Skip)
		if s := rep.Summary; s.Credit+s.Delete+s.Attention > 0 {
			fmt.Fprintf(w, tx.after+"\n", s.Credit, amount(firstNonEmpty(s.TotalCredit, "0.00"), en), s.Delete, s.Attention)
		}
	}
	if rep.Summary.More {
		fmt.Fprintln(w, tx.more)
	}
}

func printOrderPlan(w io.Writer, op pipeline.OrderPlan, tx planText, en bool) {
	verdict := map[mapping.Action]string{mapping.ActionCreate: tx.create, mapping.ActionFail: tx.fail, mapping.ActionSkip: tx.skip,
		pipeline.ActionCredit: tx.credit, pipeline.ActionDelete: tx.deleted, pipeline.ActionAttention: tx.attention}[op.Action]
	fmt.Fprintf(w, tx.order+", "+tx.shopTotal+": %s\n", firstNonEmpty(op.Number, op.ShopID), amount(op.TotalShop, en), verdict)
	if op.Reason != "" {
		fmt.Fprintf(w, "  %s\n", text.Reason(planLang(en), op.Reason))
	}
	if op.InvoiceNumber != "" {
		fmt.Fprintf(w, "  %s %s\n", tx.invoice, op.InvoiceNumber)
		for _, l := range op.InvoiceLines {
			fmt.Fprintf(w, "    %s: %s\n", l.Description, amount(l.Amount, en))
		}
	}
	if c := op.Customer; c != nil {
		who := strings.TrimSpace(fmt.Sprintf("%s %s", codeText(c.Code), c.Name))
		how := ""
		if c.MatchedBy != "" {
			how = fmt.Sprintf(" (%s %s)", tx.matched, c.MatchedBy)
		}
		fmt.Fprintf(w, "  %s: %s %s%s\n", tx.customer, tx.custAction[c.Action], who, how)
	}
	if len(op.Lines) > 0 {
		fmt.Fprintf(w, "  %s:\n", tx.lines)
	}
	for _, l := range op.Lines {
		code := l.ArticleCode
		if a := tx.artAction[l.ArticleAction]; a != "" {
			code += " (" + a + ")"
		}
		price := "-"
		if l.UnitPrice != "" {
			price = amount(l.UnitPrice, en)
		}
		vat := l.VATClass
		if l.VATRate != "" {
			vat += " " + l.VATRate + "%"
		}
		fmt.Fprintf(w, "    %-28s %8s x %-10s %-10s %s\n", code, amount(l.Quantity, en), price, vat, l.Description)
	}
	if op.Action == mapping.ActionCreate || op.Action == pipeline.ActionCredit {
		total := tx.unknownTotal
		if op.TotalLedger != "" {
			total = amount(op.TotalLedger, en)
		}
		fmt.Fprintf(w, "  %s: %s\n", tx.expected, total)
		for _, r := range op.ByRate {
			fmt.Fprintf(w, "    "+tx.perRate+"\n", r.Rate, amount(r.Excl, en), amount(r.VAT, en), amount(r.Incl, en))
		}
		if op.Difference != "" {
			fmt.Fprintf(w, "  "+tx.diff+"\n", amount(op.Difference, en))
		} else if op.TotalLedger != "" {
			fmt.Fprintf(w, "  %s\n", tx.noDiff)
		}
	}
	for _, p := range op.Problems {
		fmt.Fprintf(w, "  %s: %s\n", tx.problem, p)
	}
	for _, x := range op.Warnings {
		fmt.Fprintf(w, "  %s: %s\n", tx.warning, x)
	}
	fmt.Fprintln(w)
}

func codeText(code int) string {
	if code == 0 {
		return ""
	}
	return fmt.Sprint(code)
}

// planLang is the language of a plan printed in English (en) or Dutch.
func planLang(en bool) text.Lang {
	if en {
		return text.EN
	}
	return text.NL
}
