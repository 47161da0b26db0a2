package text

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// wordRE finds a word in a string literal: a literal with a word is text, not a bare format.
var wordRE = regexp.MustCompile(`[A-Za-z]{2,}`)

// TestNoEnglishOnlyReasons scans the planner and the pipeline for reasons, problems and
// warnings written as raw strings: every text a bookkeeper reads there must come from the
// catalogue (Template, Errorf), so it can be shown in Dutch and English. It looks at the
// arguments of Refusef, refusef, configErrorf, Warnings.Add and Cut, at values given to fields
// named Reason or Problems, at appends to slices named warn*/problem*, and at the planner's
// fmt.Errorf; a string literal
// with a word in it, outside a catalogue call, is reported with its position.
func TestNoEnglishOnlyReasons(t *testing.T) {
	checked := 0
	for _, dir := range []string{"../mapping", "../pipeline"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			exprs := reasonExprs(f)
			if dir == "../mapping" {
				// The planner's errors all reach a bookkeeper (as an order's reason).
				exprs = append(exprs, errorfArgs(f)...)
			} else {
				// The pipeline's errors that stop a run become the run's reason (koppel
				// sync, koppel runs, the dashboard's run list).
				exprs = append(exprs, runErrorExprs(f)...)
			}
			for _, e := range exprs {
				checked++
				for _, lit := range rawTexts(e) {
					t.Errorf("%s: %s is written in the code; put it in the catalogue (host/internal/text) and build it with text.Template or text.Errorf",
						fset.Position(lit.Pos()), lit.Value)
				}
			}
		}
	}
	if checked < 50 {
		t.Fatalf("the scan found only %d reason expressions; it no longer recognises the code", checked)
	}
}

// reasonExprs are the expressions of f that become a reason, problem or warning.
func reasonExprs(f *ast.File) []ast.Expr {
	var out []ast.Expr
	isField := func(e ast.Expr) bool {
		var name string
		switch x := e.(type) {
		case *ast.Ident:
			name = x.Name
		case *ast.SelectorExpr:
			name = x.Sel.Name
		}
		return name == "Reason" || name == "Problems" || name == "Stopped"
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			switch fn := x.Fun.(type) {
			case *ast.Ident:
				switch {
				case fn.Name == "Refusef" || fn.Name == "refusef" || fn.Name == "configErrorf":
					out = append(out, x.Args...)
				case fn.Name == "append" && len(x.Args) > 1:
					if id, ok := x.Args[0].(*ast.Ident); ok {
						if l := strings.ToLower(id.Name); strings.HasPrefix(l, "warn") || strings.HasPrefix(l, "problem") {
							out = append(out, x.Args[1:]...)
						}
					}
				}
			case *ast.SelectorExpr:
				switch fn.Sel.Name {
				case "Refusef", "Add":
					if fn.Sel.Name == "Add" && !warningsReceiver(fn.X) {
						break
					}
					out = append(out, x.Args...)
				case "Cut":
					if warningsReceiver(fn.X) && len(x.Args) == 3 {
						out = append(out, x.Args[2])
					}
				}
			}
		case *ast.KeyValueExpr:
			if isField(x.Key) {
				out = append(out, x.Value)
			}
		case *ast.AssignStmt:
			for i, l := range x.Lhs {
				if isField(l) && i < len(x.Rhs) {
					out = append(out, x.Rhs[i])
				}
			}
		}
		return true
	})
	return out
}

// runErrors are the pipeline's helpers whose arguments become the reason a run stops.
var runErrors = map[string]bool{"abortf": true, "abortState": true, "stateError": true, "serviceError": true, "listingError": true, "step": true}

// runErrorExprs are the expressions of f that become the reason a run stops: the arguments of
// the run-error helpers (runErrors) and of every fmt.Errorf that marks its error with errAbort.
func runErrorExprs(f *ast.File) []ast.Expr {
	var out []ast.Expr
	ast.Inspect(f, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch fn := c.Fun.(type) {
		case *ast.Ident:
			if runErrors[fn.Name] {
				out = append(out, c.Args...)
			}
		case *ast.SelectorExpr:
			if pkg, ok := fn.X.(*ast.Ident); ok && pkg.Name == "fmt" && fn.Sel.Name == "Errorf" {
				for _, a := range c.Args {
					if id, ok := a.(*ast.Ident); ok && id.Name == "errAbort" {
						out = append(out, c.Args...)
						break
					}
				}
			}
		}
		return true
	})
	return out
}

// keyRE is a catalogue key: a helper given one builds its text from the catalogue.
var keyRE = regexp.MustCompile(`^reason\.[a-z_.]+$`)

// errorfArgs are the arguments of f's fmt.Errorf calls.
func errorfArgs(f *ast.File) []ast.Expr {
	var out []ast.Expr
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "fmt" && sel.Sel.Name == "Errorf" {
					out = append(out, c.Args...)
				}
			}
		}
		return true
	})
	return out
}

// warningsReceiver reports whether e names a Warnings value: w, op.w, bw (the planner's names).
func warningsReceiver(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "w" || x.Name == "bw"
	case *ast.SelectorExpr:
		return x.Sel.Name == "w"
	}
	return false
}

// rawTexts are the string literals with words in e that are not a catalogue key (the first
// argument of Template or Errorf).
func rawTexts(e ast.Expr) []*ast.BasicLit {
	var out []*ast.BasicLit
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "text" && (sel.Sel.Name == "Template" || sel.Sel.Name == "Errorf") {
					for _, a := range x.Args[1:] {
						out = append(out, rawTexts(a)...)
					}
					return false
				}
			}
		case *ast.BasicLit:
			if x.Kind == token.STRING {
				if s, err := strconv.Unquote(x.Value); err == nil && wordRE.MatchString(s) && !keyRE.MatchString(s) {
					out = append(out, x)
				}
			}
		}
		return true
	})
	return out
}
