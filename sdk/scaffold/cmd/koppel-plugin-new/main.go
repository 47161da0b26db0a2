// Command koppel-plugin-new writes the skeleton of a new koppel plugin, the same as
// `koppel plugins new`:
//
//	go run github.com/koppel-nl/koppel/sdk/scaffold/cmd/koppel-plugin-new --kind shop myshop
//
// It creates ./koppel-plugin-myshop (or --dir) with a Go module that builds as generated and
// whose tests name every method still to be written.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/scaffold"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

func run(args []string) error {
	fl := flag.NewFlagSet("koppel-plugin-new", flag.ContinueOnError)
	kind := fl.String("kind", "shop", "plugin kind: shop or ledger")
	dir := fl.String("dir", "", "directory to create (default ./koppel-plugin-NAME)")
	module := fl.String("module", "", "Go module path (default example.com/koppel-plugin-NAME)")
	replace := fl.String("replace", "", "path of a local koppel checkout to build against (default: the checkout the working directory is in, if any; \"none\" for the published module)")
	fl.Usage = func() {
		fmt.Fprintln(fl.Output(), "usage: koppel-plugin-new [--kind shop|ledger] [--dir DIR] [--module PATH] [--replace KOPPEL_CHECKOUT] NAME")
		fl.PrintDefaults()
	}
	// Flags may follow the name, as in `koppel plugins new NAME --kind ledger`.
	var name string
	for len(args) > 0 {
		if err := fl.Parse(args); err != nil {
			return err
		}
		args = fl.Args()
		if len(args) > 0 {
			if name != "" {
				return fmt.Errorf("one plugin name, please (got %q and %q)", name, args[0])
			}
			name, args = args[0], args[1:]
		}
	}
	if name == "" {
		fl.Usage()
		return fmt.Errorf("no plugin name given")
	}
	if *dir == "" {
		*dir = "koppel-plugin-" + name
	}
	switch *replace {
	case "none":
		*replace = ""
	case "":
		*replace = scaffold.FindCheckout(".")
	}
	files, err := scaffold.Generate(*dir, scaffold.Options{Name: name, Kind: sdk.PluginKind(*kind), Module: *module, Replace: *replace})
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Println("wrote", filepath.Join(*dir, f))
	}
	if *replace != "" {
		fmt.Printf("\ngo.mod builds against the koppel checkout in %s (a replace directive; --replace none leaves it out)\n", *replace)
	}
	fmt.Printf("\nnext: %s\n", scaffold.NextSteps(*dir))
	return nil
}
