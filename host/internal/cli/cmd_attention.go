package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/serve"
	"github.com/koppel-nl/koppel/host/internal/state"
)

func (a *app) attentionCommand() *cobra.Command {
	var asJSON, all bool
	var kind string
	cmd := &cobra.Command{
		Use:   "attention [PROFILE]",
		Short: "List what needs a person: orders cancelled, refunded or changed after import, reference collisions, differences",
		Long: `List the attention items of one profile (or of every profile): situations after import that
koppel does not decide alone. Each shows its id, kind (cancelled, refunded, changed,
reference_collision, difference, ...), the shop order, the SnelStart order, both totals and what
to do. Close an item with 'koppel resolve PROFILE ITEM' once it is handled. --all also lists
resolved items. While 'koppel run' holds the state store the list is asked of the running daemon
(its HTTP API on koppel.listen).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			profile := ""
			if len(args) == 1 {
				profile = args[0]
			}
			if kind != "" && !slices.Contains(attention.Kinds, attention.Kind(kind)) {
				return usageErr("unknown --kind %q (kinds: %s)", kind, kindList())
			}
			items, err := a.attentionItems(ctx, profile, attention.Filter{All: all, Kind: attention.Kind(kind)})
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]serve.AttentionItemJSON, 0, len(items))
				out = append(out, items...)
				return json.NewEncoder(a.env.Stdout).Encode(out)
			}
			printAttention(a.env.Stdout, items, all)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	cmd.Flags().BoolVar(&all, "all", false, "also list resolved items")
	cmd.Flags().StringVar(&kind, "kind", "", "only items of this kind ("+kindList()+")")
	return cmd
}

func (a *app) resolveCommand() *cobra.Command {
	var note string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "resolve PROFILE ITEM",
		Short: "Close an attention item once it is handled (ITEM is the id 'koppel attention' shows, or its first characters)",
		Long: `Mark an attention item as handled. ITEM is the id shown by 'koppel attention' (at least its
first 4 characters when they are unique). The item stays stored as resolved, with --note, and is
not raised again for the same situation. While 'koppel run' holds the state store the running
daemon resolves it.`,
		Args: a.argsWithChoices("resolve PROFILE ITEM", 1, 2, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if len(args) == 1 {
				return a.nameAnItem(ctx, args[0])
			}
			profile, id := args[0], args[1]
			it, was, err := a.resolveItem(ctx, profile, id, note)
			if err != nil {
				return err
			}
			if asJSON {
				st := "resolved"
				if !was {
					st = "already_resolved"
				}
				return json.NewEncoder(a.env.Stdout).Encode(serve.ResolvedJSON{Status: st, Item: it})
			}
			what := it.Kind
			if it.ShopNumber != "" {
				what += " order " + it.ShopNumber
			}
			if was {
				fmt.Fprintf(a.env.Stdout, "afgehandeld: %s (%s)\n", it.ID, what)
			} else {
				fmt.Fprintf(a.env.Stdout, "was al afgehandeld: %s (%s)\n", it.ID, what)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "a note kept with the item (what was done)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	return cmd
}

// attentionItems reads the items from the state store, or from the daemon when it holds it.
func (a *app) attentionItems(ctx context.Context, profile string, f attention.Filter) ([]serve.AttentionItemJSON, error) {
	k, err := a.koppelBlock()
	if err != nil {
		return nil, err
	}
	names := a.profileNames()
	if profile != "" {
		if err := a.checkProfileName(profile, names); err != nil {
			return nil, err
		}
		names = []string{profile}
	}
	st, err := a.openStoreOrDaemon(ctx, k)
	if err != nil {
		return nil, err
	}
	if st == nil {
		q := url.Values{"limit": {strconv.Itoa(serve.MaxLimit)}}
		if profile != "" {
			q.Set("profile", profile)
		}
		if f.All {
			q.Set("all", "1")
		}
		if f.Kind != "" {
			q.Set("kind", string(f.Kind))
		}
		var out serve.AttentionJSON
		if err := daemonCall(ctx, k, http.MethodGet, "/api/attention?"+q.Encode(), &out); err != nil {
			return nil, err
		}
		return out.Items, nil
	}
	defer st.Close()
	var out []serve.AttentionItemJSON
	for _, name := range names {
		items, err := attention.List(ctx, st, name, f)
		if err != nil {
			return nil, failedErr("%v", err)
		}
		for _, it := range items {
			out = append(out, serve.AttentionItemFromItem(it))
		}
	}
	return out, nil
}

// resolveItem resolves an item in the state store, or through the daemon when it holds it.
// kindList is the attention kinds for a usage message.
func kindList() string {
	names := make([]string, len(attention.Kinds))
	for i, k := range attention.Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// nameAnItem is the usage error of `koppel resolve PROFILE` without ITEM: it lists the open
// items of the profile to choose from.
func (a *app) nameAnItem(ctx context.Context, profile string) error {
	items, err := a.attentionItems(ctx, profile, attention.Filter{})
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return usageErr("name an item: koppel resolve %s ITEM (profile %s has no open attention items)", profile, profile)
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
		if it.ShopNumber != "" {
			ids[i] += " (" + it.Kind + " " + it.ShopNumber + ")"
		}
	}
	return usageErr("name an item: koppel resolve %s ITEM (open items: %s; 'koppel attention %s' shows them)", profile, listChoices(ids, 10), profile)
}

func (a *app) resolveItem(ctx context.Context, profile, id, note string) (serve.AttentionItemJSON, bool, error) {
	k, err := a.koppelBlock()
	if err != nil {
		return serve.AttentionItemJSON{}, false, err
	}
	if err := a.checkProfileName(profile, a.profileNames()); err != nil {
		return serve.AttentionItemJSON{}, false, err
	}
	st, err := a.openStoreOrDaemon(ctx, k)
	if err != nil {
		return serve.AttentionItemJSON{}, false, err
	}
	if st == nil {
		var out serve.ResolvedJSON
		path := "/api/profiles/" + url.PathEscape(profile) + "/attention/" + url.PathEscape(id) + "/resolve?" + url.Values{"note": {note}}.Encode()
		if err := daemonCall(ctx, k, http.MethodPost, path, &out); err != nil {
			return serve.AttentionItemJSON{}, false, err
		}
		return out.Item, out.Status == "resolved", nil
	}
	defer st.Close()
	it, was, err := attention.Resolve(ctx, st, profile, id, "cli", note, time.Now())
	if errors.Is(err, attention.ErrNotFound) {
		return serve.AttentionItemJSON{}, false, usageErr("%v; 'koppel attention %s --all' lists the items", err, profile)
	}
	if err != nil {
		return serve.AttentionItemJSON{}, false, failedErr("%v", err)
	}
	return serve.AttentionItemFromItem(it), was, nil
}

// openStoreOrDaemon opens the state store, or returns nil (and no error) when a running daemon
// holds it and serves the HTTP API on koppel.listen.
func (a *app) openStoreOrDaemon(ctx context.Context, k config.KoppelBlock) (*state.Store, error) {
	if st := a.sharedStore(); st != nil {
		return st, nil
	}
	if err := os.MkdirAll(filepath.Clean(k.StateDir), 0o700); err != nil {
		return nil, failedErr("state_dir %s: %v", k.StateDir, err)
	}
	st, err := state.Open(ctx, k.StateDir, state.Options{Logger: a.logger().Named("state")})
	if err == nil {
		return st, nil
	}
	if !strings.Contains(err.Error(), "directory lock") {
		return nil, failedText("reason.cli.store_open", k.StateDir, err)
	}
	if k.Listen == "" {
		return nil, failedText("reason.cli.store_busy_unasked", k.StateDir)
	}
	return nil, nil
}

// daemonCall sends one request to the running daemon's API and decodes its JSON answer into out.
func daemonCall(ctx context.Context, k config.KoppelBlock, method, path string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://"+k.Listen+path, nil)
	if err != nil {
		return failedErr("ask the running koppel: %v", err)
	}
	if k.APIToken != "" {
		req.Header.Set("Authorization", "Bearer "+k.APIToken)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return failedErr("the state store is in use by 'koppel run', but its API on %s does not answer: %v", k.Listen, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return failedErr("read the answer of the running koppel: %v", err)
	}
	if resp.StatusCode >= 300 {
		var e serve.ErrorJSON
		_ = json.Unmarshal(body, &e)
		if resp.StatusCode == http.StatusNotFound {
			return usageErr("the running koppel says: %s", e.Error)
		}
		return failedErr("the running koppel answered %d: %s", resp.StatusCode, e.Error)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return failedErr("read the answer of the running koppel: %v", err)
	}
	return nil
}

// printAttention writes the items as a table, Dutch headings (the bookkeeper's language).
func printAttention(w io.Writer, items []serve.AttentionItemJSON, all bool) {
	if len(items) == 0 {
		if all {
			fmt.Fprintln(w, "geen aandachtspunten")
		} else {
			fmt.Fprintln(w, "niets heeft aandacht nodig")
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFIEL\tID\tSOORT\tWEBWINKELORDER\tSNELSTART-ORDER\tTOTAAL WEBWINKEL\tTOTAAL SNELSTART\tSINDS\tWAT TE DOEN")
	for _, it := range items {
		ledger := "-"
		if it.LedgerNumber != 0 {
			ledger = strconv.Itoa(it.LedgerNumber)
		}
		kind := it.Kind
		if !it.Open {
			kind += " (afgehandeld)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.Profile, it.ID, kind, dash(it.ShopNumber), ledger,
			dash(it.ShopTotal), dash(it.LedgerTotal), it.CreatedAt.Local().Format(time.DateTime), strings.TrimSpace(it.Message+" "+it.Action))
	}
	_ = tw.Flush()
	open := 0
	for _, it := range items {
		if it.Open {
			open++
		}
	}
	fmt.Fprintf(w, "%d open; sluit een punt met 'koppel resolve PROFIEL ID'\n", open)
}
