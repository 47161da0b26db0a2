package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// EnvUnsetError is the error env() returns for a variable that is not set and has no default.
type EnvUnsetError struct {
	// Name is the variable.
	Name string
}

// Error implements error.
func (e *EnvUnsetError) Error() string {
	return fmt.Sprintf("environment variable %s is not set", e.Name)
}

// FileError is the error file() returns when a file cannot be read.
type FileError struct {
	// Arg is the path as written; Path is the resolved path.
	Arg, Path string
	// Err is the underlying error.
	Err error
}

// Error implements error.
func (e *FileError) Error() string {
	return fmt.Sprintf("cannot read %s: %v", e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// stdFunctions are the usual HCL string (and a few number and list) functions.
var stdFunctions = map[string]function.Function{
	"lower":         stdlib.LowerFunc,
	"upper":         stdlib.UpperFunc,
	"title":         stdlib.TitleFunc,
	"trimspace":     stdlib.TrimSpaceFunc,
	"trim":          stdlib.TrimFunc,
	"trimprefix":    stdlib.TrimPrefixFunc,
	"trimsuffix":    stdlib.TrimSuffixFunc,
	"chomp":         stdlib.ChompFunc,
	"replace":       stdlib.ReplaceFunc,
	"regex_replace": stdlib.RegexReplaceFunc,
	"join":          stdlib.JoinFunc,
	"split":         stdlib.SplitFunc,
	"format":        stdlib.FormatFunc,
	"coalesce":      stdlib.CoalesceFunc,
	"substr":        stdlib.SubstrFunc,
	"strlen":        stdlib.StrlenFunc,
	"concat":        stdlib.ConcatFunc,
	"contains":      stdlib.ContainsFunc,
	"length":        stdlib.LengthFunc,
	"merge":         stdlib.MergeFunc,
	"lookup":        stdlib.LookupFunc,
	"min":           stdlib.MinFunc,
	"max":           stdlib.MaxFunc,
	"abs":           stdlib.AbsoluteFunc,
	"ceil":          stdlib.CeilFunc,
	"floor":         stdlib.FloorFunc,
	"parseint":      stdlib.ParseIntFunc,
}

// FunctionNames lists every function available in profile expressions, sorted.
func FunctionNames() []string {
	out := []string{"env", "file"}
	for n := range stdFunctions {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// evalContext returns the evaluation context for expressions in a file in dir.
func (l *loader) evalContext(dir string) *hcl.EvalContext {
	funcs := make(map[string]function.Function, len(stdFunctions)+2)
	for n, f := range stdFunctions {
		funcs[n] = f
	}
	funcs["env"] = l.envFunc()
	funcs["file"] = l.fileFunc(dir)
	return &hcl.EvalContext{Functions: funcs}
}

// envFunc is env(name) or env(name, default).
func (l *loader) envFunc() function.Function {
	return function.New(&function.Spec{
		Description: "The value of an environment variable; with a second argument, that default when the variable is not set.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		VarParam:    &function.Parameter{Name: "default", Type: cty.String},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 2 {
				return cty.UnknownVal(cty.String), errors.New("env takes a name and at most one default")
			}
			name := args[0].AsString()
			v, ok := l.opts.Env(name)
			if !ok && len(args) == 2 {
				v, ok = args[1].AsString(), true
			}
			if ok {
				l.evalLog = append(l.evalLog, v)
				if secretName(name) {
					l.cfg.sensitive[v] = true
				}
				return cty.StringVal(v), nil
			}
			return cty.UnknownVal(cty.String), &EnvUnsetError{Name: name}
		},
	})
}

// secretWords are the parts of an environment variable's name that say it holds a secret.
var secretWords = []string{"SECRET", "PASSWORD", "PASSWD", "PASS", "TOKEN", "KEY", "CREDENTIAL", "PRIVATE"}

// secretName reports whether an environment variable's name says it holds a secret
// (WC_SECRET, SNELSTART_CLIENT_KEY, MAGENTO_PASSWORD, ...): its value is then never printed,
// whichever attribute it is used in, not only in the attributes a plugin marks sensitive.
func secretName(name string) bool {
	up := strings.ToUpper(name)
	for _, w := range secretWords {
		if strings.Contains(up, w) {
			return true
		}
	}
	return false
}

// fileFunc is file(path), relative to dir (the directory of the file holding the call).
func (l *loader) fileFunc(dir string) function.Function {
	return function.New(&function.Spec{
		Description: "The contents of a file, relative to the directory of the profile file.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			arg := args[0].AsString()
			p := arg
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			b, err := readLimited(p)
			if err != nil {
				return cty.UnknownVal(cty.String), &FileError{Arg: arg, Path: p, Err: err}
			}
			if !isValidUTF8(b) {
				return cty.UnknownVal(cty.String), &FileError{Arg: arg, Path: p, Err: errors.New("the file is not UTF-8 text")}
			}
			s := string(b)
			l.evalLog = append(l.evalLog, s, strings.TrimSpace(s))
			return cty.StringVal(s), nil
		},
	})
}

// improve rewrites HCL's generic diagnostics for env() and file() failures into messages that say
// what to do, and adds hints to some of HCL's own diagnostics.
func improve(d *hcl.Diagnostic) *hcl.Diagnostic {
	if extra, ok := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](d); ok {
		err := extra.FunctionCallError()
		var envErr *EnvUnsetError
		var fileErr *FileError
		switch {
		case errors.As(err, &envErr):
			d.Summary = fmt.Sprintf("env(%q): %s", envErr.Name, envErr.Error())
			d.Detail = withHint("", fmt.Sprintf("export %s=... in the environment koppel runs in, or give a default: env(%q, \"value\")", envErr.Name, envErr.Name))
			if d.Context != nil {
				d.Subject = d.Context
			}
			return d
		case errors.As(err, &fileErr):
			d.Summary = fmt.Sprintf("file(%q): %s", fileErr.Arg, fileErr.Error())
			d.Detail = withHint("", "a relative path is read from the directory of the .hcl file that calls file()")
			if d.Context != nil {
				d.Subject = d.Context
			}
			return d
		}
	}
	if _, hint := SplitHint(d.Detail); hint != "" {
		return d
	}
	switch d.Summary {
	case "Call to unknown function":
		d.Detail = withHint(d.Detail, "available functions: "+strings.Join(FunctionNames(), ", "))
	case "Variables not allowed", "Unknown variable":
		d.Detail = withHint(d.Detail, `put text in double quotes ("like this"); values from outside come from env("NAME") or file("path")`)
	case "Function calls not allowed":
		d.Detail = withHint(d.Detail, "write a literal value here")
	case "Invalid function argument", "Error in function call", "Not enough function arguments", "Too many function arguments":
		d.Detail = withHint(d.Detail, "check the function's arguments; env(name) and file(path) take strings")
	case "Unsupported block type", "Unsupported argument":
		d.Detail = withHint(d.Detail, "remove it or check its spelling")
	}
	return d
}

func isValidUTF8(b []byte) bool { return utf8.Valid(b) }
